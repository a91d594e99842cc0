using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The pipeline as the session sees it; the default trains with the engine and forwards the rest to the result's
/// <see cref="TrainedModel"/>. Only the session's tests still substitute a fake here (the API calls the engine directly).
/// </summary>
public interface ISegmentationEngine
{
    SegmentationResult Run(RgbImage image, SegmentationParameters parameters, Action<PipelineEvent>? progress, CancellationToken cancellationToken);

    /// <summary>New k-means settings on an earlier run's trained codes; no training.</summary>
    SegmentationResult Recluster(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken cancellationToken);

    /// <summary>Scores k = from…to on an earlier run's codes.</summary>
    IReadOnlyList<KSweepPoint> SweepK(SegmentationResult previous, int from, int to, CancellationToken cancellationToken);

    /// <summary>Silhouette and Davies–Bouldin of a run on a sample of its codes.</summary>
    RunQuality Quality(SegmentationResult result, RgbImage image, int sampleSize);

    /// <summary>Per head, the attention of pixel (x, y) over its window (row-major); null for window 1.</summary>
    float[][]? AttentionAt(SegmentationResult result, RgbImage image, int x, int y);

    /// <summary>Every pixel's code of a run (n × dims): what merge, split and strokes edit.</summary>
    (float[] Codes, int Dims) PixelCodes(SegmentationResult result, RgbImage image, CancellationToken cancellationToken);

    /// <summary>A result of the same trained model showing an edited clustering (no training).</summary>
    SegmentationResult Relabel(SegmentationResult previous, RgbImage image, SteeredClusters steered, float[] codes, int dims, CancellationToken cancellationToken);
}

public sealed class EngineSegmentation : ISegmentationEngine
{
    public SegmentationResult Run(RgbImage image, SegmentationParameters parameters, Action<PipelineEvent>? progress, CancellationToken cancellationToken)
        => SegmentationPipeline.Run(image, parameters, progress, cancellationToken, LivePreviewOptions.Default);

    public SegmentationResult Recluster(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken cancellationToken)
        => TrainedModel.Of(previous).Cluster(parameters, cancellationToken);

    public IReadOnlyList<KSweepPoint> SweepK(SegmentationResult previous, int from, int to, CancellationToken cancellationToken)
        => TrainedModel.Of(previous).SweepK(from, to, cancellationToken);

    public RunQuality Quality(SegmentationResult result, RgbImage image, int sampleSize)
        => TrainedModel.Of(result).Quality(result, sampleSize);

    public float[][]? AttentionAt(SegmentationResult result, RgbImage image, int x, int y)
        => TrainedModel.Of(result).AttentionAt(x, y);

    public (float[] Codes, int Dims) PixelCodes(SegmentationResult result, RgbImage image, CancellationToken cancellationToken)
        => TrainedModel.Of(result).PixelCodes(cancellationToken);

    public SegmentationResult Relabel(SegmentationResult previous, RgbImage image, SteeredClusters steered, float[] codes, int dims, CancellationToken cancellationToken)
        => TrainedModel.Of(previous).Relabel(previous, steered, codes, dims, cancellationToken);
}
