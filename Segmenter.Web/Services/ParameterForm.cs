using System.Globalization;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The parameter fields as the user edits them (nullable: a field may be empty or out of range), with the
/// ranges the page offers and a message per invalid field. <see cref="ToParameters"/> builds the engine's record.
/// </summary>
public sealed partial class ParameterForm
{
    // The engine's limits: the page refuses exactly what a run would refuse (and says it in the engine's words).
    public const int MinClusters = SegmentationParameters.MinClusters, MaxClusters = SegmentationParameters.MaxClusters;
    public const int MinEpochs = 1, MaxEpochs = SegmentationParameters.MaxEpochs;
    public const int MinBatch = 1, MaxBatch = SegmentationParameters.MaxBatchSize;
    public static readonly int[] HeadChoices = SegmentationParameters.AllowedHeads;
    /// <summary>The engine's allowed windows, labelled for the form.</summary>
    public static readonly (int Value, string Label)[] Windows =
        SegmentationParameters.AllowedWindows.Select(w => (w, w == 1 ? "Pixel (1)" : $"{w}×{w}")).ToArray();

    private SegmentationParameters _basis = SegmentationParameters.ForPreset(Preset.Fast);

    public ParameterForm() : this(RunLimits.DefaultMaxLearningRate) { }

    /// <param name="maxLearningRate">The largest learning rate the form accepts (<see cref="SegmenterOptions.MaxLearningRate"/>).</param>
    public ParameterForm(double maxLearningRate)
    {
        MaxLearningRate = RunLimits.MaxLearningRate(maxLearningRate);
        ApplyPreset(Preset.Fast);
    }

    public double MaxLearningRate { get; }

    public Preset Preset { get; private set; }

    // The typed fields the page binds to, each stored under its setting (see the indexer); an empty or unparsable
    // value is stored as null, so the field's message shows.
    public int? Clusters { get => Number<int>("clusters"); set => _values["clusters"] = value; }
    public int? Epochs { get => Number<int>("epochs"); set => _values["epochs"] = value; }
    public int HeadCount { get => Number<int>("heads") ?? 0; set => _values["heads"] = value; }
    public int Window { get => Number<int>("window") ?? 0; set => _values["window"] = value; }
    public int? BatchSize { get => Number<int>("batch"); set => _values["batch"] = value; }
    public double? LearningRate { get => Number<double>("lr"); set => _values["lr"] = value; }
    public int? Seed { get => Number<int>("seed"); set => _values["seed"] = value; }

    /// <summary>Fills every field from the preset (keeps the cluster count and seed the user chose).</summary>
    public void ApplyPreset(Preset preset)
    {
        var p = SegmentationParameters.ForPreset(preset);
        var (clusters, seed) = (Clusters, Seed);
        _basis = p;
        Preset = preset;
        FillFrom(p, FormPlace.Main);
        FillFrom(p, FormPlace.Advanced);
        Clusters = clusters ?? p.Clusters;
        Seed = seed ?? p.Seed;
    }

    public string? ClustersError => CheckClusters(Clusters);
    public string? EpochsError => CheckEpochs(Epochs);
    public string? HeadsError => CheckHeads(HeadCount);
    public string? WindowError => CheckWindow(Window);
    public string? BatchSizeError => CheckBatchSize(BatchSize);
    public string? LearningRateError => CheckLearningRate(LearningRate);
    public string? SeedError => CheckSeed(Seed);

    // One check per field, on the value given: the page's fields also run them as their own validation
    // (MudBlazor validates a field when it loses focus and then shows only what its validation says).

    public static string? CheckClusters(int? value) => value is null ? $"Enter a number of clusters from {MinClusters} to {MaxClusters}." : Engine("clusters", value);

    public static string? CheckEpochs(int? value) => value is null ? $"Enter a number of epochs from {MinEpochs} to {MaxEpochs}." : Engine("epochs", value);

    public static string? CheckHeads(int value) => Engine("heads", value);

    public static string? CheckWindow(int value) => Engine("window", value);

    public static string? CheckBatchSize(int? value) => value is null ? $"Enter a batch size from {MinBatch} to {MaxBatch}." : Engine("batch", value);

    /// <summary>The engine's message for this setting's value alone (its range check in <see cref="SettingFields"/>).</summary>
    private static string? Engine(string setting, object value) => SettingFields.Find(setting)!.Problem(value);

    public string? CheckLearningRate(double? value) => RunLimits.CheckLearningRate(value, MaxLearningRate);

    public static string? CheckSeed(int? value) => value is null ? "Enter a seed: a whole number ≥ 0." : Engine("seed", value);

    public IEnumerable<string> Errors => new[] { ClustersError, EpochsError, HeadsError, WindowError, BatchSizeError, LearningRateError, SeedError, AdvancedError }
        .Where(e => e is not null)!;

    public bool IsValid => !Errors.Any();

    /// <summary>The engine's parameters; null while any field is invalid.</summary>
    public SegmentationParameters? ToParameters() => !IsValid ? null : With(_basis, FormPlace.Main, FormPlace.Advanced);
}
