using Segmenter.Bench.Scenes;
using Segmenter.Engine.Imaging;

namespace Segmenter.Bench;

/// <summary>Generated test images: a few smooth-shaded Voronoi regions with seeded noise.</summary>
internal static class SyntheticImages
{
    public static RgbImage Regions(int width, int height, int regions, int noise, int seed)
    {
        var rng = new Random(seed);
        var centres = Enumerable.Range(0, regions).Select(_ => (X: rng.NextDouble() * width, Y: rng.NextDouble() * height)).ToArray();
        var colours = Enumerable.Range(0, regions).Select(_ => (R: rng.Next(30, 226), G: rng.Next(30, 226), B: rng.Next(30, 226))).ToArray();
        var pixels = new byte[(long)width * height * 3];
        Parallel.For(0, height, y =>
        {
            // A cheap per-row generator (xorshift) keeps the 24-megapixel case fast and independent of thread timing.
            uint state = (uint)(seed * 7919 + y * 104_729) | 1u;
            double shade = 20.0 * y / height - 10;
            long o = (long)y * width * 3;
            for (int x = 0; x < width; x++)
            {
                var (cr, cg, cb) = colours[SceneLayouts.NearestCentre(centres, x, y)];
                pixels[o++] = Channel(cr);
                pixels[o++] = Channel(cg);
                pixels[o++] = Channel(cb);
            }

            byte Channel(int c)
            {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                int n = noise == 0 ? 0 : (int)(state % (uint)(2 * noise + 1)) - noise;
                return (byte)Math.Clamp((int)(c + shade) + n, 0, 255);
            }
        });
        return new RgbImage(width, height, pixels);
    }
}
