using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>A k value's scores from <see cref="SegmentationPipeline.SweepK"/>.</summary>
public sealed record KSweepPoint(int K, double Inertia, double Silhouette, double DaviesBouldin);

/// <summary>decode → train → encode → cluster → render, in one call, with progress events.</summary>
public static class SegmentationPipeline
{
    /// <summary>Decodes the stream (timed as the decode stage) and runs <see cref="Run(RgbImage, SegmentationParameters, Action{PipelineEvent}?, CancellationToken)"/>.</summary>
    public static SegmentationResult Run(Stream imageStream, ImageLimits limits, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract");

    /// <summary>
    /// Trains the autoencoder, encodes, clusters and renders. Throws <see cref="ArgumentException"/> for bad
    /// parameters, <see cref="TrainingFailedException"/> when the loss goes NaN or explodes, and
    /// <see cref="OperationCanceledException"/> within one batch of cancellation.
    /// </summary>
    public static SegmentationResult Run(RgbImage image, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract");

    /// <summary>Re-clusters the codes of an earlier run with new k-means settings; no training.</summary>
    public static SegmentationResult Recluster(SegmentationResult previous, RgbImage image, SegmentationParameters parameters,
        CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract");

    /// <summary>Scores k = from…to on an earlier run's codes (inertia, silhouette on a sample, Davies–Bouldin).</summary>
    public static IReadOnlyList<KSweepPoint> SweepK(SegmentationResult previous, int from = 2, int to = 12,
        CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract");

    /// <summary>
    /// For window 3 or 5: how much the token of pixel (x, y) attends to each neighbour, per head
    /// (heads × window × window, row-major). Null for window 1.
    /// </summary>
    public static float[][]? AttentionAt(SegmentationResult result, RgbImage image, int x, int y)
        => throw new NotImplementedException("contract");
}

/// <summary>Training diverged (NaN or exploding loss). The message says what to change.</summary>
public sealed class TrainingFailedException : Exception
{
    public TrainingFailedException(string message) : base(message) { }
}
