using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Hand strokes over an image: a brush label per pixel, row-major, 0 = not stroked, 1…<see cref="MaxBrushes"/> = brush.
/// Pixels stroked with one brush must end in one segment; pixels of different brushes in different segments.
/// </summary>
public sealed class Scribbles
{
    /// <summary>Brushes a user may paint with; one source for the engine, the API and the page.</summary>
    public const int MaxBrushes = 16;

    public Scribbles(int width, int height, byte[] brushOfPixel)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"Scribbles need a positive size; got {width}×{height}.");
        if (brushOfPixel.Length != (long)width * height)
            throw new ArgumentException($"The scribbles hold {brushOfPixel.Length} pixels, not the {width}×{height} = {(long)width * height} of the image.");
        for (int i = 0; i < brushOfPixel.Length; i++)
            if (brushOfPixel[i] > MaxBrushes)
                throw new ArgumentException($"Scribble value {brushOfPixel[i]} at pixel ({i % width}, {i / width}) is not a brush: use 0 for none or 1…{MaxBrushes}.");
        Width = width; Height = height; BrushOfPixel = brushOfPixel;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] BrushOfPixel { get; }

    /// <summary>The brushes that were used, ascending.</summary>
    public int[] Brushes() => BrushOfPixel.Where(b => b != 0).Distinct().Select(b => (int)b).Order().ToArray();

    public long StrokedPixels => BrushOfPixel.LongCount(b => b != 0);

    /// <summary>
    /// Each pixel's brush as its place among <see cref="Brushes"/> (the used brushes ascending, so brush b becomes
    /// segment or class b), −1 where nothing was stroked.
    /// </summary>
    public int[] BrushIndexOfPixel()
    {
        var indexOfBrush = new int[MaxBrushes + 1];
        Array.Fill(indexOfBrush, -1);
        var brushes = Brushes();
        for (int b = 0; b < brushes.Length; b++) indexOfBrush[brushes[b]] = b;
        return Array.ConvertAll(BrushOfPixel, brush => indexOfBrush[brush]);
    }

    /// <summary>
    /// Reads strokes from a greyscale label PNG of the image's size (value 0 = none, 1…<see cref="MaxBrushes"/> = brush).
    /// Throws <see cref="ArgumentException"/> with a message for the caller when it is not an image, has another
    /// size, is not grey, or holds a value that is not a brush.
    /// </summary>
    public static Scribbles ReadLabelPng(Stream png, int width, int height)
    {
        using (var image = LabelPng.Load(png, width, height, "The scribbles are", "paint them on a label PNG of the image's size."))
        {
            var brushes = new byte[width * height];
            string? problem = null;
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height && problem is null; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        var p = row[x];
                        if (p.R != p.G || p.G != p.B)
                        {
                            problem = $"The scribbles must be a greyscale label PNG; pixel ({x}, {y}) is coloured.";
                            break;
                        }
                        brushes[y * width + x] = p.R;
                    }
                }
            });
            if (problem is not null) throw new ArgumentException(problem);
            return new Scribbles(width, height, brushes);
        }
    }
}
