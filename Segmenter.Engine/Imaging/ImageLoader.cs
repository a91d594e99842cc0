namespace Segmenter.Engine.Imaging;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and WebP with ImageSharp. The format is recognised by its magic
/// bytes and the header identified before any pixel is decoded, so the pixel and byte budgets are enforced first.
/// Every refusal or failure is an <see cref="ImageRejectedException"/>.
/// </summary>
public static class ImageLoader
{
    public static RgbImage Load(Stream stream, ImageLimits? limits = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract: Imaging helper implements this");

    public static RgbImage Load(string path, ImageLimits? limits = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract: Imaging helper implements this");

    /// <summary>Reads at most <paramref name="maxBytes"/> from a stream (e.g. an upload), refusing as soon as it is exceeded.</summary>
    public static Task<MemoryStream> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract: Imaging helper implements this");

    public static void SavePng(RgbImage image, Stream destination)
        => throw new NotImplementedException("contract: Imaging helper implements this");

    /// <summary>8-bit grayscale PNG, value = cluster index.</summary>
    public static void SaveLabelPng(byte[] labels, int width, int height, Stream destination)
        => throw new NotImplementedException("contract: Imaging helper implements this");
}
