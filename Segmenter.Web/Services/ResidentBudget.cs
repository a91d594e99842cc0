using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;

namespace Segmenter.Web.Services;

/// <summary>Something that keeps heavy, reloadable state in memory and can give it up when asked.</summary>
public interface IResidentHolder
{
    /// <summary>Bytes of state it could release now.</summary>
    long ResidentBytes { get; }

    /// <summary>When its visitor last did something; the least recent idle holder is asked first.</summary>
    DateTime LastActiveUtc { get; }

    /// <summary>Releases what it can (nothing while it is busy); returns the bytes freed.</summary>
    long ReleaseResident();
}

/// <summary>
/// The global budget for sessions' heavy state (<see cref="SegmenterOptions.MaxResidentMegabytes"/>): trained
/// models, encoded PNGs and upload bytes that the store or a retrain can bring back. When the total goes over the
/// budget the least recently active holders release theirs until it fits. When large state is dropped (a session
/// ended or released), a compacting collection gives the memory back to the OS a moment later, once, however many
/// sessions end together.
/// </summary>
public sealed class ResidentBudget(IOptions<SegmenterOptions> options, ILogger<ResidentBudget> logger, TimeProvider time)
{
    /// <summary>How long after a release the memory is handed back (several sessions leaving together: one collection).</summary>
    public static readonly TimeSpan ReturnDelay = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    // A 40 MP JPEG decodes into 120 MB of pixels plus the decoder's own buffers: a crowd uploading at once decodes a
    // few at a time, one per core, instead of all of them together.
    private readonly SemaphoreSlim _decodes = new(Environment.ProcessorCount);
    private readonly HashSet<IResidentHolder> _holders = new(ReferenceEqualityComparer.Instance);
    private ITimer? _returnTimer;

    public long BudgetBytes => (long)(options.Value.MaxResidentMegabytes * 1024 * 1024);

    public void Register(IResidentHolder holder) { lock (_gate) _holders.Add(holder); }

    /// <summary>The holder is gone (its session ended): forget it and hand its memory back soon.</summary>
    public void Unregister(IResidentHolder holder)
    {
        lock (_gate) _holders.Remove(holder);
        ScheduleReturn();
    }

    /// <summary>Decodes an upload's bytes on the pool, no more of them at once than there are cores.</summary>
    public async Task<RgbImage> DecodeAsync(byte[] bytes, ImageLimits limits, CancellationToken cancellationToken)
    {
        await _decodes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return await Task.Run(() => ImageLoader.Decode(bytes, limits, cancellationToken), cancellationToken).ConfigureAwait(false); }
        finally { _decodes.Release(); }
    }

    public long TotalBytes { get { lock (_gate) return _holders.Sum(h => h.ResidentBytes); } }

    /// <summary>Releases the least recently active holders' state (never <paramref name="keep"/>'s) until the total fits.</summary>
    public void Enforce(IResidentHolder? keep = null)
    {
        IResidentHolder[] candidates;
        long total;
        lock (_gate)
        {
            total = _holders.Sum(h => h.ResidentBytes);
            if (total <= BudgetBytes) return;
            candidates = _holders.Where(h => !ReferenceEquals(h, keep)).OrderBy(h => h.LastActiveUtc).ToArray();
        }
        long freed = 0;
        foreach (var holder in candidates)
        {
            if (total - freed <= BudgetBytes) break;
            freed += holder.ReleaseResident();
        }
        if (freed > 0)
        {
            logger.LogInformation("Resident budget: released {Freed:0} MB of idle sessions' state ({Total:0} MB over a {Budget:0} MB budget)",
                freed / 1048576.0, total / 1048576.0, BudgetBytes / 1048576.0);
            ScheduleReturn();
        }
    }

    /// <summary>
    /// Large arrays were dropped (a session ended or released its state, a run left its working buffers behind):
    /// collect and compact once, shortly, so the process's memory goes down, not only the heap's: a GC that sees no
    /// memory pressure on a large machine lets large runs' garbage pile up.
    /// </summary>
    public void ScheduleReturn()
    {
        lock (_gate)
        {
            if (_returnTimer is not null) return;
            _returnTimer = time.CreateTimer(_ => ReturnMemory(), null, ReturnDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReturnMemory()
    {
        lock (_gate)
        {
            _returnTimer?.Dispose();
            _returnTimer = null;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ImageLoader.ReleasePooledBuffers();
        // TorchSharp's and SQLite's native buffers go back to the C heap when freed; glibc keeps them mapped until trimmed.
        Segmenter.Engine.TorchRuntime.ReleaseFreedNativeMemory();
    }
}
