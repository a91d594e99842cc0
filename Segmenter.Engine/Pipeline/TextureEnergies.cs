using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The texture block of what k-means clusters (<see cref="ClusterFeatures"/>): the local energies of a bank of Gabor
/// filters at four orientations and several wavelengths, averaged over a neighbourhood at the texture's scale.
/// Two textures normalised to the same mean colour and spread have the same colour statistics at any one pixel; they
/// differ in how much of their lightness varies at which period and along which direction (bricks' mortar lines,
/// grass blades' direction, the size of gravel stones), which a pixel's 3×3 window cannot see and which only an
/// average over several periods measures.
/// <para>
/// The bank runs on a pyramid of area-averaged copies of the CIE L* plane (each level half the previous one's size):
/// one quadrature pair of Gabor kernels of wavelength 4 level pixels (one octave of bandwidth, σ = 0.56 λ) per
/// orientation, applied to every level, is a bank of wavelengths 4, 8, 16, 32 and 64 px of the image at a fixed cost
/// per level; a 2-px pair on the full image adds the finest grain (<see cref="Scales"/>). A filter's energy (the pair's magnitude) is brought to cells of
/// <see cref="Cell"/>×<see cref="Cell"/> pixels (area-averaged from a finer level, interpolated from a coarser one),
/// averaged by a Gaussian of σ = max(<see cref="SegmentationParameters.TextureScale"/>, <see cref="SmoothingPerWavelength"/> × λ)
/// (Jain &amp; Farrokhnia's local-energy window: several periods of the filter). Each pixel reads its cell's numbers by
/// bilinear interpolation between cell centres. TorchSharp does the pyramid, the filtering and the Gaussians; the
/// per-pixel read-back is a loop (<see cref="Read"/>).
/// </para>
/// <para>
/// Beside the energies, the shape of the lightness distribution within a window of σ = the texture scale: a local
/// histogram (<see cref="Bins"/> triangular bins of L* in units of the image's spread, each bin's share averaged by the
/// window) and the window's spread, skewness and kurtosis (<see cref="Moments"/>). Gravel is bright stones with dark
/// gaps, grass thin bright blades on a mid-grey tangle: equal in mean and spread, and with filter energies that
/// overlap where the photograph's scale drifts, their windows' lightness is skewed and peaked differently.
/// </para>
/// </summary>
internal sealed class TextureEnergies
{
    /// <summary>Orientations of the bank, evenly spread over half a turn.</summary>
    public const int Orientations = 4;

    /// <summary>
    /// The bank's scales: the pyramid level a pair of kernels runs on and their wavelength in that level's pixels
    /// (wavelength 2, 4, 8, 16, 32 and 64 px of the image). Level 0 has a 2-px pair too: the finest grain (gravel's
    /// edges, grass blades) lies there.
    /// </summary>
    public static readonly (int Level, double Wavelength)[] Scales = [(0, 2), (0, 4), (1, 4), (2, 4), (3, 4), (4, 4)];

    private static int Levels => Scales.Max(s => s.Level) + 1;

    /// <summary>The local-energy window's σ per wavelength.</summary>
    public const double SmoothingPerWavelength = 1.5;

    /// <summary>Bins of the local lightness histogram, their centres evenly from −2 to 2 image spreads of L*.</summary>
    public const int Bins = 8;

    /// <summary>The window moments: spread, skewness and kurtosis of L*.</summary>
    public const int Moments = 3;

    /// <summary>
    /// Variance (L*²) below which a window's lightness counts as flat: its skewness and kurtosis are divided by at least
    /// this much, so the shape of pixel noise on a flat area does not stand out as a texture.
    /// </summary>
    public const double FlatVariance = 4;

    /// <summary>Numbers per pixel in the texture block: the energies, then the histogram's bins, then the moments.</summary>
    public static int Count => Orientations * Scales.Length + Bins + Moments;

    /// <summary>Side of the area-averaged cells the maps are kept at.</summary>
    public const int Cell = 4;

    /// <summary>The Gaussian's σ (pixels) for the energies of wavelength λ at the given texture scale.</summary>
    public static double SigmaFor(double wavelength, double textureScale) => Math.Max(textureScale, SmoothingPerWavelength * wavelength);

