using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Support;

/// <summary>
/// A valid run whose every setting differs from its preset's value, so a round trip that drops a setting (and falls back
/// to the preset) shows. A setting added to <see cref="SettingFields"/> without a value here fails
/// <c>Every_setting_differs_from_its_preset</c>, so the round-trip theories cover it from then on.
/// </summary>
public static class UnusualSettings
{
    public static readonly SegmentationParameters Run = SegmentationParameters.ForPreset(Preset.Original) with
    {
        Clusters = 7, Epochs = 3, Heads = 4, Window = 5, DecoderTarget = DecoderTarget.Centre, InputColours = InputColours.Lab,
        BatchSize = 100, LearningRate = 0.0025, Seed = 7, CosineDecay = true, TrainingSample = 1000, ClusteringSample = 2000,
        LabelSmoothing = 3, KMeansRestarts = 2, KMeansMaxIterations = 50, KMeansTolerance = 1e-3, KMeansInit = KMeansInit.Random,
        CodeSize = 16, HiddenWidth = 32, EncoderDepth = 2, DecoderDepth = 3, Activation = Activation.Gelu, MaxPixels = 500_000,
        CodePooling = 1.5, ColourWeight = 0.5, BorderRefinement = 2, Segments = Segments.Regions,
        TextureWeight = 1.5, TextureScale = 9,
    };

    /// <summary>Every setting's name, as theory data.</summary>
    public static TheoryData<string> Names => new(SettingFields.All.Select(f => f.Name));

    /// <summary>A value out of range for settings the form shows, and the engine's message for it (the same from every door).</summary>
    public static TheoryData<string, string, string> OutOfRange => new()
    {
        { "clusters", "65", "The number of clusters can be at most 64; got 65." },
        { "epochs", "0", "Epochs must be between 1 and 1000; got 0." },
        { "heads", "3", "Attention heads must be 1, 2, 4, 8 or 16 (they divide the hidden width evenly); got 3." },
        { "window", "2", "The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 2." },
        { "batch", "0", "The batch size must be between 1 and 65536; got 0." },
        { "seed", "-1", "The seed must be a whole number ≥ 0; got -1." },
        { "codeSize", "200", "The code size must be between 2 and 128; got 200." },
        { "hiddenWidth", "8", "The hidden width must be between 16 and 256; got 8." },
        { "kmeansRestarts", "0", "K-means restarts must be at least 1; got 0." },
        { "kmeansTolerance", "-1", "The k-means tolerance must be a finite number ≥ 0; got -1." },
        { "codePooling", "5", "Code pooling must be a σ from 0 (none) to 4 pixels; got 5." },
        { "colourWeight", "-1", "The colour weight must be from 0 (codes alone) to 8; got -1." },
        { "borderRefinement", "4", "Border refinement must be a radius from 0 (off) to 3 pixels; got 4." },
    };

    public static SettingField Field(string name) => SettingFields.All.Single(f => f.Name == name);
}
