using System.Globalization;
using Segmenter.Engine.Clustering;
using P = Segmenter.Engine.Pipeline.SegmentationParameters;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Every setting of a run, once, in report order. The report and API JSON (<see cref="ReportParameters"/>), the page's
/// link, copied JSON and form (its Advanced section rendered from each row's label, hint and range), the CLI options
/// and the history CSV are all derived from this list, so a new setting added here appears everywhere.
/// </summary>
public static class SettingFields
{
    private static SettingField Field<T>(string name, SettingGroup group, Func<P, T> get, Func<P, T, P> with) =>
        new(name, group, typeof(T), p => get(p), (p, v) => with(p, (T)v!));

    private const SettingGroup Training = SettingGroup.Training, Clustering = SettingGroup.Clustering;

    /// <summary>Applied first (it sets every other value), then the others override it.</summary>
    public static readonly SettingField Preset = Field("preset", Training, p => p.Preset, (p, v) => p with { Preset = v }).InTheForm(FormPlace.Main)
        .Described("Preset", "Fast trains on a sample of pixels with a larger batch; Original reproduces the original system exactly (every pixel every epoch, batch 256). Choosing one fills the other fields.");

    public static readonly IReadOnlyList<SettingField> All =
    [
        Preset,
        Field("clusters", Clustering, p => p.Clusters, (p, v) => p with { Clusters = v }).InTheForm(FormPlace.Main).LinkedAs("k")
            .Described("Clusters", $"How many segments the image is split into: {P.MinClusters}–{P.MaxClusters}.").Ranged(P.MinClusters, P.MaxClusters)
            .Checked(p => p.Clusters < P.MinClusters ? $"The number of clusters must be at least {P.MinClusters}; got {p.Clusters}."
                : p.Clusters > P.MaxClusters ? $"The number of clusters can be at most {P.MaxClusters}; got {p.Clusters}." : null),
        Field("epochs", Training, p => p.Epochs, (p, v) => p with { Epochs = v }).InTheForm(FormPlace.Main)
            .Described("Epochs", $"Passes of the autoencoder over the training pixels: 1–{P.MaxEpochs}. More epochs, finer codes, longer runs.").Ranged(1, P.MaxEpochs)
            .Checked(p => p.Epochs is < 1 or > P.MaxEpochs ? $"Epochs must be between 1 and {P.MaxEpochs}; got {p.Epochs}." : null),
        Field("heads", Training, p => p.Heads, (p, v) => p with { Heads = v }).InTheForm(FormPlace.Main)
            .Described("Attention heads", $"Heads of the multi-head self-attention: {Listed(P.AllowedHeads)} (they divide the hidden width evenly).").Among(P.AllowedHeads)
            .Checked(p => Array.IndexOf(P.AllowedHeads, p.Heads) < 0 ? $"Attention heads must be 1, 2, 4, 8 or 16 (they divide the hidden width evenly); got {p.Heads}." : null),
        Field("window", Training, p => p.Window, (p, v) => p with { Window = v }).InTheForm(FormPlace.Main)
            .Described("Attention window", "What each pixel attends over: itself alone (1, the original), or its 3×3, 5×5 or 7×7 neighbourhood (whole segments from noisy or textured regions; slower).").Among(P.AllowedWindows)
            .Checked(p => Array.IndexOf(P.AllowedWindows, p.Window) < 0 ? $"The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got {p.Window}." : null),
        Field("decoderTarget", Training, p => p.DecoderTarget, (p, v) => p with { DecoderTarget = v }).Also("--target")
            .Described("Decoder target", "What the decoder reconstructs; only matters for windows over 1 (window 1 reconstructs its one colour).")
            .Checked(p => Undefined(p.DecoderTarget, "decoder target")),
        Field("inputColours", Training, p => p.InputColours, (p, v) => p with { InputColours = v }).Also("--colours")
            .Described("Input colours", "The colours the model reads (and reconstructs).")
            .Checked(p => Undefined(p.InputColours, "input colours")),
        Field("batch", Training, p => p.BatchSize, (p, v) => p with { BatchSize = v }).InTheForm(FormPlace.Main)
            .Described("Batch size", $"Pixels per optimisation step: 1–{P.MaxBatchSize}.").Ranged(1, P.MaxBatchSize)
            .Checked(p => p.BatchSize is < 1 or > P.MaxBatchSize ? $"The batch size must be between 1 and {P.MaxBatchSize}; got {p.BatchSize}." : null),
        Field("lr", Training, p => p.LearningRate, (p, v) => p with { LearningRate = v }).InTheForm(FormPlace.Main)
            .Described("Learning rate", "Adam's step size: a number greater than 0 (typically 0.001–0.005). Too high and training diverges.")
            .Checked(p => !double.IsFinite(p.LearningRate) || p.LearningRate <= 0 ? $"The learning rate must be a positive finite number; got {p.LearningRate}." : null),
        Field("seed", Training, p => p.Seed, (p, v) => p with { Seed = v }).InTheForm(FormPlace.Main)
            .Described("Seed", "Random seed (a whole number ≥ 0): the same seed, image and parameters give the same segmentation.").Ranged(0, null)
            .Checked(p => p.Seed < 0 ? $"The seed must be a whole number ≥ 0; got {p.Seed}." : null),
        Field("cosineDecay", Training, p => p.CosineDecay, (p, v) => p with { CosineDecay = v })
            .Described("Cosine decay", "Anneal the learning rate along a cosine from its value to zero over the run (a constant rate when false)."),
        Field("trainingSample", Training, p => p.TrainingSample, (p, v) => p with { TrainingSample = v })
            .Described("Training sample", "Pixels drawn afresh each epoch to train on (none = every pixel every epoch, as the original).").Ranged(1, null)
            .Checked(p => p.TrainingSample is < 1 ? $"The training sample must be at least 1 pixel; got {p.TrainingSample}." : null),
        Field("clusteringSample", Training, p => p.ClusteringSample, (p, v) => p with { ClusteringSample = v })
            .Described("Clustering sample", "Pixels the clusterer is fitted on when the image has more (none = all of them); every pixel is then assigned to the nearest centre."),
        Field("maxPixels", Training, p => p.MaxPixels, (p, v) => p with { MaxPixels = v }).InTheForm(FormPlace.Advanced)
            .Described("Max pixels", $"The working resolution: a bigger image is trained, encoded and clustered as a copy of at most this many pixels, and its labels brought back to every pixel by colour (0 = always the full image, slow for big photos; else at least {P.MinMaxPixels.ToString("N0", CultureInfo.InvariantCulture)}).")
            .Ranged(0, null).Stepped(1_000_000)
            .Checked(p => p.MaxPixels != 0 && p.MaxPixels < P.MinMaxPixels
                ? $"The working resolution's pixel limit must be 0 (always the full image) or at least {P.MinMaxPixels}; got {p.MaxPixels}." : null),
        Field("codePooling", Training, p => p.CodePooling, (p, v) => p with { CodePooling = v }).InTheForm(FormPlace.Advanced)
            .Described("Code pooling σ", $"What is clustered: each code averaged over its neighbours (σ in pixels, 0–{P.MaxCodePooling}); with colour weight 0 too, the raw codes, as the original.")
            .Ranged(0, P.MaxCodePooling).Stepped(0.5)
            .Checked(p => !double.IsFinite(p.CodePooling) || p.CodePooling is < 0 or > P.MaxCodePooling
                ? $"Code pooling must be a σ from 0 (none) to {P.MaxCodePooling} pixels; got {p.CodePooling}." : null),
        Field("colourWeight", Training, p => p.ColourWeight, (p, v) => p with { ColourWeight = v }).InTheForm(FormPlace.Advanced)
            .Described("Colour weight", $"The blurred Lab colour clustered beside the codes at this weight (0–{P.MaxColourWeight}; 0 = the codes alone).")
            .Ranged(0, P.MaxColourWeight).Stepped(0.5)
            .Checked(p => !double.IsFinite(p.ColourWeight) || p.ColourWeight is < 0 or > P.MaxColourWeight
                ? $"The colour weight must be from 0 (codes alone) to {P.MaxColourWeight}; got {p.ColourWeight}." : null),
        Field("labelSmoothing", Clustering, p => p.LabelSmoothing, (p, v) => p with { LabelSmoothing = v }).Also("--smooth")
            .Described("Label smoothing", $"Width of the majority filter run over the label map: an odd number from 1 (none) to {P.MaxLabelSmoothing}.")
            .Ranged(1, P.MaxLabelSmoothing).Stepped(2)
            .Checked(p => p.LabelSmoothing is < 1 or > P.MaxLabelSmoothing || p.LabelSmoothing % 2 == 0
                ? $"Label smoothing must be an odd filter width from 1 (none) to {P.MaxLabelSmoothing}; got {p.LabelSmoothing}." : null),
        Field("borderRefinement", Clustering, p => p.BorderRefinement, (p, v) => p with { BorderRefinement = v }).InTheForm(FormPlace.Advanced)
            .Described("Border refinement", $"Pixels within this radius of another segment take the neighbouring segment whose colour is nearest theirs (0 = off, up to {P.MaxBorderRefinement}).")
            .Ranged(0, P.MaxBorderRefinement)
            .Checked(p => p.BorderRefinement is < 0 or > P.MaxBorderRefinement
                ? $"Border refinement must be a radius from 0 (off) to {P.MaxBorderRefinement} pixels; got {p.BorderRefinement}." : null),
        Field("kmeansRestarts", Clustering, p => p.KMeansRestarts, (p, v) => p with { KMeansRestarts = v }).InTheForm(FormPlace.Advanced)
            .Described("K-means restarts", "Seedings tried; the one with the lowest inertia is kept (at least 1).").Ranged(1, null)
            .Checked(p => p.KMeansRestarts < 1 ? $"K-means restarts must be at least 1; got {p.KMeansRestarts}." : null),
        Field("kmeansMaxIterations", Clustering, p => p.KMeansMaxIterations, (p, v) => p with { KMeansMaxIterations = v })
            .InTheForm(FormPlace.Advanced).Also("--kmeans-iterations")
            .Described("K-means iterations", "The most iterations each restart runs (at least 1).").Ranged(1, null)
            .Checked(p => p.KMeansMaxIterations < 1 ? $"K-means iterations must be at least 1; got {p.KMeansMaxIterations}." : null),
        Field("kmeansTolerance", Clustering, p => p.KMeansTolerance, (p, v) => p with { KMeansTolerance = v }).InTheForm(FormPlace.Advanced)
            .Described("K-means tolerance", "A restart stops when its centres move less than this, relative to the features' variance (a number ≥ 0).").Ranged(0, null)
            .Checked(p => !double.IsFinite(p.KMeansTolerance) || p.KMeansTolerance < 0 ? $"The k-means tolerance must be a finite number ≥ 0; got {p.KMeansTolerance}." : null),
        Field("kmeansInit", Clustering, p => p.KMeansInit, (p, v) => p with { KMeansInit = v }).InTheForm(FormPlace.Advanced)
            .Described("K-means seeding", "How each restart's first centres are chosen: k-means++ spreads them out; random draws them.")
            .Named(v => (KMeansInit)v == KMeansInit.KMeansPlusPlus ? "k-means++" : "Random")
            .Checked(p => Undefined(p.KMeansInit, "k-means initialisation")),
        Field("codeSize", Training, p => p.CodeSize, (p, v) => p with { CodeSize = v }).InTheForm(FormPlace.Advanced)
            .Described("Code size", $"Numbers per pixel code ({P.MinCodeSize}–{P.MaxCodeSize}; the original: 32).").Ranged(P.MinCodeSize, P.MaxCodeSize)
            .Checked(p => p.CodeSize is < P.MinCodeSize or > P.MaxCodeSize ? $"The code size must be between {P.MinCodeSize} and {P.MaxCodeSize}; got {p.CodeSize}." : null),
        Field("hiddenWidth", Training, p => p.HiddenWidth, (p, v) => p with { HiddenWidth = v }).InTheForm(FormPlace.Advanced)
            .Described("Hidden width", $"Features of the attention and hidden layers ({P.MinHiddenWidth}–{P.MaxHiddenWidth}, divisible by the heads).").Ranged(P.MinHiddenWidth, P.MaxHiddenWidth)
            .Checked(p => p.HiddenWidth is < P.MinHiddenWidth or > P.MaxHiddenWidth ? $"The hidden width must be between {P.MinHiddenWidth} and {P.MaxHiddenWidth}; got {p.HiddenWidth}." : null),
        Field("encoderDepth", Training, p => p.EncoderDepth, (p, v) => p with { EncoderDepth = v }).InTheForm(FormPlace.Advanced)
            .Described("Encoder depth", $"Dense layers before the code ({P.MinDepth}–{P.MaxDepth}).").Ranged(P.MinDepth, P.MaxDepth)
            .Checked(p => p.EncoderDepth is < P.MinDepth or > P.MaxDepth ? $"The encoder depth must be between {P.MinDepth} and {P.MaxDepth}; got {p.EncoderDepth}." : null),
        Field("decoderDepth", Training, p => p.DecoderDepth, (p, v) => p with { DecoderDepth = v }).InTheForm(FormPlace.Advanced)
            .Described("Decoder depth", $"Dense layers after the code ({P.MinDepth}–{P.MaxDepth}).").Ranged(P.MinDepth, P.MaxDepth)
            .Checked(p => p.DecoderDepth is < P.MinDepth or > P.MaxDepth ? $"The decoder depth must be between {P.MinDepth} and {P.MaxDepth}; got {p.DecoderDepth}." : null),
        Field("activation", Training, p => p.Activation, (p, v) => p with { Activation = v }).InTheForm(FormPlace.Advanced)
            .Described("Activation", "The nonlinearity between the dense layers (ReLU as the original; GELU and SiLU are smooth, tanh bounded).")
            .Checked(p => Undefined(p.Activation, "activation")),
        Field("segments", Clustering, p => p.Segments, (p, v) => p with { Segments = v }).InTheForm(FormPlace.Advanced)
            .Described("Segments", "Clusters: k-means classes, one may lie in many places. Regions: k connected regions cut from a merge tree; another count is a re-cut, no k-means.")
            .Named(v => (Segments)v == Segments.Regions ? "Regions" : "Clusters")
            .Checked(p => Undefined(p.Segments, "segments")),
        Field("textureWeight", Training, p => p.TextureWeight, (p, v) => p with { TextureWeight = v }).InTheForm(FormPlace.Advanced)
            .Described("Texture weight", $"Gabor energies at 4 orientations and wavelengths 2–64 px, averaged over several periods, clustered beside the codes at this weight (0–{P.MaxTextureWeight}; 0 = none; {P.TextureWeightForTextures} separates natural textures of equal colour).")
            .Ranged(0, P.MaxTextureWeight).Stepped(0.5)
            .Checked(p => !double.IsFinite(p.TextureWeight) || p.TextureWeight is < 0 or > P.MaxTextureWeight
                ? $"The texture weight must be from 0 (no texture statistics) to {P.MaxTextureWeight}; got {p.TextureWeight}." : null),
        Field("textureScale", Training, p => p.TextureScale, (p, v) => p with { TextureScale = v }).InTheForm(FormPlace.Advanced)
            .Described("Texture scale σ", $"The smallest window (σ in pixels, {P.MinTextureScale}–{P.MaxTextureScale}) the texture energies are averaged over; long wavelengths get 1.5 × theirs.")
            .Ranged(P.MinTextureScale, P.MaxTextureScale)
            .Checked(p => p.TextureScale is < P.MinTextureScale or > P.MaxTextureScale
                ? $"The texture scale must be a σ of {P.MinTextureScale} to {P.MaxTextureScale} whole pixels; got {p.TextureScale}." : null),
    ];