    private readonly float[] maps; // [map][gy][gx]
    private readonly int width, height, gw, gh;

    private TextureEnergies(float[] maps, int width, int height, int gw, int gh, double texturedness)
    {
        this.maps = maps; this.width = width; this.height = height; this.gw = gw; this.gh = gh;
        Texturedness = texturedness;
    }

    /// <summary>
    /// How much of the image's lightness variance is texture: the mean local variance within windows of σ =
    /// <see cref="GateWindow"/> (of the plane after a σ 1 px blur, so pixel noise hardly counts) over that plus the variance of the
    /// window means. Regions of flat colour, noisy or lit, keep their variance between windows (a few tenths at
    /// most: only the windows across a border see any inside); a mosaic of textures with equal colour statistics has
    /// nearly all of it within them (above 0.9); photos lie between.
    /// </summary>
    public double Texturedness { get; }

    /// <summary>Texturedness below which the texture block gets no weight, and above which all of it (<see cref="Gate"/>).</summary>
    public const double UntexturedBelow = 0.45, TexturedAbove = 0.85;

    /// <summary>
    /// The share of the texture weight this image's texture block gets: 0 up to <see cref="UntexturedBelow"/>, rising
    /// linearly to 1 at <see cref="TexturedAbove"/>. On regions of flat colour the energies' spread is noise and the
    /// borders themselves, and standardised it would split them; where the image is texture, it is what tells regions apart.
    /// </summary>
    public double Gate => Math.Clamp((Texturedness - UntexturedBelow) / (TexturedAbove - UntexturedBelow), 0, 1);

    /// <summary>The texture maps of <paramref name="image"/> at texture scale σ (pixels).</summary>
    public static TextureEnergies Compute(RgbImage image, double textureScale)
    {
        int w = image.Width, h = image.Height, gw = (w + Cell - 1) / Cell, gh = (h + Cell - 1) / Cell;
        var lightness = Lightness(image);
        var energies = new List<float[]>();
        double texturedness;
        using (var scope = NewDisposeScope())
        {
            var level = tensor(lightness, [1, 1, h, w]);
            level = level - level.mean();
            texturedness = TexturednessOf(level, GateWindow(w, h, textureScale), gw, gh);
            var window = GaussianKernel(textureScale / Cell);
            var shape = new[] { Histogram(level, window, gw, gh), WindowMoments(level, window, gw, gh) };
            for (int l = 0; l < Levels; l++)
            {
                if (l > 0) level = Halved(level);
                foreach (var (_, lambda) in Scales.Where(s => s.Level == l))
                {
                    using var inner = NewDisposeScope();
                    var bank = GaborBank(lambda);
                    int r = (int)(bank.shape[3] / 2);
                    var responses = nn.functional.conv2d(nn.functional.pad(level, [r, r, r, r], PaddingModes.Replicate), bank);
                    // Even and odd responses interleaved per orientation: the pair's magnitude is the energy.
                    var pairs = responses.view(1, Orientations, 2, responses.shape[2], responses.shape[3]);
                    var energy = ToCells(pairs.square().sum(2).sqrt(), l, gw, gh);
                    var kernel = GaussianKernel(SigmaFor(lambda * (1 << l), textureScale) / Cell);
                    energies.Add(Blur(energy, kernel).contiguous().data<float>().ToArray());
                }
            }
            energies.AddRange(shape.Select(maps => maps.contiguous().data<float>().ToArray()));
        }
        var result = new float[Count * gw * gh];
        for (int e = 0, at = 0; e < energies.Count; at += energies[e].Length, e++) // each holds one or more planes
            energies[e].CopyTo(result, at);
        return new TextureEnergies(result, w, h, gw, gh, texturedness);
    }

    /// <summary>
    /// σ (pixels) of the windows <see cref="Texturedness"/> is measured in: the texture scale, but at most a sixteenth of
    /// the image's shorter side, so the image spans many windows (on a small image a window of the texture scale holds
    /// whole regions, and their differences would count as texture).
    /// </summary>
    public static double GateWindow(int width, int height, double textureScale) => Math.Min(textureScale, Math.Min(width, height) / 16.0);

