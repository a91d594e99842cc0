using System.Collections.Concurrent;
using Segmenter.Engine.Baselines;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The work a run does on its image alone, done once for every run of the same image (a sweep's runs): the working
/// copy at a pixel limit, the colour block's blur, the texture energies, and the colour baselines at a k and seed. Each
/// piece is what the run computes for itself from the same inputs, so a run that takes it from here gets the same
/// result. Holds managed arrays only (no tensors), at most <see cref="MaxBytes"/> of them: a piece that would go beyond
/// is computed for its run alone and not kept. Whoever uses it holds it (<see cref="Hold"/>, <see cref="Release"/>; its
/// creator holds it from the start): when the last lets go, the pieces go with it.
/// </summary>
public sealed class SharedImageWork(RgbImage image, long maxBytes = SharedImageWork.DefaultMaxBytes)
{
    /// <summary>Bytes kept by default: a 6-megapixel photo's working copy, blur, energies and a 3 × 3 grid's baselines.</summary>
    public const long DefaultMaxBytes = 256L << 20;

    private readonly ConcurrentDictionary<object, Piece> pieces = new();
    private long bytes;
    private int holders = 1;

    /// <summary>One more user (a run) holds the pieces; returns this.</summary>
    public SharedImageWork Hold()
    {
        Interlocked.Increment(ref holders);
        return this;
    }

    /// <summary>A user lets go; the last one releases every piece.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref holders) > 0) return;
        pieces.Clear();
        Interlocked.Exchange(ref bytes, 0);
    }

    /// <summary>Users holding the pieces.</summary>
    public int Holders => Volatile.Read(ref holders);

    /// <summary>The decoded image every run works on.</summary>
    public RgbImage Image => image;

    public long MaxBytes => maxBytes;

    /// <summary>Bytes the pieces kept so far hold (their estimate, counted as each is first asked for).</summary>
    public long Bytes => Interlocked.Read(ref bytes);

    /// <summary>Pieces kept.</summary>
    public int Count => pieces.Count;

    /// <summary>The image at most <paramref name="maxPixels"/> big (<see cref="WorkingResolution.For"/>).</summary>
    public WorkingResolution Resolution(int maxPixels)
    {
        var (w, h) = WorkingResolution.SizeFor(image.Width, image.Height, maxPixels);
        long size = w == image.Width && h == image.Height ? 0 : 3L * w * h; // not downscaled: the image itself
        return Get(("resolution", maxPixels), size, () => WorkingResolution.For(image, maxPixels));
    }

    /// <summary>The colour block's blur of a working copy, started on the thread pool with <paramref name="blur"/>.</summary>
    internal Task<RgbImage> Blurred(RgbImage working, Func<RgbImage> blur)
        => Get(("blur", working.Width, working.Height), working.Pixels.LongLength, () => Task.Run(blur));

    /// <summary>The texture energies of a working copy at a texture scale, started on the thread pool.</summary>
    internal Task<TextureEnergies> Textures(RgbImage working, double textureScale)
    {
        long cells = (long)((working.Width + TextureEnergies.Cell - 1) / TextureEnergies.Cell) * ((working.Height + TextureEnergies.Cell - 1) / TextureEnergies.Cell);
        return Get(("texture", working.Width, working.Height, textureScale), sizeof(float) * TextureEnergies.Count * cells,
            () => Task.Run(() => TextureEnergies.Compute(working, textureScale)));
    }

    /// <summary>
    /// Both colour baselines at k, seed and pixel limit (<see cref="BaselineView.Beside"/>), each scored against
    /// <paramref name="runLabels"/>. Computed once; a computation stopped by its run's cancellation is not kept.
    /// </summary>
    public IReadOnlyList<BaselineView> BaselinesBeside(byte[] runLabels, int clusters, int seed, int maxPixels, CancellationToken ct)
    {
        var key = ("baselines", clusters, seed, maxPixels);
        while (true)
        {
            try
            {
                var views = Get(key, 2L * image.PixelCount, () => BaselineView.Beside(image, runLabels, clusters, seed, maxPixels, ct));
                return views.Select(v => v.RescoredFor(runLabels)).ToArray();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Another run's cancellation stopped the shared computation this run waited for: it computes it again.
            }
        }
    }

    /// <summary>The piece under <paramref name="key"/>, computed once by whichever run asks first; kept only within the byte bound.</summary>
    private T Get<T>(object key, long size, Func<T> compute) where T : class
    {
        if (!pieces.TryGetValue(key, out var piece))
        {
            if (Interlocked.Add(ref bytes, size) > maxBytes)
            {
                Interlocked.Add(ref bytes, -size);
                return compute();
            }
            var mine = new Piece(new Lazy<object>(compute, LazyThreadSafetyMode.ExecutionAndPublication), size);
            piece = pieces.GetOrAdd(key, mine);
            if (!ReferenceEquals(piece, mine)) Interlocked.Add(ref bytes, -size);
        }
        try { return (T)piece.Value.Value; }
        catch
        {
            // A failed computation (a cancelled run's) is not kept: the next run to ask computes it again.
            if (pieces.TryRemove(new KeyValuePair<object, Piece>(key, piece))) Interlocked.Add(ref bytes, -piece.Size);
            throw;
        }
    }

    private sealed record Piece(Lazy<object> Value, long Size);
}
