using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Convolution;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Baselines;

/// <summary>
/// The two classical segmentations every learned one is measured against, computed with the project's own
/// <see cref="KMeans"/>: k-means on each pixel's RGB colour (/255, as the original pipeline feeds its network),
/// and a 9×9 Gaussian blur followed by k-means on CIE Lab colours — the one-line OpenCV recipe
/// <c>KMeans(cvtColor(GaussianBlur(img, (9, 9), 0), RGB2Lab))</c>. What the autoencoder adds is what it does
/// better than these.
/// </summary>
public static class ColourBaselines
{
    /// <summary>A 9×9 kernel: ImageSharp's kernel is 2·radius + 1 wide.</summary>
    public const int BlurRadius = 4;

    /// <summary>
    /// OpenCV's default sigma for a 9×9 kernel when sigma is given as 0: 0.3·((9 − 1)·0.5 − 1) + 0.8 = 1.7.
    /// ImageSharp's <c>GaussianBlur(sigma)</c> would pick a 13×13 kernel for it (radius 3σ), so the processor is
    /// built with the radius explicitly. Borders differ slightly: ImageSharp repeats the edge pixel, OpenCV
    /// reflects (BORDER_REFLECT_101).
    /// </summary>
    public const float BlurSigma = 1.7f;

    /// <param name="FitSample">
    /// Pixels k-means is fitted on (drawn from the seed); every pixel is then assigned to its nearest centre band by band,
    /// so a 24-megapixel photo never holds its features at once. Null = fit on every pixel (the baseline as defined,
    /// what the quality bench scores).
    /// </param>
    public sealed record Settings(int Clusters, int Restarts = 10, int Seed = 42, int MaxIterations = 300, double Tolerance = 1e-4,
        int? FitSample = null);

    /// <summary>Pixels per band when every pixel is assigned after a sampled fit.</summary>
    private const int AssignBand = 1 << 20;

    /// <summary>k-means on (R, G, B)/255 of every pixel. One label per pixel, row-major.</summary>
    public static int[] RgbKMeans(RgbImage image, Settings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Cluster(image, RgbFeature, settings, cancellationToken);
    }

    private static void RgbFeature(byte r, byte g, byte b, Span<float> f) { f[0] = r / 255f; f[1] = g / 255f; f[2] = b / 255f; }

    private static void LabFeature(byte r, byte g, byte b, Span<float> f)
    {
        var (l, a, bb) = CieLabConversion.FromRgb(r, g, b);
        f[0] = (float)l; f[1] = (float)a; f[2] = (float)bb;
    }

    /// <summary>9×9 Gaussian blur (σ = 1.7), then k-means on CIE Lab (L 0…100, a, b). One label per pixel, row-major.</summary>
    public static int[] BlurredLabKMeans(RgbImage image, Settings settings, CancellationToken cancellationToken = default) =>
        Cluster(Blur(image), LabFeature, settings, cancellationToken);

    /// <summary>
    /// The image through ImageSharp's Gaussian blur, 9×9, σ = 1.7, on the 8-bit values (as OpenCV on a uint8 image).
    /// Through the loader's configuration: its bounded pool is the one the app empties after a run; ImageSharp's
    /// default pool kept a 40-megapixel blur's buffers (gigabytes) after every run beside it.
    /// </summary>
    public static RgbImage Blur(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var sharp = Image.LoadPixelData<Rgb24>(ImageLoader.Configuration, image.Pixels, image.Width, image.Height);
        sharp.Mutate(ctx => ctx.ApplyProcessor(new GaussianBlurProcessor(BlurSigma, BlurRadius)));
        var blurred = new byte[image.Pixels.Length];
        sharp.CopyPixelDataTo(blurred);
        return new RgbImage(image.Width, image.Height, blurred);
    }

    private delegate void PixelFeature(byte r, byte g, byte b, Span<float> feature);

    private static int[] Cluster(RgbImage image, PixelFeature feature, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var kmeans = new KMeans(settings.Clusters, settings.Restarts, settings.MaxIterations, settings.Tolerance, settings.Seed);
        int n = checked((int)image.PixelCount);
        if (settings.FitSample is not { } m || n <= m)
            return kmeans.Fit(Features(image, feature, 0, n), dims: 3, cancellationToken: cancellationToken).Labels;

        var rng = new Random(settings.Seed);
        var sample = new float[m * 3];
        var px = image.Pixels;
        for (int i = 0; i < m; i++)
        {
            long o = rng.NextInt64(n) * 3;
            feature(px[o], px[o + 1], px[o + 2], sample.AsSpan(i * 3, 3));
        }
        kmeans.Fit(sample, dims: 3, cancellationToken: cancellationToken);
        var labels = new int[n];
        for (int start = 0; start < n; start += AssignBand)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(AssignBand, n - start);
            kmeans.Predict(Features(image, feature, start, count), 3).CopyTo(labels, start);
        }
        return labels;
    }

    /// <summary>The features of pixels [start, start + count), 3 per pixel.</summary>
    private static float[] Features(RgbImage image, PixelFeature feature, int start, int count)
    {
        var px = image.Pixels;
        var features = new float[count * 3L];
        Parallel.For(0, (count + 4095) / 4096, block =>
        {
            int end = Math.Min(count, (block + 1) * 4096);
            for (int i = block * 4096; i < end; i++)
            {
                long o = (start + (long)i) * 3;
                feature(px[o], px[o + 1], px[o + 2], features.AsSpan(i * 3, 3));
            }
        });
        return features;
    }
}