    /// <summary><see cref="Texturedness"/> of a [1, 1, H, W] plane, its windows' moments taken on the cells.</summary>
    private static double TexturednessOf(Tensor plane, double window, int gw, int gh)
    {
        using var scope = NewDisposeScope();
        var fine = Blur(plane, GaussianKernel(1));
        var kernel = GaussianKernel(window / Cell);
        var mean = Blur(ToCells(fine, 0, gw, gh), kernel);
        var within = (Blur(ToCells(fine.square(), 0, gw, gh), kernel) - mean.square()).clamp_min(0).mean().item<float>();
        var between = Blur(ToCells(plane, 0, gw, gh), kernel).var().item<float>();
        return within + between > 0 ? within / (within + between) : 0;
    }

    /// <summary>
    /// The local histogram of a [1, 1, H, W] plane (its mean 0) on the cells, [1, <see cref="Bins"/>, gh, gw]: each pixel's
    /// share in every bin (1 at the bin's centre, falling linearly to 0 at its neighbours'), averaged by the window.
    /// </summary>
    private static Tensor Histogram(Tensor plane, Tensor window, int gw, int gh)
    {
        var spread = plane.square().mean().sqrt().clamp_min(1e-6);
        double step = 4.0 / (Bins - 1);
        var bins = new Tensor[Bins];
        for (int b = 0; b < Bins; b++)
        {
            using var inner = NewDisposeScope(); // one full-size plane at a time: at 6 MP the eight together are 200 MB
            var share = (1 - ((plane / spread) - (-2 + b * step)).abs() / step).clamp_min(0);
            bins[b] = Blur(ToCells(share, 0, gw, gh), window).MoveToOuterDisposeScope();
        }
        return cat(bins, 1);
    }

    /// <summary>
    /// The spread, skewness and kurtosis of a [1, 1, H, W] plane within the window around each cell, [1, 3, gh, gw]: the
    /// window's raw moments of the plane (its mean 0, so they stay small against float precision), central ones from
    /// them in double precision.
    /// </summary>
    private static Tensor WindowMoments(Tensor plane, Tensor window, int gw, int gh)
    {
        var raw = new Tensor[4];
        for (int k = 1; k <= 4; k++)
        {
            using var inner = NewDisposeScope();
            raw[k - 1] = Blur(ToCells(plane.pow(k), 0, gw, gh).to_type(ScalarType.Float64), window.to_type(ScalarType.Float64)).MoveToOuterDisposeScope();
        }
        var (m1, m2, m3, m4) = (raw[0], raw[1], raw[2], raw[3]);
        var variance = (m2 - m1.square()).clamp_min(0);
        var third = m3 - 3 * m1 * m2 + 2 * m1.pow(3);
        var fourth = m4 - 4 * m1 * m3 + 6 * m1.square() * m2 - 3 * m1.pow(4);
        var floor = variance.clamp_min(FlatVariance);
        return cat([variance.sqrt(), third / floor.pow(1.5), fourth / floor.square()], 1).to_type(ScalarType.Float32);
    }

    /// <summary>An area-averaged copy of half the size (an odd last row or column repeated first).</summary>
    private static Tensor Halved(Tensor level)
    {
        long lh = level.shape[2], lw = level.shape[3];
        var even = nn.functional.pad(level, [0, (int)(lw % 2), 0, (int)(lh % 2)], PaddingModes.Replicate);
        return nn.functional.avg_pool2d(even, 2, 2);
    }

