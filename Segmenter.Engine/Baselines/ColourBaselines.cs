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

    public sealed record Settings(int Clusters, int Restarts = 10, int Seed = 42, int MaxIterations = 300, double Tolerance = 1e-4);

    /// <summary>k-means on (R, G, B)/255 of every pixel. One label per pixel, row-major.</summary>
    public static int[] RgbKMeans(RgbImage image, Settings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var features = new float[image.Pixels.Length];
        for (long i = 0; i < features.Length; i++) features[i] = image.Pixels[i] / 255f;
        return Cluster(features, settings, cancellationToken);
    }

    /// <summary>9×9 Gaussian blur (σ = 1.7), then k-means on CIE Lab (L 0…100, a, b). One label per pixel, row-major.</summary>
    public static int[] BlurredLabKMeans(RgbImage image, Settings settings, CancellationToken cancellationToken = default) =>
        Cluster(CieLabConversion.FromImage(Blur(image)), settings, cancellationToken);

    /// <summary>The image through ImageSharp's Gaussian blur, 9×9, σ = 1.7, on the 8-bit values (as OpenCV on a uint8 image).</summary>
    public static RgbImage Blur(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var sharp = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        sharp.Mutate(ctx => ctx.ApplyProcessor(new GaussianBlurProcessor(BlurSigma, BlurRadius)));
        var blurred = new byte[image.Pixels.Length];
        sharp.CopyPixelDataTo(blurred);
        return new RgbImage(image.Width, image.Height, blurred);
    }

    private static int[] Cluster(float[] features, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var kmeans = new KMeans(settings.Clusters, settings.Restarts, settings.MaxIterations, settings.Tolerance, settings.Seed);
        return kmeans.Fit(features, dims: 3, cancellationToken: cancellationToken).Labels;
    }
}
