using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The ranges the form's main fields offer and one check per field. They are the engine's limits and messages
/// (<see cref="SettingFields"/>), so the page refuses exactly what a run would refuse, in the engine's words.
/// </summary>
public static class FormLimits
{
    public const int MinClusters = SegmentationParameters.MinClusters, MaxClusters = SegmentationParameters.MaxClusters;
    public const int MinEpochs = 1, MaxEpochs = SegmentationParameters.MaxEpochs;
    public const int MinBatch = 1, MaxBatch = SegmentationParameters.MaxBatchSize;
    public static readonly int[] HeadChoices = SegmentationParameters.AllowedHeads;
    /// <summary>The engine's allowed windows, labelled for the form.</summary>
    public static readonly (int Value, string Label)[] Windows =
        SegmentationParameters.AllowedWindows.Select(w => (w, w == 1 ? "Pixel (1)" : $"{w}×{w}")).ToArray();

    // One check per field, on the value given: the page's fields also run them as their own validation
    // (MudBlazor validates a field when it loses focus and then shows only what its validation says).
    // The learning rate's check depends on the host's limit, so it lives on the form (ParameterForm.CheckLearningRate).

    public static string? CheckClusters(int? value) => value is null ? $"Enter a number of clusters from {MinClusters} to {MaxClusters}." : Engine("clusters", value);

    public static string? CheckEpochs(int? value) => value is null ? $"Enter a number of epochs from {MinEpochs} to {MaxEpochs}." : Engine("epochs", value);

    public static string? CheckHeads(int value) => Engine("heads", value);

    public static string? CheckWindow(int value) => Engine("window", value);

    public static string? CheckBatchSize(int? value) => value is null ? $"Enter a batch size from {MinBatch} to {MaxBatch}." : Engine("batch", value);

    public static string? CheckSeed(int? value) => value is null ? "Enter a seed: a whole number ≥ 0." : Engine("seed", value);

    /// <summary>The engine's message for this setting's value alone (its range check in <see cref="SettingFields"/>).</summary>
    private static string? Engine(string setting, object value) => SettingFields.Find(setting)!.Problem(value);
}