    /// <summary>The setting of that report name or link alias (case-insensitive), or null.</summary>
    public static SettingField? Find(string nameOrAlias) => All.FirstOrDefault(f =>
        f.Name.Equals(nameOrAlias, StringComparison.OrdinalIgnoreCase) || (f.LinkAlias?.Equals(nameOrAlias, StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>The settings the page's form shows, the preset first.</summary>
    public static IEnumerable<SettingField> InForm => All.Where(f => f.Form != FormPlace.None);

    /// <summary>Every setting as "name=value", space-separated ("preset=fast clusters=4 … activation=relu"), for logs.</summary>
    public static string Describe(P p) => string.Join(' ', All.Select(f => $"{f.Name}={f.ToText(f.Get(p)) ?? "none"}"));

    /// <summary>The preset's parameters (fast when none is given), then every other given value on top.</summary>
    public static P Build(IEnumerable<(SettingField Field, object? Value)> given)
    {
        var values = given.ToList();
        var preset = values.Where(g => g.Field == Preset).Select(g => (Preset?)g.Value).LastOrDefault() ?? Pipeline.Preset.Fast;
        return values.Where(g => g.Field != Preset).Aggregate(P.ForPreset(preset), (p, g) => g.Field.With(p, g.Value));
    }

    private static SettingField LinkedAs(this SettingField f, string alias) => f with { LinkAlias = alias };
    private static SettingField Described(this SettingField f, string label, string hint) => f with { Label = label, Hint = hint };
    private static SettingField Ranged(this SettingField f, double? min, double? max) => f with { Min = min, Max = max };
    private static SettingField Stepped(this SettingField f, double step) => f with { Step = step };
    private static SettingField Among(this SettingField f, int[] values) => f with { Allowed = values.Cast<object>().ToArray() };
    private static SettingField Named(this SettingField f, Func<object, string> choiceLabel) => f with { ChoiceLabel = choiceLabel };
    private static string Listed(int[] values) => string.Join(", ", values[..^1]) + " or " + values[^1];
    private static SettingField Checked(this SettingField f, Func<P, string?> check) => f with { Check = check };

    private static string? Undefined<T>(T value, string what) where T : struct, Enum => Enum.IsDefined(value) ? null
        : $"The {what} must be one of {string.Join(", ", Enum.GetNames<T>())}; got {value}.";

    private static SettingField InTheForm(this SettingField f, FormPlace place) => f with { Form = place };
    private static SettingField Also(this SettingField f, string oldOption) => f with { OptionAliases = [.. f.OptionAliases, oldOption] };
}
