using Segmenter.Engine.Imaging;

namespace Segmenter.Bench.Scenes;

/// <summary>
/// An image being painted, in unclamped doubles (0–255 scale) so that lighting, textures and noise compose before
/// the one final rounding and clamping to bytes. Every random draw comes from the caller's <see cref="Random"/>.
/// </summary>
internal sealed class SceneCanvas
{
    private readonly double[] _rgb;

    public SceneCanvas(int width, int height)
    {
        Width = width;
        Height = height;
        _rgb = new double[width * height * 3];
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Each pixel the colour of its segment.</summary>
    public SceneCanvas Fill(int[] truth, Rgb[] colours)
    {
        for (int i = 0; i < truth.Length; i++) Set(i, colours[truth[i]]);
        return this;
    }

    /// <summary>Each pixel <paramref name="colour"/>(x, y, segment).</summary>
    public SceneCanvas Paint(int[] truth, Func<int, int, int, Rgb> colour)
    {
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            int i = y * Width + x;
            Set(i, colour(x, y, truth[i]));
        }
        return this;
    }

    /// <summary>Multiplies every pixel by a light level that rises linearly across the image along a random direction.</summary>
    public SceneCanvas LightingGradient(Random rng, double darkest, double brightest)
    {
        double angle = rng.NextDouble() * 2 * Math.PI, cos = Math.Cos(angle), sin = Math.Sin(angle);
        // Project the corners to find the extent of x·cos + y·sin, so the light spans darkest…brightest exactly.
        double[] corners = [0, (Width - 1) * cos, (Height - 1) * sin, (Width - 1) * cos + (Height - 1) * sin];
        double lo = corners.Min(), span = corners.Max() - lo;
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            double light = darkest + (brightest - darkest) * ((x * cos + y * sin - lo) / span);
            int o = 3 * (y * Width + x);
            for (int c = 0; c < 3; c++) _rgb[o + c] *= light;
        }
        return this;
    }

    /// <summary>Independent Gaussian noise of standard deviation <paramref name="sigma"/> on every channel.</summary>
    public SceneCanvas GaussianNoise(Random rng, double sigma)
    {
        for (int i = 0; i < _rgb.Length; i++) _rgb[i] += sigma * StandardNormal(rng);
        return this;
    }

    /// <summary>Replaces a <paramref name="share"/> of the pixels by pure black or pure white (half each).</summary>
    public SceneCanvas SaltAndPepper(Random rng, double share)
    {
        for (int i = 0; i < Width * Height; i++)
            if (rng.NextDouble() < share) Set(i, rng.NextDouble() < 0.5 ? new Rgb(0, 0, 0) : new Rgb(255, 255, 255));
        return this;
    }

    public RgbImage ToImage()
    {
        var bytes = new byte[_rgb.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(Math.Round(_rgb[i]), 0, 255);
        return new RgbImage(Width, Height, bytes);
    }

    private void Set(int pixel, Rgb colour)
    {
        _rgb[3 * pixel] = colour.R;
        _rgb[3 * pixel + 1] = colour.G;
        _rgb[3 * pixel + 2] = colour.B;
    }

    /// <summary>Box–Muller: one standard normal draw from two uniform ones.</summary>
    private static double StandardNormal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1], so the logarithm is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

/// <summary>A colour on the 0–255 scale (doubles, so averages and offsets stay exact until the final rounding).</summary>
public readonly record struct Rgb(double R, double G, double B)
{
    public double DistanceTo(Rgb o) => Math.Sqrt((R - o.R) * (R - o.R) + (G - o.G) * (G - o.G) + (B - o.B) * (B - o.B));
    public static Rgb operator +(Rgb a, Rgb b) => new(a.R + b.R, a.G + b.G, a.B + b.B);
    public static Rgb operator -(Rgb a, Rgb b) => new(a.R - b.R, a.G - b.G, a.B - b.B);
}
