namespace Segmenter.Engine.Imaging;

/// <summary>A decoded image: 8-bit RGB, row-major, interleaved (R,G,B,R,G,B…), alpha already flattened.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"An image needs at least 1×1 pixels; got {width}×{height}.");
        if (pixels.Length != (long)width * height * 3)
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for {width}×{height} RGB, got {pixels.Length}.");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public long PixelCount => (long)Width * Height;

    /// <summary>RGB bytes, 3 per pixel.</summary>
    public byte[] Pixels { get; }
}
