using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine;

/// <summary>TorchSharp's process-wide settings, applied once.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// One intra-op thread. This model's matrices are too small to split well, so more torch threads cost CPU without
    /// saving time, spin-wait against other work under load, and with wider windows make results vary from run to run.
    /// One thread keeps runs fast, reproducible and fair to a second job; k-means and the pixel loops still use every core.
    /// </summary>
    public const int IntraOpThreads = 1;

    private static readonly Lazy<int> Threads = new(() =>
    {
        torch.set_num_threads(IntraOpThreads);
        return IntraOpThreads;
    });

    /// <summary>
    /// Hands the C heap's free memory back to the system (glibc's <c>malloc_trim</c>). libtorch allocates every tensor
    /// with malloc, and glibc keeps what is freed in the allocating thread's arena for reuse; the encoding's tiles run
    /// on every core's pool threads, each with an arena of its own, so a pass over a big image band by band would leave
    /// its maps' freed blocks scattered through the arenas and the working set growing with each band. Trimmed after
    /// each band, a 24-megapixel run stays within the bench's memory target for a little time (docs/performance-log.md,
    /// "24 megapixels with the windowed default"). One shared arena (MALLOC_ARENA_MAX=1) would do as well, but only when
    /// set in the environment before the process starts: glibc fixes the number of arenas at a second thread's first
    /// allocation, long before Main. Only where the C library is glibc; elsewhere nothing is done.
    /// </summary>
    public static void ReleaseFreedNativeMemory()
    {
        if (!OperatingSystem.IsLinux() || trimUnavailable) return;
        try { _ = malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { trimUnavailable = true; }
    }

    private static volatile bool trimUnavailable;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    /// <summary>
    /// Applies torch's thread count, once; returns it. Call it before torch does any work, on any thread: libtorch
    /// gives each thread its thread count at that thread's first parallel operation, so a thread that ran one before
    /// this call keeps the default (both cores) for good, and its sums come out in another order, a few units in the
    /// eighth digit away from a one-thread run's (a test process saw a child process's loss differ that way). The app
    /// calls it at start-up (TorchStartupProbe), every model's constructor calls it, and the test assemblies call it
    /// as they load.
    /// </summary>
    public static int Initialise() => Threads.Value;

    /// <summary>Model creation reads torch's global generator: seed and build under one lock so concurrent runs stay reproducible.</summary>
    internal static AttentionAutoencoder CreateModel(Pipeline.SegmentationParameters p)
    {
        lock (Threads)
        {
            torch.manual_seed(p.Seed);
            return new AttentionAutoencoder(p.Heads, p.Window, reconstructWindow: p.DecoderTarget == Pipeline.DecoderTarget.Window,
                channels: Pipeline.ColourFeatures.Channels(p.InputColours), architecture: ModelArchitecture.Of(p));
        }
    }

    /// <summary>Builds a module from torch's global generator seeded with <paramref name="seed"/>, under the same lock as <see cref="CreateModel"/>.</summary>
    internal static T CreateSeeded<T>(int seed, Func<T> build)
    {
        lock (Threads)
        {
            torch.manual_seed(seed);
            return build();
        }
    }
}
