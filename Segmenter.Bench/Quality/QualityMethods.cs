using Segmenter.Engine.Baselines;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench.Quality;

/// <summary>One image to segment at a known k, where it came from (a file the Python peer can read, if any).</summary>
internal sealed record QualityInput(string Name, RgbImage Image, int Clusters, string? Path);

/// <summary>
/// A way of segmenting an image at k clusters with a seed: either a run of our pipeline with some parameters, or a
/// labeller that does not train (the colour baselines, the Python original).
/// </summary>
internal sealed record QualityMethod(string Id, string Label, Func<int, int, SegmentationParameters>? Parameters, Func<QualityInput, int, int[]>? Labeller)
{
    public int[] Segment(QualityInput input, int seed)
    {
        if (Labeller is not null) return Labeller(input, seed);
        var result = SegmentationPipeline.Run(input.Image, Parameters!(input.Clusters, seed));
        using var model = result.Model;
        return Array.ConvertAll(result.Labels, l => (int)l);
    }
}

/// <summary>
/// The rows of the quality table, in order: the default, the default at window 1 (the pixel model), at every other
/// window <see cref="SegmentationParameters.AllowedWindows"/> allows, each lever value changed alone (decoder target,
/// input colours, what k-means clusters, border refinement, label smoothing), each architecture knob changed alone (code size, encoder depth, activation),
/// the two colour baselines and the Python original.
/// Rows derive from the engine's own lists and presets, so an option added there appears here.
/// </summary>
internal static class QualityMethods
{
    public const string Default = "default", Pixel = "pixel", RgbKMeans = "rgb-kmeans", BlurredLab = "blurred-lab-kmeans", Original = "original-python",
        Gabor = "gabor-python";

