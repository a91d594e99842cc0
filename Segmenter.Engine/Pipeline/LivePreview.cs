using System.Diagnostics;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>How the segments-so-far preview is made while a model trains.</summary>
/// <param name="MaxSide">Longest side of the downscaled copy that is segmented, in pixels.</param>
/// <param name="MinIntervalSeconds">At most one preview per this many seconds of training.</param>
/// <param name="MaxShare">Previews may take at most this share of the training time so far.</param>
public sealed record LivePreviewOptions(int MaxSide = 128, double MinIntervalSeconds = 0.5, double MaxShare = 0.1)
{
    public static LivePreviewOptions Default { get; } = new();
}

/// <summary>
/// The current model's segmentation of a downscaled copy of the image after epoch <paramref name="Epoch"/>:
/// RGB bytes (3 per pixel), each pixel in its preview cluster's mean colour. <paramref name="Seconds"/> is what
/// making it cost the training thread.
/// </summary>
public sealed record PreviewFrame(int Epoch, int Width, int Height, byte[] Rgb, double Seconds)
{
    public RgbImage ToImage() => new(Width, Height, Rgb);
}

/// <summary>A preview was made between two epochs; it arrives right after that epoch's <see cref="EpochCompleted"/>.</summary>
public sealed record PreviewReady(PreviewFrame Frame) : PipelineEvent;

/// <summary>
/// Between epochs, when due, encodes every pixel of a downscaled copy with the weights as they are now, clusters the
/// codes with the run's k (a cheap k-means: one start, few iterations) and reports the painted result. "Due" keeps
/// previews at most every <see cref="LivePreviewOptions.MinIntervalSeconds"/> and their total cost within
/// <see cref="LivePreviewOptions.MaxShare"/> of the training time, so a fast epoch is never slowed by more than that.
/// </summary>
internal sealed class LivePreview
{
    private const int ClusteringIterations = 15;
    private readonly LivePreviewOptions _options;
    private readonly RgbImage _small;
    private readonly CodeItems _items;
    private readonly SegmentationParameters _parameters;
    private readonly int[] _all;
    private readonly int _clusters, _seed;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _spent, _lastAt, _lastCost;

    public LivePreview(RgbImage image, SegmentationParameters p, LivePreviewOptions options)
    {
        _options = options;
        _small = Downscale(image, options.MaxSide);
        _items = CodeItems.ForPixels(_small, p.Window, p.InputColours);
        _parameters = p;
        _all = Enumerable.Range(0, _items.Count).ToArray();
        _clusters = Math.Min(p.Clusters, _items.Count);
        _seed = p.Seed;
    }

    /// <summary>Total seconds previews have taken from the training thread.</summary>
    public double SpentSeconds => _spent;

    /// <summary>The progress callback to give the trainer: passes every event on and adds a preview after an epoch when due.</summary>
    public Action<PipelineEvent> Around(AttentionAutoencoder model, Action<PipelineEvent>? progress, CancellationToken ct) => e =>
    {
        progress?.Invoke(e);
        // No preview after the last epoch: the real result follows at once.
        if (progress is null || e is not EpochCompleted { Loss: var loss } || loss.Epoch >= loss.TotalEpochs || !Due()) return;
        double start = _clock.Elapsed.TotalSeconds;
        var rgb = Segment(model, ct);
        double cost = _clock.Elapsed.TotalSeconds - start;
        var frame = new PreviewFrame(loss.Epoch, _small.Width, _small.Height, rgb, cost);
        progress(new PreviewReady(frame));
        // The caller's handling of the frame (encoding it, say) runs on this thread too: it counts.
        _lastCost = _clock.Elapsed.TotalSeconds - start;
        _spent += _lastCost;
        _lastAt = _clock.Elapsed.TotalSeconds;
    };

    private bool Due()
    {
        double now = _clock.Elapsed.TotalSeconds;
        return now - _lastAt >= _options.MinIntervalSeconds && _spent + _lastCost <= _options.MaxShare * now;
    }

    /// <summary>
    /// The run's clustered features (<see cref="ClusterFeatures"/>, scaled on this copy) of every small pixel with the
    /// current weights, k-means on them, each pixel painted with its cluster's mean colour.
    /// </summary>
    internal byte[] Segment(AttentionAutoencoder model, CancellationToken ct)
    {
        float[] codes;
        var features = new ClusterFeatures(_small, _parameters);
        try { codes = features.EncodeFitted(_items, model, _all, ct); }
        finally { model.train(); } // encoding switched the model to eval mode; training goes on
        var labels = Clusterers.Quick(_clusters, _seed, maxIterations: ClusteringIterations)
            .Fit(codes, features.Dims, null, ct).Labels;
        var sum = new long[_clusters * 3];
        var count = new long[_clusters];
        var px = _small.Pixels;
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            count[c]++;
            sum[3 * c] += px[3 * i]; sum[3 * c + 1] += px[3 * i + 1]; sum[3 * c + 2] += px[3 * i + 2];
        }
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            for (int ch = 0; ch < 3; ch++) rgb[3 * i + ch] = (byte)(sum[3 * c + ch] / Math.Max(1, count[c]));
        }
        return rgb;
    }

    /// <summary>Box-filtered copy whose longest side is at most <paramref name="maxSide"/> (the image itself when it is small enough).</summary>
    internal static RgbImage Downscale(RgbImage image, int maxSide)
    {
        int longest = Math.Max(image.Width, image.Height);
        if (longest <= maxSide) return image;
        double f = (double)longest / maxSide;
        return DownscaleTo(image, Math.Max(1, (int)Math.Round(image.Width / f)), Math.Max(1, (int)Math.Round(image.Height / f)));
    }

    /// <summary>An area-averaged copy of <paramref name="w"/>×<paramref name="h"/> pixels (each the mean of the source pixels it covers); rows in parallel.</summary>
    internal static RgbImage DownscaleTo(RgbImage image, int w, int h)
    {
        var px = new byte[w * h * 3];
        var src = image.Pixels;
        Parallel.For(0, h, y =>
        {
            int y0 = (int)((long)y * image.Height / h), y1 = Math.Max(y0 + 1, (int)((long)(y + 1) * image.Height / h));
            for (int x = 0; x < w; x++)
            {
                int x0 = (int)((long)x * image.Width / w), x1 = Math.Max(x0 + 1, (int)((long)(x + 1) * image.Width / w));
                long r = 0, g = 0, b = 0;
                for (int sy = y0; sy < y1; sy++)
                for (int sx = x0; sx < x1; sx++)
                {
                    long s = 3L * ((long)sy * image.Width + sx);
                    r += src[s]; g += src[s + 1]; b += src[s + 2];
                }
                long n = (long)(y1 - y0) * (x1 - x0);
                int d = 3 * (y * w + x);
                px[d] = (byte)(r / n); px[d + 1] = (byte)(g / n); px[d + 2] = (byte)(b / n);
            }
        });
        return new RgbImage(w, h, px);
    }
}
