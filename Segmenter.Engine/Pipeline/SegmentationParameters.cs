using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Pipeline;

/// <summary>What the decoder learns to reproduce from a pixel's code (for windows over 1).</summary>
public enum DecoderTarget
{
    /// <summary>Every colour of the window, token by token: the code must describe the neighbourhood's layout.</summary>
    Window,

    /// <summary>The centre pixel's colour alone: the neighbours only help the code through attention.</summary>
    Centre,

    /// <summary>The window's mean colour: a denoised centre, so noise and fine texture average out of the code.</summary>
    Denoised,
}

/// <summary>The colours the model reads (and reconstructs).</summary>
public enum InputColours
{
    /// <summary>R, G, B / 255, as the original system.</summary>
    Rgb,

    /// <summary>CIE L*a*b* on one scale into about 0…1 (L/200 + ¼, a/200 + ½, b/200 + ½): distances closer to perceived colour differences.</summary>
    Lab,

    /// <summary>Both, six numbers per pixel: RGB/255 then the scaled Lab.</summary>
    Both,

    /// <summary>
    /// CIE Lab standardised to the image (centred on its mean colour and scaled by its largest channel spread, see
    /// <c>StandardScale</c>): the image's own contrast fills the input range, however similar its colours.
    /// </summary>
    LabStandardised,

    /// <summary>
    /// <see cref="LabStandardised"/> with the lightness axis then shrunk to a quarter: a lighting gradient across one
    /// surface moves mostly L, so it moves the input a quarter as much, while hue and saturation (a, b) keep their
    /// weight. Surfaces that differ only in lightness are still told apart, with a quarter of the margin.
    /// </summary>
    Chroma,
}

/// <summary>The nonlinearity between the model's dense layers (and on the code).</summary>
public enum Activation
{
    /// <summary>max(0, x), as the original system.</summary>
    Relu,

    /// <summary>Gaussian error linear unit: a smooth ReLU.</summary>
    Gelu,

    /// <summary>x·sigmoid(x) (swish): smooth, lets small negatives through.</summary>
    Silu,

    /// <summary>Hyperbolic tangent: a bounded code in (−1, 1).</summary>
    Tanh,
}

/// <summary>
/// Everything a run needs to know. Start from <see cref="ForPreset"/> and override with <c>with { … }</c>;
/// <see cref="Validate"/> refuses out-of-range values with messages the UI shows as they are.
/// </summary>
public sealed record SegmentationParameters
{
    public static readonly int[] AllowedHeads = [1, 2, 4, 8, 16];
    public static readonly int[] AllowedWindows = [1, 3, 5, 7];
    public const int MinClusters = 2, MaxClusters = 64, MaxEpochs = 1000, MaxBatchSize = 65_536;

    /// <summary>What training decides; equal between two runs exactly when they share their model.</summary>
    public TrainingSettings Training { get; init; } = new();

    /// <summary>What a re-cluster may change.</summary>
    public ClusteringSettings Clustering { get; init; } = new();

    // The flat names every caller uses (p with { Clusters = 5 }), forwarding to the record that owns each setting.

    public Preset Preset { get => Training.Preset; init => Training = Training with { Preset = value }; }
    public int Clusters { get => Clustering.Clusters; init => Clustering = Clustering with { Clusters = value }; }
    public int Epochs { get => Training.Epochs; init => Training = Training with { Epochs = value }; }
    public int Heads { get => Training.Heads; init => Training = Training with { Heads = value }; }
    /// <summary>1 = each pixel alone (the original); 3 or 5 = the pixel attends over its k×k neighbourhood.</summary>
    public int Window { get => Training.Window; init => Training = Training with { Window = value }; }
    /// <summary>What the decoder reconstructs; only matters for windows over 1 (window 1 reconstructs its one colour).</summary>
    public DecoderTarget DecoderTarget { get => Training.DecoderTarget; init => Training = Training with { DecoderTarget = value }; }
    public InputColours InputColours { get => Training.InputColours; init => Training = Training with { InputColours = value }; }
    public int BatchSize { get => Training.BatchSize; init => Training = Training with { BatchSize = value }; }
    public double LearningRate { get => Training.LearningRate; init => Training = Training with { LearningRate = value }; }
    public int Seed { get => Training.Seed; init => Training = Training with { Seed = value }; }
    /// <summary>Anneal the learning rate along a cosine from its value to zero over the run (a constant rate when false).</summary>
    public bool CosineDecay { get => Training.CosineDecay; init => Training = Training with { CosineDecay = value }; }
    /// <summary>Pixels drawn (reproducibly, from the seed) to train on; null = every pixel every epoch.</summary>
    public int? TrainingSample { get => Training.TrainingSample; init => Training = Training with { TrainingSample = value }; }
    /// <summary>Codes k-means is fitted on; null = every code. The final assignment always covers every pixel.</summary>
    public int? ClusteringSample { get => Training.ClusteringSample; init => Training = Training with { ClusteringSample = value }; }
    /// <summary>Width of the mode filter applied to the label map after clustering (1 = none, 3, 5, …).</summary>
    public int LabelSmoothing { get => Clustering.LabelSmoothing; init => Clustering = Clustering with { LabelSmoothing = value }; }

