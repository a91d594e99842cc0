using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// One image in, one segmentation out: train → encode → fit → assign → render, with progress events. Shapes: the
/// image is W × H; a bigger one than <see cref="SegmentationParameters.MaxPixels"/> is worked on as a w × h copy
/// (else w × h = W × H); n items (its distinct colours, or its pixels) get a feature of dims numbers; m ≤ n of them
/// fit k clusters. What is done with the trained model afterwards (re-cluster, k sweep, attention) is
/// <see cref="TrainedModel"/>'s.
/// </summary>
public static class SegmentationPipeline
{
    /// <summary>Decodes the stream (timed as the decode stage) and runs <see cref="Run(RgbImage, SegmentationParameters, Action{PipelineEvent}?, CancellationToken, LivePreviewOptions?)"/>.</summary>
    public static SegmentationResult Run(Stream imageStream, ImageLimits limits, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default, LivePreviewOptions? preview = null)
    {
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new StageChanged(PipelineStage.Decoding, 0));
        var image = ImageLoader.Load(imageStream, limits, cancellationToken);
        return Run(image, parameters, progress, cancellationToken, clock, decodeSeconds: clock.Elapsed.TotalSeconds, preview);
    }

    /// <summary>
    /// Trains the autoencoder, encodes, clusters and renders. Throws <see cref="ArgumentException"/> for bad
    /// parameters, <see cref="TrainingFailedException"/> when the loss goes NaN or explodes, and
    /// <see cref="OperationCanceledException"/> within one batch of cancellation. The caller holds the result's
    /// <see cref="SegmentationResult.Model"/> and disposes it.
    /// </summary>
    /// <param name="preview">When set, <see cref="PreviewReady"/> events show the segments emerging while training.</param>
    public static SegmentationResult Run(RgbImage image, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default, LivePreviewOptions? preview = null)
        => Run(image, parameters, progress, cancellationToken, Stopwatch.StartNew(), decodeSeconds: 0, preview);

    /// <summary>
    /// <see cref="Run(RgbImage, SegmentationParameters, Action{PipelineEvent}?, CancellationToken, LivePreviewOptions?)"/> on
    /// <paramref name="work"/>'s image, taking the work that depends on the image alone (its working copy, blur and
    /// texture energies) from it: the same result, computed once for every run that shares it.
    /// </summary>
    public static SegmentationResult Run(SharedImageWork work, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Run(work.Image, parameters, progress, cancellationToken, Stopwatch.StartNew(), decodeSeconds: 0, preview: null, work);
    }

    private static SegmentationResult Run(RgbImage image, SegmentationParameters p, Action<PipelineEvent>? progress,
        CancellationToken ct, Stopwatch clock, double decodeSeconds, LivePreviewOptions? preview, SharedImageWork? shared = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        p.Validate(image.PixelCount);
        TorchRuntime.Initialise();
        var resolution = shared?.Resolution(p.WorkingPixelLimit) ?? WorkingResolution.For(image, p.WorkingPixelLimit);
        image = resolution.Working; // W × H → w × h: from here on, code space; the labels come back to W × H as they render
        CodeItems.RequireColours(image, p);
        var marks = new StageClock(clock, progress, decodeSeconds);

        // train: the autoencoder learns to rebuild each pixel's window (window² tokens × channels) through a code of CodeSize numbers
        marks.Enter(PipelineStage.Training);
        var model = TorchRuntime.CreateModel(p);
        var features = new ClusterFeatures(image, p, shared: shared);
        features.StartBlur(); // the colour features' blur runs beside the training
        try
        {
            var trainingProgress = preview is null || progress is null ? progress : new LivePreview(image, p, preview).Around(model, progress, ct);
            var losses = AutoencoderTrainer.Train(model, image, p, clock, trainingProgress, ct); // one loss per epoch

            // encode: the n items, the m of them the clusterer is fitted on, and their features (m × dims; n × dims kept when small enough)
            marks.Enter(PipelineStage.Encoding);
            var items = CodeItems.ToCluster(image, p);
            var sample = FitSample.Choose(items, image, p, features);
            var (fitCodes, allCodes) = sample.Encode(items, model, features, ct);
            var trained = new TrainedModel(model, resolution, features, p, losses, sample, fitCodes);
            if (allCodes is not null) trained.KeepItemCodes(allCodes);

            // fit → assign → render: k centres (k × dims) from the m features, a cluster for each of the n items, the
            // W × H label map; the same stages as every re-cluster of the trained model
            return CodeClustering.Run(trained, items, p, marks, ct);
        }
        catch
        {
            features.WaitForBackgroundWork();
            model.Dispose();
            throw;
        }
    }
}
