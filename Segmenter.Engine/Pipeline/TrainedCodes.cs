using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// What a run keeps so its codes can be re-clustered without training: the trained model (native memory) and
/// the codes k-means was fitted on. Shared by a run and the re-clusterings made from it, and freed when the
/// last of them is disposed.
/// </summary>
internal sealed class TrainedCodes
{
    private readonly object gate = new();
    private int holders;

    public TrainedCodes(AttentionAutoencoder model, int[] fitItems, float[] fitCodes, float[]? fitWeights, bool sampled)
    {
        Model = model; FitItems = fitItems; FitCodes = fitCodes; FitWeights = fitWeights; Sampled = sampled;
    }

    public AttentionAutoencoder Model { get; }

    /// <summary>Which items (colours or pixels) the fitted codes belong to; all of them, in order, unless <see cref="Sampled"/>.</summary>
    public int[] FitItems { get; }
    public float[] FitCodes { get; }
    public float[]? FitWeights { get; }
    public bool Sampled { get; }

    /// <summary>A handle that keeps the model alive until it is disposed.</summary>
    public IDisposable Hold()
    {
        lock (gate)
        {
            if (holders < 0) throw new ObjectDisposedException(nameof(TrainedCodes));
            holders++;
        }
        return new Holder(this);
    }

    private void Release()
    {
        lock (gate)
        {
            if (--holders > 0) return;
            holders = -1;
            Model.Dispose();
        }
    }

    private sealed class Holder(TrainedCodes owner) : IDisposable
    {
        private TrainedCodes? owner = owner;
        public TrainedCodes Codes => owner ?? throw new ObjectDisposedException(nameof(SegmentationResult), "This result has been disposed.");
        public bool Released => Volatile.Read(ref owner) is null;
        public void Dispose() => Interlocked.Exchange(ref owner, null)?.Release();
    }

    /// <summary>Managed bytes of the fitted items, codes and weights a result keeps (the model's few weights aside); 0 once released.</summary>
    public static long BytesOf(SegmentationResult result)
        => (result.State as Holder) is { } h && !h.Released
            ? 4L * (h.Codes.FitItems.Length + h.Codes.FitCodes.Length + (h.Codes.FitWeights?.Length ?? 0)) : 0;

    public static TrainedCodes Of(SegmentationResult result) =>
        (result.State as Holder)?.Codes
        ?? throw new InvalidOperationException("This result keeps no trained codes (it was disposed); train again.");
}
