using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Tests.Support;

public static class SampleImages
{
    public static RgbImage Load(string path) => ImageLoader.Load(path);

    public static RgbImage Astronaut() => Load(Path.Combine(TestPaths.Assets, "astronaut.png"));

    /// <summary>A w×h image of a few flat colour blocks with a little seeded noise, and its true labels.</summary>
    public static (RgbImage Image, int[] Truth) Blocks(int w, int h, int seed = 1)
    {
        (byte, byte, byte)[] colours = [(220, 40, 40), (40, 200, 60), (30, 60, 220)];
        var rng = new Random(seed);
        var px = new byte[w * h * 3];
        var truth = new int[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x, c = x < w / 3 ? 0 : y < h / 2 ? 1 : 2;
            truth[i] = c;
            var (r, g, b) = colours[c];
            px[3 * i] = Jitter(r); px[3 * i + 1] = Jitter(g); px[3 * i + 2] = Jitter(b);
        }
        return (new RgbImage(w, h, px), truth);

        byte Jitter(byte v) => (byte)Math.Clamp(v + rng.Next(-12, 13), 0, 255);
    }
}