    public const int MaxLabelSmoothing = 15;

    /// <summary>
    /// After smoothing, each pixel within this many pixels of another label takes the neighbouring label whose cluster
    /// colour is nearest its own (0 = off); see <see cref="LabelSmoothing.RefineBorders"/>.
    /// </summary>
    public int BorderRefinement { get => Clustering.BorderRefinement; init => Clustering = Clustering with { BorderRefinement = value }; }

    public const int MaxBorderRefinement = 3;

    /// <summary>
    /// Largest image the model works on at full resolution; a bigger one is trained, encoded and clustered as an
    /// area-averaged copy of at most this many pixels and its labels brought back by colour-guided upsampling
    /// (<see cref="WorkingResolution"/>). 0 = always the full image.
    /// </summary>
    public int MaxPixels { get => Training.MaxPixels; init => Training = Training with { MaxPixels = value }; }

    /// <summary>The smallest working resolution allowed (64×64), and the Fast preset's limit, chosen so a 24-megapixel photo segments within 30 s (docs/performance.md, the bench's 24 MP row).</summary>
    public const int MinMaxPixels = 4_096, FastMaxPixels = 6_000_000;

    /// <summary>
    /// σ in pixels of the Gaussian average of neighbouring codes k-means clusters (0 = each pixel's own code); see
    /// <see cref="ClusterFeatures"/>. With <see cref="ColourWeight"/> 0 too, k-means sees the raw codes, as the original.
    /// </summary>
    public double CodePooling { get => Training.CodePooling; init => Training = Training with { CodePooling = value }; }

    /// <summary>
    /// Weight of each pixel's blurred CIE Lab colour beside its standardised code in what k-means clusters (0 = codes
    /// alone); see <see cref="ClusterFeatures"/>.
    /// </summary>
    public double ColourWeight { get => Training.ColourWeight; init => Training = Training with { ColourWeight = value }; }

    public const double MaxCodePooling = 4, MaxColourWeight = 8;

    /// <summary>
    /// Weight of each pixel's texture statistics (<see cref="TextureEnergies"/>: Gabor energies at four orientations and
    /// wavelengths 2–64 px and the local lightness histogram and moments, averaged at the texture's scale) beside its code in what k-means clusters (0 = none); each
    /// image gets the share of it its texturedness opens (<see cref="TextureEnergies.Gate"/>).
    /// </summary>
    public double TextureWeight { get => Training.TextureWeight; init => Training = Training with { TextureWeight = value }; }

    /// <summary>σ in whole pixels of the neighbourhood the texture statistics are averaged over (steps longer than σ / 1.5 get more).</summary>
    public int TextureScale { get => Training.TextureScale; init => Training = Training with { TextureScale = value }; }

    /// <summary>
    /// The Fast preset's texture weight, which separates natural textures of equal colour statistics (docs/textures.md);
    /// on flat, noisy or lit scenes the energies' spread is noise and edges, and the image's gate gives them none of it.
    /// </summary>
    public const double TextureWeightForTextures = 4;

    public const double MaxTextureWeight = 8;

    public const int MinTextureScale = 4, MaxTextureScale = 32, DefaultTextureScale = 12;

    /// <summary>Numbers per pixel code (the original: 32). Code 2 is plotted as it is; larger codes through PCA.</summary>
    public int CodeSize { get => Training.CodeSize; init => Training = Training with { CodeSize = value }; }
    /// <summary>Features of the embedding, attention and hidden layers (the original: 64); heads split it evenly.</summary>
    public int HiddenWidth { get => Training.HiddenWidth; init => Training = Training with { HiddenWidth = value }; }
    /// <summary>Dense layers from the attention output to the code (1 = the original's one).</summary>
    public int EncoderDepth { get => Training.EncoderDepth; init => Training = Training with { EncoderDepth = value }; }
    /// <summary>Hidden dense layers from the code to the reconstruction (1 = the original's one).</summary>
    public int DecoderDepth { get => Training.DecoderDepth; init => Training = Training with { DecoderDepth = value }; }
    public Activation Activation { get => Training.Activation; init => Training = Training with { Activation = value }; }

