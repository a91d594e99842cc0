using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The images drawn once when a run is published: the result in mean colours as a PNG (the page's segmented image,
/// served from the session's cache, and the store's copy) and the history thumbnail. Each is null when drawing failed:
/// the run is published without it. The decoded mean-colour image (3 bytes a pixel, 120 MB at 40 MP) is not kept: the
/// scoring and storing that follow need only the PNGs.
/// </summary>
public sealed record PublishedImages(byte[]? MeanPng, byte[]? ThumbnailPng)
{
    public static PublishedImages Draw(SegmentationResult result, ILogger logger)
    {
        try
        {
            var mean = result.RenderMeanColours();
            return new(ImageLoader.EncodePng(mean), ImageLoader.EncodePng(Thumbnails.Shrink(mean)));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not draw the run's images");
            return new(null, null);
        }
    }
}
