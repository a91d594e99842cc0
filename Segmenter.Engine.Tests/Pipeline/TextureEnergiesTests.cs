using Segmenter.Bench.Scenes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// The texture statistics beside the codes (<see cref="TextureEnergies"/>): the TorchSharp pyramid equals a
/// straightforward per-pixel computation of the same definition, the settings go through the settings table, and
/// natural textures of equal colour statistics separate at their true k (Fixtures/textures, see its PROVENANCE.md).
/// </summary>
public class TextureEnergiesTests(ITestOutputHelper output)
{
    /// <summary>An image with grain at several periods and directions, odd-sized so every level repeats an edge.</summary>
    private static RgbImage Pattern(int w, int h)
    {
        var px = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double v = 128 + 50 * Math.Sin(x * 0.9) + 40 * Math.Cos((x + 2 * y) * 0.21) + 30 * Math.Sin(y * 0.07 + x * 0.05);
                byte g = (byte)Math.Clamp(Math.Round(v), 0, 255);
                int o = 3 * (y * w + x);
                px[o] = g; px[o + 1] = (byte)(255 - g); px[o + 2] = (byte)((x * 7 + y * 3) % 256);
            }
        return new RgbImage(w, h, px);
    }

    [Theory]
    [InlineData(71, 53, 6.0)]
    [InlineData(9, 7, 12.0)]
    public void The_pyramid_equals_a_straightforward_per_pixel_computation(int w, int h, double scale)
    {
        var image = Pattern(w, h);
        var fast = TextureEnergies.Compute(image, scale);
        var reference = Reference(image, scale);
        int count = TextureEnergies.Count;
        var row = new float[count];
        double worst = 0, largest = 0;
        for (int p = 0; p < w * h; p++)
        {
            fast.Read(p, row);
            for (int m = 0; m < count; m++)
            {
                worst = Math.Max(worst, Math.Abs(row[m] - reference[p][m]));
                largest = Math.Max(largest, Math.Abs(reference[p][m]));
            }
        }
        output.WriteLine($"{w}×{h}, σ {scale}: max abs difference {worst:G3} (largest value {largest:G3})");
        Assert.True(largest > 0.1, "the reference's energies are all near zero: the pattern tests nothing");
        Assert.True(worst <= 1e-4 * largest, $"max abs difference {worst:G3} against values up to {largest:G3}");
    }

    [Theory]
    [InlineData(71, 53, 6.0)]
    [InlineData(40, 33, 12.0)]
    [InlineData(300, 200, 8.0)]
    public void The_texturedness_equals_a_straightforward_per_pixel_computation(int w, int h, double scale)
    {
        var image = Pattern(w, h);
        double fast = TextureEnergies.Compute(image, scale).Texturedness, reference = ReferenceTexturedness(image, scale);
        output.WriteLine($"{w}×{h}, σ {scale}: texturedness {fast:F6}, reference {reference:F6}");
        Assert.InRange(reference, 0.05, 0.95); // the pattern has variance both within and between windows
        Assert.True(Math.Abs(fast - reference) <= 1e-4, $"texturedness {fast:F6} against the reference's {reference:F6}");
    }

    /// <summary>
    /// The gate that gives the texture block its weight: shut on every generated scene (flat, noisy, lit, salt-and-pepper
    /// and striped regions, whose variance lies between regions) and on flat blocks of a small image, open on natural
    /// textures of equal colour statistics.
    /// </summary>
    [Fact]
    public void The_texture_gate_is_shut_on_the_generated_scenes_and_open_on_natural_textures()
    {
        foreach (var recipe in SceneGenerator.Standard)
        {
            var scene = recipe.Generate(SceneGenerator.StandardSeed);
            var energies = TextureEnergies.Compute(scene.Image, SegmentationParameters.DefaultTextureScale);
            output.WriteLine($"{scene.Name}: texturedness {energies.Texturedness:F3}, gate {energies.Gate:F3}");
            Assert.Equal(0, energies.Gate);
        }
        // Three flat blocks on an image only a few texture windows wide.
        var blocks = TextureEnergies.Compute(SampleImages.Blocks(60, 40).Image, SegmentationParameters.DefaultTextureScale);
        output.WriteLine($"blocks 60×40: texturedness {blocks.Texturedness:F3}, gate {blocks.Gate:F3}");
        Assert.Equal(0, blocks.Gate);
        var textures = TextureEnergies.Compute(ImageLoader.Load(Path.Combine(TestPaths.RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "textures", "brick_grass.png")),
            SegmentationParameters.DefaultTextureScale);
        output.WriteLine($"brick_grass: texturedness {textures.Texturedness:F3}, gate {textures.Gate:F3}");
        Assert.Equal(1, textures.Gate);
    }

    // ---- the reference: the definition written out pixel by pixel, edges repeated by clamping ----

    /// <summary>
    /// Texturedness written out: the L* plane less its mean, blurred by σ 1 px; on 4×4 cells the windows' (σ = scale)
    /// mean local variance of the blurred plane, over that plus the variance (n − 1) of the plane's window means.
    /// </summary>
    private static double ReferenceTexturedness(RgbImage image, double scale)
    {
        int w = image.Width, h = image.Height, cell = TextureEnergies.Cell, gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell;
        var level = Lightness(image);
        var fine = GaussianBlur(level, 1);
        var squares = new double[h, w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) squares[y, x] = fine[y, x] * fine[y, x];
        double window = Math.Min(scale, Math.Min(w, h) / 16.0) / cell; // the windows span a sixteenth of the shorter side at most
        var means = GaussianBlur(AreaAverage(fine, cell, gw, gh), window);
        var meanSquares = GaussianBlur(AreaAverage(squares, cell, gw, gh), window);
        var coarse = GaussianBlur(AreaAverage(level, cell, gw, gh), window).Cast<double>().ToArray();
        double within = 0;
        for (int y = 0; y < gh; y++) for (int x = 0; x < gw; x++) within += Math.Max(0, meanSquares[y, x] - means[y, x] * means[y, x]);
        within /= gw * gh;
        double coarseMean = coarse.Average(), between = coarse.Sum(v => (v - coarseMean) * (v - coarseMean)) / (coarse.Length - 1);
        return within / (within + between);
    }

    private static double[][] Reference(RgbImage image, double scale)
    {
        int w = image.Width, h = image.Height, cell = TextureEnergies.Cell, gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell;
        var level = Lightness(image);
        var cellsMaps = new List<double[,]>();
        for (int l = 0; l <= TextureEnergies.Scales.Max(s => s.Level); l++)
        {
            if (l > 0) level = Halve(level);
            foreach (var (_, lambda) in TextureEnergies.Scales.Where(s => s.Level == l))
                for (int o = 0; o < TextureEnergies.Orientations; o++)
                {
                    var energy = Energy(level, lambda, Math.PI * o / TextureEnergies.Orientations);
                    var cells = l < 2 ? AreaAverage(energy, cell >> l, gw, gh) : Bilinear(energy, gw, gh);
                    cellsMaps.Add(GaussianBlur(cells, TextureEnergies.SigmaFor(lambda * (1 << l), scale) / cell));
                }
        }
        cellsMaps.AddRange(ReferenceShape(Lightness(image), scale, gw, gh)); // from level 0, not the last level
        var result = new double[w * h][];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double gx = Math.Clamp((x + 0.5) / cell - 0.5, 0, gw - 1), gy = Math.Clamp((y + 0.5) / cell - 0.5, 0, gh - 1);
                int x0 = (int)gx, y0 = (int)gy, x1 = Math.Min(x0 + 1, gw - 1), y1 = Math.Min(y0 + 1, gh - 1);
                double fx = gx - x0, fy = gy - y0;
                result[y * w + x] = cellsMaps.Select(m => (1 - fx) * (1 - fy) * m[y0, x0] + fx * (1 - fy) * m[y0, x1]
                                                          + (1 - fx) * fy * m[y1, x0] + fx * fy * m[y1, x1]).ToArray();
            }
        return result;
    }

    /// <summary>The image's L* plane less its mean.</summary>
    private static double[,] Lightness(RgbImage image)
    {
        int w = image.Width, h = image.Height;
        var level = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = 3 * (y * w + x);
                level[y, x] = CieLabConversion.FromRgb(image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2]).L;
            }
        double mean = level.Cast<double>().Average();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) level[y, x] -= mean;
        return level;
    }

    /// <summary>
    /// The lightness distribution's shape written out: each bin's triangular share (centres −2 … 2 image spreads, falling
    /// to 0 at the next centre), and the window's spread, skewness and kurtosis from its raw moments, skewness and
    /// kurtosis divided by at least the flat variance; every map on the cells, averaged by the window (σ = scale).
    /// </summary>
    private static IEnumerable<double[,]> ReferenceShape(double[,] level, double scale, int gw, int gh)
    {
        int h = level.GetLength(0), w = level.GetLength(1), cell = TextureEnergies.Cell;
        double spread = Math.Sqrt(level.Cast<double>().Average(v => v * v)), step = 4.0 / (TextureEnergies.Bins - 1);
        double[,] Map(Func<double, double> f)
        {
            var m = new double[h, w];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) m[y, x] = f(level[y, x]);
            return GaussianBlur(AreaAverage(m, cell, gw, gh), scale / cell);
        }
        for (int b = 0; b < TextureEnergies.Bins; b++)
        {
            double centre = -2 + b * step;
            yield return Map(v => Math.Max(0, 1 - Math.Abs(v / spread - centre) / step));
        }
        var raw = Enumerable.Range(1, 4).Select(k => Map(v => Math.Pow(v, k))).ToArray();
        var spreadMap = new double[gh, gw];
        var skewness = new double[gh, gw];
        var kurtosis = new double[gh, gw];
        for (int y = 0; y < gh; y++)
            for (int x = 0; x < gw; x++)
            {
                double m1 = raw[0][y, x], m2 = raw[1][y, x], m3 = raw[2][y, x], m4 = raw[3][y, x];
                double variance = Math.Max(0, m2 - m1 * m1), floor = Math.Max(variance, TextureEnergies.FlatVariance);
                spreadMap[y, x] = Math.Sqrt(variance);
                skewness[y, x] = (m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1) / Math.Pow(floor, 1.5);
                kurtosis[y, x] = (m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1) / (floor * floor);
            }
        yield return spreadMap;
        yield return skewness;
        yield return kurtosis;
    }

    private static double At(double[,] m, int y, int x) => m[Math.Clamp(y, 0, m.GetLength(0) - 1), Math.Clamp(x, 0, m.GetLength(1) - 1)];

    private static double[,] Halve(double[,] m)
    {
        int h = (m.GetLength(0) + 1) / 2, w = (m.GetLength(1) + 1) / 2;
        var r = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                r[y, x] = (At(m, 2 * y, 2 * x) + At(m, 2 * y, 2 * x + 1) + At(m, 2 * y + 1, 2 * x) + At(m, 2 * y + 1, 2 * x + 1)) / 4;
        return r;
    }

    /// <summary>The quadrature pair's magnitude: even kernel with its mean removed, both scaled to unit L1 norm.</summary>
    private static double[,] Energy(double[,] m, double lambda, double theta)
    {
        double sigma = 0.56 * lambda;
        int radius = (int)Math.Ceiling(3 * sigma), size = 2 * radius + 1;
        var even = new double[size, size];
        var odd = new double[size, size];
        for (int y = -radius; y <= radius; y++)
            for (int x = -radius; x <= radius; x++)
            {
                double u = x * Math.Cos(theta) + y * Math.Sin(theta), v = -x * Math.Sin(theta) + y * Math.Cos(theta);
                double g = Math.Exp(-(u * u + v * v) / (2 * sigma * sigma));
                even[y + radius, x + radius] = g * Math.Cos(2 * Math.PI * u / lambda);
                odd[y + radius, x + radius] = g * Math.Sin(2 * Math.PI * u / lambda);
            }
        double evenMean = even.Cast<double>().Average();
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) even[y, x] -= evenMean;
        double evenNorm = even.Cast<double>().Sum(Math.Abs), oddNorm = odd.Cast<double>().Sum(Math.Abs);
        int h = m.GetLength(0), w = m.GetLength(1);
        var r = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double e = 0, o = 0;
                for (int dy = -radius; dy <= radius; dy++)
                    for (int dx = -radius; dx <= radius; dx++)
                    {
                        double v = At(m, y + dy, x + dx);
                        e += v * even[dy + radius, dx + radius] / evenNorm;
                        o += v * odd[dy + radius, dx + radius] / oddNorm;
                    }
                r[y, x] = Math.Sqrt(e * e + o * o);
            }
        return r;
    }

    private static double[,] AreaAverage(double[,] m, int factor, int gw, int gh)
    {
        var r = new double[gh, gw];
        for (int y = 0; y < gh; y++)
            for (int x = 0; x < gw; x++)
            {
                double s = 0;
                for (int dy = 0; dy < factor; dy++) for (int dx = 0; dx < factor; dx++) s += At(m, y * factor + dy, x * factor + dx);
                r[y, x] = s / (factor * factor);
            }
        return r;
    }

    /// <summary>Bilinear resampling between pixel centres (source position (i + ½)·in/out − ½, clamped at 0).</summary>
    private static double[,] Bilinear(double[,] m, int gw, int gh)
    {
        int h = m.GetLength(0), w = m.GetLength(1);
        var r = new double[gh, gw];
        for (int y = 0; y < gh; y++)
            for (int x = 0; x < gw; x++)
            {
                double sy = Math.Max((y + 0.5) * h / gh - 0.5, 0), sx = Math.Max((x + 0.5) * w / gw - 0.5, 0);
                int y0 = Math.Min((int)sy, h - 1), x0 = Math.Min((int)sx, w - 1);
                double fy = sy - y0, fx = sx - x0;
                r[y, x] = (1 - fy) * ((1 - fx) * At(m, y0, x0) + fx * At(m, y0, x0 + 1)) + fy * ((1 - fx) * At(m, y0 + 1, x0) + fx * At(m, y0 + 1, x0 + 1));
            }
        return r;
    }

    private static double[,] GaussianBlur(double[,] m, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = k.Sum();
        int h = m.GetLength(0), w = m.GetLength(1);
        var across = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int d = -radius; d <= radius; d++) across[y, x] += k[d + radius] / sum * At(m, y, x + d);
        var r = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int d = -radius; d <= radius; d++) r[y, x] += k[d + radius] / sum * At(across, y + d, x);
        return r;
    }

    // ---- settings ----

    [Theory]
    [InlineData("textureWeight", -1.0, "The texture weight must be from 0 (no texture statistics) to 8; got -1.")]
    [InlineData("textureWeight", 8.5, "The texture weight must be from 0 (no texture statistics) to 8; got 8.5.")]
    [InlineData("textureScale", 3, "The texture scale must be a σ of 4 to 32 whole pixels; got 3.")]
    [InlineData("textureScale", 33, "The texture scale must be a σ of 4 to 32 whole pixels; got 33.")]
    public void A_texture_setting_out_of_range_gets_its_message(string name, object value, string message)
    {
        var field = SettingFields.Find(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in the settings table");
        Assert.Equal(message, field.Problem(value));
        var p = field.With(SegmentationParameters.ForPreset(Preset.Fast), value);
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => p.Validate(100)).Message);
    }

    [Theory]
    [InlineData("textureWeight", "--texture-weight", 0.0, 8.0, "3.5", 3.5)]
    [InlineData("textureScale", "--texture-scale", 4, 32, "5", 5)]
    public void A_texture_setting_is_in_the_settings_table_with_its_range(string name, string option, object min, object max, string text, object value)
    {
        var field = SettingFields.Find(name)!;
        Assert.Equal(option, field.Option);
        Assert.Null(field.Problem(min));
        Assert.Null(field.Problem(max));
        Assert.NotNull(field.Problem(min is int m ? (object)(m - 1) : -0.5));
        Assert.Equal(value, field.Get(field.With(new SegmentationParameters(), field.ReadText(text))));
        Assert.Equal(0.0, SegmentationParameters.ForPreset(Preset.Original).TextureWeight);
        Assert.Equal(SegmentationParameters.TextureWeightForTextures, SegmentationParameters.ForPreset(Preset.Fast).TextureWeight);
    }

    // ---- natural textures ----

    /// <summary>
    /// Photographed brick and grass, each region normalised to the same mean and spread (Fixtures/textures): at k = 2
    /// the Fast preset (its texture statistics gated open on this image) separates them, where its codes and colours
    /// alone (texture weight 0) do not.
    /// </summary>
    [Fact]
    public void Natural_textures_of_equal_colour_statistics_separate_at_their_true_k_by_default()
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "textures");
        var image = ImageLoader.Load(Path.Combine(dir, "brick_grass.png"));
        var truthImage = ImageLoader.Load(Path.Combine(dir, "brick_grass.gt.png"));
        var truth = Enumerable.Range(0, (int)truthImage.PixelCount).Select(i => (int)truthImage.Pixels[3 * i]).ToArray();
        double Ari(SegmentationParameters p)
        {
            var result = SegmentationPipeline.Run(image, p);
            using var model = result.Model;
            return Agreement.AdjustedRandIndex(truth, Array.ConvertAll(result.Labels, l => (int)l));
        }
        var fast = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 2 };
        double byDefault = Ari(fast), without = Ari(fast with { TextureWeight = 0 });
        output.WriteLine($"brick_grass k=2: default (texture weight {fast.TextureWeight}) ARI {byDefault:F3}, texture weight 0 ARI {without:F3}");
        Assert.True(byDefault >= 0.75, $"by default ARI {byDefault:F3} < 0.75");
        Assert.True(without < 0.3, $"without texture statistics ARI {without:F3}: the fixture does not need them");
    }
}