    /// <summary>What the app and the CLI run when nothing is chosen: the Fast preset.</summary>
    public static SegmentationParameters DefaultParameters(int k, int seed) =>
        SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k, Seed = seed };

    public static List<QualityMethod> All(string? peersDir)
    {
        var methods = new List<QualityMethod>
        {
            new(Default, "default (Fast preset)", DefaultParameters, null),
            new(Pixel, "default at window 1 (pixel model)", (k, s) => DefaultParameters(k, s) with { Window = 1 }, null),
        };
        foreach (int w in SegmentationParameters.AllowedWindows.Where(w => w != 1))
            methods.Add(new($"window{w}", $"default at window {w}", (k, s) => DefaultParameters(k, s) with { Window = w }, null));
        methods.AddRange(LeverRows());
        methods.AddRange(ArchitectureRows());
        methods.Add(new(RgbKMeans, "plain RGB k-means", null,
            (input, seed) => ColourBaselines.RgbKMeans(input.Image, new(input.Clusters, Seed: seed))));
        methods.Add(new(BlurredLab, "Gaussian 9×9 → CIE Lab k-means", null,
            (input, seed) => ColourBaselines.BlurredLabKMeans(input.Image, new(input.Clusters, Seed: seed))));
        methods.AddRange(RegionBaselines.Rows());
        methods.Add(new(Gabor, "Gabor filter bank → k-means (Python, tuned)", null, RunGabor));
        if (peersDir is not null)
            methods.Add(new(Original, "original Python pipeline", null, (input, seed) => RunOriginal(peersDir, input, seed)));
        return methods;
    }

    /// <summary>The smallest context window: where the decoder-target levers are tried (they do nothing at window 1).</summary>
    private static int LeverWindow => SegmentationParameters.AllowedWindows.Where(w => w > 1).Min();

    /// <summary>Label-smoothing widths tried (1 = none): the smallest the engine allows.</summary>
    private static readonly int[] SmoothingWidths = [1, 3, 5];

    /// <summary>Texture weights and scales tried besides the default's.</summary>
    private static readonly double[] TextureWeights = [0, 2, SegmentationParameters.TextureWeightForTextures, 6];
    private static readonly int[] TextureScales = [6, 8, 12, 16, 24];

    /// <summary>One row per value of each lever other than the default's, each changed alone.</summary>
    private static IEnumerable<QualityMethod> LeverRows()
    {
        var defaults = DefaultParameters(SegmentationParameters.MinClusters, 0);
        foreach (var target in Enum.GetValues<DecoderTarget>().Where(t => t != defaults.DecoderTarget))
            yield return new($"window{LeverWindow}-{target.ToString().ToLowerInvariant()}", $"default at window {LeverWindow}, decoder target {target}",
                (k, s) => DefaultParameters(k, s) with { Window = LeverWindow, DecoderTarget = target }, null);
        foreach (var colours in Enum.GetValues<InputColours>().Where(c => c != defaults.InputColours))
            yield return new($"colours-{colours.ToString().ToLowerInvariant()}", $"default, {colours} input",
                (k, s) => DefaultParameters(k, s) with { InputColours = colours }, null);
        // The new standardised inputs with the denoised target, the combination both levers point to.
        yield return new("chroma-denoised", "default, Chroma input, decoder target Denoised",
            (k, s) => DefaultParameters(k, s) with { InputColours = InputColours.Chroma, DecoderTarget = DecoderTarget.Denoised }, null);
        yield return new("labstd-denoised", "default, LabStandardised input, decoder target Denoised",
            (k, s) => DefaultParameters(k, s) with { InputColours = InputColours.LabStandardised, DecoderTarget = DecoderTarget.Denoised }, null);
        // What k-means clusters (ClusterFeatures) and the border refinement after it, each switched off alone, then all
        // three: the codes as the network gives them, what the default clustered before.
        yield return new("pooling0", "default, codes not pooled (code pooling 0)", (k, s) => DefaultParameters(k, s) with { CodePooling = 0 }, null);
        yield return new("colour0", "default, no colour beside the codes (colour weight 0)", (k, s) => DefaultParameters(k, s) with { ColourWeight = 0 }, null);
        yield return new("refine0", "default, no border refinement", (k, s) => DefaultParameters(k, s) with { BorderRefinement = 0 }, null);
        yield return new("raw-codes", "default, raw codes and no border refinement (the earlier default)",
            (k, s) => DefaultParameters(k, s) with { CodePooling = 0, ColourWeight = 0, BorderRefinement = 0 }, null);
        // The texture statistics beside the codes (TextureEnergies): off, at other weights, at other scales.
        foreach (double weight in TextureWeights.Where(w => w != defaults.TextureWeight))
            yield return new(FormattableString.Invariant($"texture{weight}"),
                weight == 0 ? "default, no texture statistics (texture weight 0)" : FormattableString.Invariant($"default, texture weight {weight}"),
                (k, s) => DefaultParameters(k, s) with { TextureWeight = weight }, null);
        foreach (int scale in TextureScales.Where(t => t != defaults.TextureScale))
            yield return new(FormattableString.Invariant($"texture-scale{scale}"), FormattableString.Invariant($"default, texture scale σ {scale} px"),
                (k, s) => DefaultParameters(k, s) with { TextureScale = scale }, null);
        foreach (int width in SmoothingWidths.Where(w => w != defaults.LabelSmoothing))
            yield return new($"smooth{width}", width == 1 ? "default, no label smoothing" : $"default, label smoothing {width}",
                (k, s) => DefaultParameters(k, s) with { LabelSmoothing = width }, null);
    }

    /// <summary>Code sizes tried besides the default's: a smaller, a half and a doubled code.</summary>
    private static readonly int[] CodeSizes = [8, 16, 64];

    /// <summary>Encoder depths tried besides the default's (one more dense layer before the code).</summary>
    private static readonly int[] EncoderDepths = [2];

    /// <summary>
    /// The architecture settings, each changed alone from the default: the code size, the encoder depth and every
    /// other activation the engine offers ("code16", "depth2", "gelu", …).
    /// </summary>
    private static IEnumerable<QualityMethod> ArchitectureRows()
    {
        var defaults = DefaultParameters(SegmentationParameters.MinClusters, 0);
        foreach (int code in CodeSizes.Where(c => c != defaults.CodeSize))
            yield return new($"code{code}", $"default, code size {code}", (k, s) => DefaultParameters(k, s) with { CodeSize = code }, null);
        foreach (int depth in EncoderDepths.Where(d => d != defaults.EncoderDepth))
            yield return new($"depth{depth}", $"default, encoder depth {depth}", (k, s) => DefaultParameters(k, s) with { EncoderDepth = depth }, null);
        foreach (var activation in Enum.GetValues<Activation>().Where(a => a != defaults.Activation))
            yield return new(activation.ToString().ToLowerInvariant(), $"default, {activation} activation",
                (k, s) => DefaultParameters(k, s) with { Activation = activation }, null);
    }

    /// <summary>The Gabor filter-bank baseline (Jain &amp; Farrokhnia) on the input's file, with the wavelengths and smoothing tuned on the tuning mosaics.</summary>
    private static int[] RunGabor(QualityInput input, int seed) => WithFile(input, (image, labels) =>
        PythonPeer.RunGabor(image, input.Clusters, labels, seed) is { } error
            ? throw new PeerFailedException($"the Gabor baseline failed on {input.Name}: {error}") : LabelMaps.Read(labels));

    /// <summary>Runs <paramref name="run"/> on the input's file (a temporary PNG when it has none) and a label PNG path in a temporary folder.</summary>
    private static int[] WithFile(QualityInput input, Func<string, string, int[]> run)
    {
        string temp = Directory.CreateTempSubdirectory("segmenter-quality-peer-").FullName;
        try
        {
            string image = input.Path ?? System.IO.Path.Combine(temp, "input.png");
            if (input.Path is null)
                using (var f = File.Create(image)) ImageLoader.SavePng(input.Image, f);
            return run(image, System.IO.Path.Combine(temp, "labels.png"));
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The Python original on the input's file (written to a temporary PNG when it has none).</summary>
    private static int[] RunOriginal(string peersDir, QualityInput input, int seed) => WithFile(input, (image, labels) =>
        PythonPeer.RunOriginal(peersDir, image, input.Clusters, labels, seed).Error is { } error
            ? throw new PeerFailedException($"the Python original failed on {input.Name}: {error}") : LabelMaps.Read(labels));
}

/// <summary>A peer program failed on one input; the row shows it and the other rows go on.</summary>
internal sealed class PeerFailedException(string message) : Exception(message);
