using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Engine.Imaging;

/// <summary>Encoding: the image and the label map as PNG, in a fixed colour type and depth.</summary>
public static partial class ImageLoader
{
    public static void SavePng(RgbImage image, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        using var img = Image.LoadPixelData<Rgb24>(Config, image.Pixels, image.Width, image.Height);
        // Explicit colour type and depth: left alone, the encoder may pick a palette or 16-bit form from metadata.
        img.Save(destination, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
    }

    /// <summary>8-bit grayscale PNG, value = cluster index.</summary>
    public static void SaveLabelPng(byte[] labels, int width, int height, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(destination);
        if (width < 1 || height < 1) throw new ArgumentException($"A label map needs at least 1×1 pixels; got {width}×{height}.");
        if (labels.LongLength != (long)width * height)
            throw new ArgumentException($"Expected {(long)width * height} labels for {width}×{height}, got {labels.Length}.");
        using var img = Image.LoadPixelData<L8>(Config, labels, width, height);
        img.Save(destination, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
    }

    /// <summary>The image as PNG bytes.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        using var ms = new MemoryStream();
        SavePng(image, ms);
        return ms.ToArray();
    }

    /// <summary>The label map as 8-bit grayscale PNG bytes (value = cluster index).</summary>
    public static byte[] EncodeLabelPng(byte[] labels, int width, int height)
    {
        using var ms = new MemoryStream();
        SaveLabelPng(labels, width, height, ms);
        return ms.ToArray();
    }
}
