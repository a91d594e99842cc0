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
        CodeSize = 16, HiddenWidth = 32, EncoderDepth = 2, DecoderDepth = 3, Activation = Activation.Gelu,
    };

    /// <summary>Every setting's name, as theory data.</summary>
    public static TheoryData<string> Names => new(SettingFields.All.Select(f => f.Name));

    public static SettingField Field(string name) => SettingFields.All.Single(f => f.Name == name);
}
