using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Rectangles of an image as the fast encoder's input: the interior pixels plus <see cref="Halo"/> pixels of
/// context on every side, as input colours, row by row, edges reflected exactly as <see cref="PixelWindows"/> reflects them,
/// so a region's interior codes equal the per-window codes of the same pixels.
/// </summary>
internal sealed class ImageRegions(RgbImage image, int halo, InputColours colours = InputColours.Rgb)
{
    public int Halo { get; } = halo;
    public RgbImage Image { get; } = image;

    /// <summary>Floats a region with the given interior takes: (height + 2·halo) × (width + 2·halo) × channels.</summary>
    public int Channels { get; } = ColourFeatures.Channels(colours);
    private readonly StandardScale? scale = ColourFeatures.ScaleFor(image, colours);

    public int FloatsFor(int width, int height) => (width + 2 * Halo) * (height + 2 * Halo) * Channels;

    /// <summary>Writes the region whose interior is width × height pixels from (x0, y0) into <paramref name="destination"/>.</summary>
    public void Fill(int x0, int y0, int width, int height, Span<float> destination)
    {
        int w = Image.Width, h = Image.Height, r = Halo;
        var px = Image.Pixels;
        int o = 0;
        for (int y = y0 - r; y < y0 + height + r; y++)
        {
            long row = (long)PixelWindows.Reflect(y, h) * w;
            for (int x = x0 - r; x < x0 + width + r; x++)
            {
                long s = 3 * (row + PixelWindows.Reflect(x, w));
                ColourFeatures.Write(px[s], px[s + 1], px[s + 2], colours, scale, destination.Slice(o, Channels));
                o += Channels;
            }
        }
    }
}

/// <summary>
/// Seeded random training crops: square interiors of up to <see cref="Side"/> pixels lying inside the image, with a
/// halo of context around them (reflected at the image's edges). Only interior pixels are trained on; neighbouring
/// interior pixels share their key and value projections, which is what makes a windowed step cheap.
/// </summary>
internal sealed class TrainingCrops(ImageRegions regions, int side, int seed)
{
    private readonly Random rng = new(seed);

    public int Width { get; } = Math.Min(side, regions.Image.Width);
    public int Height { get; } = Math.Min(side, regions.Image.Height);
    public int PixelsPerCrop => Width * Height;
    public int FloatsPerCrop => regions.FloatsFor(Width, Height);
    public int PaddedWidth => Width + 2 * regions.Halo;
    public int PaddedHeight => Height + 2 * regions.Halo;
    public int Channels => regions.Channels;

    /// <summary>Draws the next crop's interior corner (seeded) and writes the crop; returns the corner.</summary>
    public (int X, int Y) Next(Span<float> destination)
    {
        int x0 = rng.Next(regions.Image.Width - Width + 1), y0 = rng.Next(regions.Image.Height - Height + 1);
        regions.Fill(x0, y0, Width, Height, destination);
        return (x0, y0);
    }
}
