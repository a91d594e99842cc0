using System.Globalization;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The model's shape and k-means' settings in one short cell each, for the history table and the compare view
/// (the CSV keeps every setting in its own column).
/// </summary>
public static class SettingsSummary
{
    /// <summary>"code 16 · h64 · 1+1 · gelu": code size, hidden width, encoder+decoder depth, activation.</summary>
    public static string Model(SegmentationParameters p)
        => $"code {p.CodeSize} · h{p.HiddenWidth} · {p.EncoderDepth}+{p.DecoderDepth} · {p.Activation.ToString().ToLowerInvariant()}";

    /// <summary>"k-means++ ×4 · 300 it · tol 0.0001": seeding, restarts, iteration cap, tolerance.</summary>
    public static string KMeans(SegmentationParameters p)
        => $"{InitName(p.KMeansInit)} ×{p.KMeansRestarts} · {p.KMeansMaxIterations} it · tol {p.KMeansTolerance.ToString("G3", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// "worked on a 3000 × 2000 copy (the 6,000,000-pixel limit); labels brought back to all 6000 × 4000 pixels by colour",
    /// or null when the run worked on the image itself: a user who uploads a big photo sees that the model never saw
    /// it at full size (the limit is the MaxPixels setting).
    /// </summary>
    public static string? WorkingResolution(SegmentationResult r)
    {
        var (w, h) = r.WorkingSize;
        return (w, h) == (r.Width, r.Height) ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"worked on a {w} × {h} copy (the {r.Parameters.WorkingPixelLimit:N0}-pixel limit); labels brought back to all {r.Width} × {r.Height} pixels by colour");
    }

    /// <summary>The seeding's name as the page's selector shows it and the CSV writes it.</summary>
    public static string InitName(KMeansInit init) => init == KMeansInit.KMeansPlusPlus ? "k-means++" : "random";
}