    public const int MinCodeSize = 2, MaxCodeSize = 128, MinHiddenWidth = 16, MaxHiddenWidth = 256, MinDepth = 1, MaxDepth = 4;

    public int KMeansRestarts { get => Clustering.Restarts; init => Clustering = Clustering with { Restarts = value }; }
    public int KMeansMaxIterations { get => Clustering.MaxIterations; init => Clustering = Clustering with { MaxIterations = value }; }
    public double KMeansTolerance { get => Clustering.Tolerance; init => Clustering = Clustering with { Tolerance = value }; }
    /// <summary>How each k-means restart picks its first centres.</summary>
    public KMeansInit KMeansInit { get => Clustering.Init; init => Clustering = Clustering with { Init = value }; }

    /// <summary>
    /// k-means classes (<see cref="Pipeline.Segments.Clusters"/>) or k connected regions (<see cref="Pipeline.Segments.Regions"/>:
    /// the run's region tree cut at <see cref="Clusters"/>; label smoothing and border refinement then do not apply, as
    /// they would break a region's connectivity).
    /// </summary>
    public Segments Segments { get => Clustering.Segments; init => Clustering = Clustering with { Segments = value }; }

    /// <summary>Largest working image regions are built on: the region tree reads every pixel's feature at once.</summary>
    public const int MaxRegionPixels = 1 << 20;

    /// <summary>
    /// The working resolution's pixel limit this run applies: <see cref="MaxPixels"/>, and for regions at most
    /// <see cref="MaxRegionPixels"/> (0 = none).
    /// </summary>
    public int WorkingPixelLimit => Segments != Segments.Regions ? MaxPixels : MaxPixels is > 0 and < MaxRegionPixels ? MaxPixels : MaxRegionPixels;

    /// <summary>
    /// These parameters with <paramref name="other"/>'s clustering settings: what a re-cluster may change. Two runs
    /// share their training exactly when their <see cref="Training"/> records are equal.
    /// </summary>
    public SegmentationParameters WithClusteringOf(SegmentationParameters other) => this with { Clustering = other.Clustering };

    /// <summary>The preset's values; any explicit option then overrides them.</summary>
    public static SegmentationParameters ForPreset(Preset preset) => preset switch
    {
        Preset.Original => new SegmentationParameters
        {
            Preset = Preset.Original, Epochs = 30, BatchSize = 256, LearningRate = 1e-3, Window = 1,
            TrainingSample = null, ClusteringSample = null, KMeansRestarts = 10,
        },
        // Context by default: a 3×3 window and a 9-wide mode filter, trained on 20 epochs of 4,096 pixels in 8×8 crops,
        // and k-means on codes pooled over σ = 1 px beside blurred Lab at weight 2, chosen by measurement on the
        // generated scenes and BSDS500 photos (docs/performance.md, "Quality").
        _ => new SegmentationParameters
        {
            Preset = Preset.Fast, Epochs = 20, BatchSize = 512, LearningRate = 1e-2, CosineDecay = true, Window = 3,
            LabelSmoothing = 9, TrainingSample = 4_096, ClusteringSample = 65_536, KMeansRestarts = 4,
            MaxPixels = FastMaxPixels, CodePooling = 1, ColourWeight = 2, BorderRefinement = 1,
            TextureWeight = TextureWeightForTextures,
        },
    };

    /// <summary>
    /// Throws <see cref="ArgumentException"/> with a message a person understands: each setting's own range (written
    /// with the setting in <see cref="SettingFields"/>, so the page and the CLI check the same), then how they combine.
    /// </summary>
    public void Validate(long pixelCount)
    {
        foreach (var f in SettingFields.All)
            if (f.Check?.Invoke(this) is { } problem) throw new ArgumentException(problem);
        if (Clusters > pixelCount)
            throw new ArgumentException($"The image has {pixelCount} pixel(s), fewer than the {Clusters} clusters asked for.");
        if (HiddenWidth % Heads != 0)
            throw new ArgumentException($"Hidden width {HiddenWidth} is not divisible by {Heads} heads.");
        if (ClusteringSample is { } cs && cs < Clusters)
            throw new ArgumentException($"The clustering sample ({cs}) must hold at least as many codes as clusters ({Clusters}).");
    }
}
