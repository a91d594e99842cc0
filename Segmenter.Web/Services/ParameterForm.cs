using System.Globalization;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The parameter fields as the user edits them (nullable: a field may be empty or out of range), with the
/// ranges the page offers and a message per invalid field. <see cref="ToParameters"/> builds the engine's record.
/// </summary>
public sealed class ParameterForm
{
    public const int MinClusters = 2, MaxClusters = 16;
    public const int MinEpochs = 1, MaxEpochs = 200;
    public const int MinBatch = 1, MaxBatch = 65_536;
    public const double MinLearningRate = 1e-6, DefaultMaxLearningRate = 1.0;
    public static readonly int[] HeadChoices = [1, 2, 4, 8, 16];
    public static readonly (int Value, string Label)[] Windows = [(1, "Pixel (1)"), (3, "3×3"), (5, "5×5")];

    private SegmentationParameters _basis = SegmentationParameters.ForPreset(Preset.Fast);

    public ParameterForm() : this(DefaultMaxLearningRate) { }

    /// <param name="maxLearningRate">The largest learning rate the form accepts (<see cref="SegmenterOptions.MaxLearningRate"/>).</param>
    public ParameterForm(double maxLearningRate)
    {
        MaxLearningRate = double.IsFinite(maxLearningRate) && maxLearningRate > MinLearningRate ? maxLearningRate : DefaultMaxLearningRate;
        ApplyPreset(Preset.Fast);
    }

    public double MaxLearningRate { get; }

    public Preset Preset { get; private set; }
    public int? Clusters { get; set; }
    public int? Epochs { get; set; }
    public int HeadCount { get; set; }
    public int Window { get; set; }
    public int? BatchSize { get; set; }
    public double? LearningRate { get; set; }
    public int? Seed { get; set; }

    /// <summary>Fills every field from the preset (keeps the cluster count and seed the user chose).</summary>
    public void ApplyPreset(Preset preset)
    {
        var p = SegmentationParameters.ForPreset(preset);
        _basis = p;
        Preset = preset;
        Clusters ??= p.Clusters;
        Epochs = p.Epochs;
        HeadCount = p.Heads;
        Window = p.Window;
        BatchSize = p.BatchSize;
        LearningRate = p.LearningRate;
        Seed ??= p.Seed;
    }

    public string? ClustersError => Clusters is null ? $"Enter a number of clusters from {MinClusters} to {MaxClusters}."
        : Clusters < MinClusters || Clusters > MaxClusters ? $"Clusters must be between {MinClusters} and {MaxClusters}." : null;

    public string? EpochsError => Epochs is null ? $"Enter a number of epochs from {MinEpochs} to {MaxEpochs}."
        : Epochs < MinEpochs || Epochs > MaxEpochs ? $"Epochs must be between {MinEpochs} and {MaxEpochs}." : null;

    public string? HeadsError => Array.IndexOf(HeadChoices, HeadCount) < 0 ? "Attention heads must be 1, 2, 4, 8 or 16." : null;

    public string? WindowError => Window is 1 or 3 or 5 ? null : "The attention window must be pixel, 3×3 or 5×5.";

    public string? BatchSizeError => BatchSize is null ? $"Enter a batch size from {MinBatch} to {MaxBatch}."
        : BatchSize < MinBatch || BatchSize > MaxBatch ? $"The batch size must be between {MinBatch} and {MaxBatch}." : null;

    public string? LearningRateError => LearningRate is not { } lr || !double.IsFinite(lr) || lr < MinLearningRate || lr > MaxLearningRate
        ? $"The learning rate must be between {MinLearningRate.ToString(CultureInfo.InvariantCulture)} and {MaxLearningRate.ToString(CultureInfo.InvariantCulture)}."
        : null;

    public string? SeedError => Seed is null || Seed < 0 ? "The seed must be a whole number ≥ 0." : null;

    public IEnumerable<string> Errors => new[] { ClustersError, EpochsError, HeadsError, WindowError, BatchSizeError, LearningRateError, SeedError }
        .Where(e => e is not null)!;

    public bool IsValid => !Errors.Any();

    /// <summary>The engine's parameters; null while any field is invalid.</summary>
    public SegmentationParameters? ToParameters() => !IsValid ? null : _basis with
    {
        Clusters = Clusters!.Value,
        Epochs = Epochs!.Value,
        Heads = HeadCount,
        Window = Window,
        BatchSize = BatchSize!.Value,
        LearningRate = LearningRate!.Value,
        Seed = Seed!.Value,
    };
}
