using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The last colour baselines a session computed. They depend on the image, k and seed only, not on the run's labels,
/// so a re-cluster at the same k (other k-means settings, or back to an earlier k right after) only scores the new
/// labels against them instead of running both colour k-means again. Only the last ones are kept: they are the
/// arrays the current steering views hold anyway, and the image is held weakly; when the session gives its baselines'
/// labels up under the memory budget it <see cref="Forget"/>s them here too.
/// </summary>
public sealed class BaselineCache
{
    private readonly Lock _gate = new();
    private (WeakReference<RgbImage> Image, int Clusters, int Seed, int MaxPixels, IReadOnlyList<BaselineView> Views)? _last;

    /// <summary>Both baselines beside <paramref name="result"/>, computed or reused, each scored against its labels.</summary>
    public IReadOnlyList<BaselineView> Beside(RgbImage image, SegmentationResult result, CancellationToken ct)
    {
        int clusters = result.Parameters.Clusters, seed = result.Parameters.Seed, maxPixels = result.Parameters.MaxPixels;
        var runLabels = result.Labels;
        lock (_gate)
        {
            if (_last is { } last && last.Clusters == clusters && last.Seed == seed && last.MaxPixels == maxPixels && last.Image.TryGetTarget(out var cached) && ReferenceEquals(cached, image))
                return last.Views.Select(v => v.RescoredFor(runLabels)).ToArray();
        }
        var views = BaselineView.Beside(image, runLabels, clusters, seed, maxPixels, ct);
        lock (_gate) _last = (new WeakReference<RgbImage>(image), clusters, seed, maxPixels, views);
        return views;
    }

    /// <summary>Lets the last baselines go (their label maps are released).</summary>
    public void Forget()
    {
        lock (_gate) _last = null;
    }
}
