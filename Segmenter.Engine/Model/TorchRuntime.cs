using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine;

/// <summary>TorchSharp's process-wide settings, applied once.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<int> Threads = new(() =>
    {
        torch.set_num_threads(Environment.ProcessorCount);
        return Environment.ProcessorCount;
    });

    /// <summary>Sets torch's thread count to the core count, once; returns it.</summary>
    public static int Initialise() => Threads.Value;

    /// <summary>Model creation reads torch's global generator: seed and build under one lock so concurrent runs stay reproducible.</summary>
    internal static AttentionAutoencoder CreateModel(int heads, int window, int seed)
    {
        lock (Threads)
        {
            torch.manual_seed(seed);
            return new AttentionAutoencoder(heads, window);
        }
    }
}
