using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Engine.Steering;

/// <summary>A segmentation scored against a ground-truth label map of the same image.</summary>
/// <param name="Ari">Adjusted Rand index against the truth.</param>
/// <param name="MatchedMeanIoU">Mean IoU over the truth's segments after Hungarian matching of clusters to segments.</param>
public sealed record TruthScore(double Ari, double MatchedMeanIoU)
{
    public static TruthScore Of(int[] truth, int[] predicted) =>
        new(Agreement.AdjustedRandIndex(truth, predicted), Agreement.MatchedMeanIoU(truth, predicted));

    /// <summary>
    /// Reads a ground-truth label PNG: each distinct pixel value is one segment (a greyscale map's value, or a
    /// colour map's colour). Throws <see cref="ArgumentException"/> with a message for the page when the file is
    /// not an image or its size is not the segmented image's.
    /// </summary>
    public static int[] ReadLabelMap(Stream png, int width, int height)
    {
        using (var image = LabelPng.Load(png, width, height, "The ground truth is", "it must label every pixel of this image."))
        {
            var labels = new int[width * height];
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++) labels[y * width + x] = row[x].R << 16 | row[x].G << 8 | row[x].B;
                }
            });
            return labels;
        }
    }
}

/// <summary>The one reader of label PNGs given for an image (a ground truth, scribbles): readable, and of the image's size.</summary>
internal static class LabelPng
{
    /// <param name="subject">How messages begin, with its verb: "The ground truth is".</param>
    /// <param name="sizeAdvice">What a wrong size's message ends with.</param>
    public static Image<Rgba32> Load(Stream png, int width, int height, string subject, string sizeAdvice)
    {
        ArgumentNullException.ThrowIfNull(png);
        Image<Rgba32> image;
        try { image = Image.Load<Rgba32>(ImageLoader.Configuration, png); } // the bounded pool the app empties
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new ArgumentException($"{subject} not a readable image: {e.Message}");
        }
        if (image.Width == width && image.Height == height) return image;
        image.Dispose();
        throw new ArgumentException($"{subject} {image.Width}×{image.Height} but the image is {width}×{height}; {sizeAdvice}");
    }
}
