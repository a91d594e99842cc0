using Segmenter.Engine.Baselines;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Steering;

/// <summary>One classical segmentation computed beside a run, and how far it agrees with the run.</summary>
/// <param name="Name">What the view is called on the page and in the report.</param>
/// <param name="Labels">
/// Cluster per pixel, row-major, one byte each as a run's labels (k ≤ <see cref="Pipeline.SegmentationParameters.MaxClusters"/>):
/// a session keeps these beside its result, and as ints two of them held 320 MB at 40 megapixels.
/// </param>
/// <param name="AriWithRun">Adjusted Rand index between this baseline and the run.</param>
public sealed record BaselineView(string Name, byte[] Labels, double AriWithRun)
{
    public const string RgbName = "RGB k-means", BlurredLabName = "Blurred Lab k-means";

    /// <summary>
    /// Restarts of each baseline's k-means: fewer than the run's default, because the baselines are computed with
    /// every run and must stay cheap; colour k-means with 3 restarts is already stable on natural images.
    /// </summary>
    public const int Restarts = 3;

    /// <summary>
    /// Pixels each baseline is fitted on (then every pixel is assigned): a run's own clustering sample, so a
    /// baseline beside a 24-megapixel run costs an assignment pass, not k-means over every pixel.
    /// </summary>
    public const int FitSample = 65_536;

    /// <summary>
    /// Both colour baselines at the run's k and seed, each with its ARI against the run's labels. Like the run, they
    /// work on the image at most <paramref name="maxPixels"/> pixels big (the run's <c>MaxPixels</c>; 0 = full
    /// resolution) and their labels come back to every pixel by the same colour-guided upsampling: the comparison is
    /// like for like, and a 40-megapixel image's blur and Lab conversion do not take gigabytes beside the run.
    /// </summary>
    public static IReadOnlyList<BaselineView> Beside(RgbImage image, int[] runLabels, int clusters, int seed, int maxPixels = 0,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(runLabels);
        return Beside(image, Array.ConvertAll(runLabels, l => checked((byte)l)), clusters, seed, maxPixels, ct);
    }

    /// <summary>
    /// Both colour baselines beside a run's own label map (one byte a pixel), scored against it without an int copy
    /// of either map: at 40 megapixels each int copy is 160 MB beside two runs in flight.
    /// </summary>
    public static IReadOnlyList<BaselineView> Beside(RgbImage image, byte[] runLabels, int clusters, int seed, int maxPixels = 0,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(runLabels);
        var settings = new ColourBaselines.Settings(clusters, Restarts, seed, FitSample: FitSample);
        var resolution = WorkingResolution.For(image, maxPixels);
        // Each baseline's int labels live only until it is scored and compacted, so at most one is held at a time.
        var rgb = Scored(RgbName, resolution, ColourBaselines.RgbKMeans(resolution.Working, settings, ct), runLabels);
        return [rgb, Scored(BlurredLabName, resolution, ColourBaselines.BlurredLabKMeans(resolution.Working, settings, ct), runLabels)];
    }

    private static BaselineView Scored(string name, WorkingResolution resolution, int[] workingLabels, byte[] runLabels)
    {
        var labels = resolution.ToFull(Array.ConvertAll(workingLabels, l => checked((byte)l)));
        return new BaselineView(name, labels, Agreement.AdjustedRandIndex(runLabels, labels));
    }

    /// <summary>The labels as ints, for the agreement scores (a transient copy).</summary>
    private int[] IntLabels() => Array.ConvertAll(Labels, l => (int)l);

    /// <summary>
    /// The same baseline scored against another run's labels: the baseline depends on the image, k and seed only,
    /// so a re-cluster at the same k need not run its k-means again.
    /// </summary>
    public BaselineView RescoredFor(byte[] runLabels) => this with { AriWithRun = Agreement.AdjustedRandIndex(runLabels, Labels) };

    /// <summary>This baseline scored against a ground truth.</summary>
    public TruthScore Against(int[] truth) => TruthScore.Of(truth, IntLabels());
}