    /// <summary>A level's maps at the cells' size: area-averaged from a finer level, interpolated from a coarser one.</summary>
    private static Tensor ToCells(Tensor maps, int level, int gw, int gh)
    {
        int factor = Cell >> Math.Min(level, 2); // level pixels per cell at levels finer than the cells
        if (level < 2)
        {
            long mh = maps.shape[2], mw = maps.shape[3];
            var padded = nn.functional.pad(maps, [0, (int)(gw * factor - mw), 0, (int)(gh * factor - mh)], PaddingModes.Replicate);
            return nn.functional.avg_pool2d(padded, factor, factor);
        }
        if (maps.shape[2] == gh && maps.shape[3] == gw) return maps;
        return nn.functional.interpolate(maps, [gh, gw], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    /// <summary>
    /// The quadrature pairs at every orientation, [2 · Orientations, 1, K, K]: even (cosine, its mean removed so a flat
    /// area gives nothing) then odd (sine), each scaled to unit L1 norm so every orientation and phase weighs alike.
    /// </summary>
    private static Tensor GaborBank(double lambda)
    {
        double sigma = 0.56 * lambda;
        int radius = (int)Math.Ceiling(3 * sigma), size = 2 * radius + 1;
        var weights = new float[2 * Orientations * size * size];
        for (int o = 0; o < Orientations; o++)
        {
            double theta = Math.PI * o / Orientations, c = Math.Cos(theta), s = Math.Sin(theta);
            for (int phase = 0; phase < 2; phase++)
            {
                var k = new double[size * size];
                for (int y = -radius; y <= radius; y++)
                    for (int x = -radius; x <= radius; x++)
                    {
                        double u = x * c + y * s, v = -x * s + y * c;
                        double envelope = Math.Exp(-(u * u + v * v) / (2 * sigma * sigma));
                        k[(y + radius) * size + x + radius] = envelope * (phase == 0 ? Math.Cos(2 * Math.PI * u / lambda) : Math.Sin(2 * Math.PI * u / lambda));
                    }
                double mean = k.Average();
                if (phase == 0) for (int i = 0; i < k.Length; i++) k[i] -= mean;
                double norm = k.Sum(Math.Abs);
                int at = (2 * o + phase) * size * size;
                for (int i = 0; i < k.Length; i++) weights[at + i] = (float)(k[i] / norm);
            }
        }
        return tensor(weights, [2 * Orientations, 1, size, size]);
    }

    /// <summary>The image's CIE L* plane.</summary>
    private static float[] Lightness(RgbImage image)
    {
        long n = image.PixelCount;
        var plane = new float[n];
        var px = image.Pixels;
        Parallel.For(0, (int)((n + 4095) / 4096), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (block) =>
        {
            for (long i = block * 4096L, end = Math.Min(n, i + 4096); i < end; i++)
                plane[i] = (float)CieLabConversion.FromRgb(px[3 * i], px[3 * i + 1], px[3 * i + 2]).L;
        });
        return plane;
    }

    /// <summary>A normalised 1-D Gaussian of σ (cells), radius 3σ, as a [1, 1, 1, K] tensor.</summary>
    private static Tensor GaussianKernel(double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        return tensor(k, [1, 1, 1, k.Length]);
    }

    /// <summary>The maps blurred by the kernel across, then down, edges repeated (each map alone).</summary>
    private static Tensor Blur(Tensor map, Tensor kernel)
    {
        int r = (int)(kernel.shape[3] / 2), maps = (int)map.shape[1];
        var k = kernel.expand(maps, 1, 1, kernel.shape[3]);
        var across = nn.functional.conv2d(nn.functional.pad(map, [r, r, 0, 0], PaddingModes.Replicate), k, groups: maps);
        return nn.functional.conv2d(nn.functional.pad(across, [0, 0, r, r], PaddingModes.Replicate), k.transpose(2, 3), groups: maps);
    }

    /// <summary>The texture numbers of one pixel (<see cref="Count"/> of them) into <paramref name="to"/>, bilinearly between cell centres.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(int pixel, Span<float> to)
    {
        int y = pixel / width, x = pixel - y * width;
        float gx = Math.Clamp((x + 0.5f) / Cell - 0.5f, 0, gw - 1), gy = Math.Clamp((y + 0.5f) / Cell - 0.5f, 0, gh - 1);
        int x0 = (int)gx, y0 = (int)gy, x1 = Math.Min(x0 + 1, gw - 1), y1 = Math.Min(y0 + 1, gh - 1);
        float fx = gx - x0, fy = gy - y0;
        float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        int plane = gw * gh, a = y0 * gw + x0, b = y0 * gw + x1, c = y1 * gw + x0, d = y1 * gw + x1;
        for (int m = 0; m < to.Length; m++)
        {
            int o = m * plane;
            to[m] = w00 * maps[o + a] + w01 * maps[o + b] + w10 * maps[o + c] + w11 * maps[o + d];
        }
    }

    /// <summary>Whether this was computed for an image of that size.</summary>
    public bool Fits(int w, int h) => w == width && h == height;
}
