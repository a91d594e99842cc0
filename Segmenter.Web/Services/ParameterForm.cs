using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The parameter fields as the user edits them (nullable: a field may be empty or out of range), a message per invalid
/// field, and the <see cref="Advanced"/> fields. <see cref="ToParameters"/> builds the engine's record. The values are
/// stored by setting name (<see cref="FormValues"/>); the typed properties are the page's view of the same values.
/// </summary>
public sealed class ParameterForm
{
    private readonly FormValues _values = new();

    public ParameterForm() : this(RunLimits.DefaultMaxLearningRate) { }

    /// <param name="maxLearningRate">The largest learning rate the form accepts (<see cref="SegmenterOptions.MaxLearningRate"/>).</param>
    public ParameterForm(double maxLearningRate)
    {
        MaxLearningRate = RunLimits.MaxLearningRate(maxLearningRate);
        Advanced = new AdvancedFields(this, _values);
        ApplyPreset(Preset.Fast);
    }

    public double MaxLearningRate { get; }

    public Preset Preset { get; private set; }

    /// <summary>The preset's parameters, which the form's fields override.</summary>
    internal SegmentationParameters Basis { get; private set; } = SegmentationParameters.ForPreset(Preset.Fast);

    /// <summary>The model's shape, what is clustered and the clustering's settings, shown under "Advanced".</summary>
    public AdvancedFields Advanced { get; }

    // The typed fields the page binds to, each stored under its setting (see the indexer); an empty or unparsable
    // value is stored as null, so the field's message shows.
    public int? Clusters { get => _values.Number<int>("clusters"); set => _values["clusters"] = value; }
    public int? Epochs { get => _values.Number<int>("epochs"); set => _values["epochs"] = value; }
    public int HeadCount { get => _values.Number<int>("heads") ?? 0; set => _values["heads"] = value; }
    public int Window { get => _values.Number<int>("window") ?? 0; set => _values["window"] = value; }
    public int? BatchSize { get => _values.Number<int>("batch"); set => _values["batch"] = value; }
    public double? LearningRate { get => _values.Number<double>("lr"); set => _values["lr"] = value; }
    public int? Seed { get => _values.Number<int>("seed"); set => _values["seed"] = value; }

    /// <summary>A form field's value by its setting (null when empty or unparsable); the preset reads the form's preset.</summary>
    public object? this[SettingField field]
    {
        get => field == SettingFields.Preset ? Preset : _values[field.Name];
        set
        {
            if (field.Form is FormPlace.None || field == SettingFields.Preset)
                throw new ArgumentException($"The form has no field for \"{field.Name}\".", nameof(field));
            _values[field.Name] = value;
        }
    }

    /// <summary>Fills every field from the preset (keeps the cluster count and seed the user chose).</summary>
    public void ApplyPreset(Preset preset)
    {
        var p = SegmentationParameters.ForPreset(preset);
        var (clusters, seed) = (Clusters, Seed);
        Basis = p;
        Preset = preset;
        _values.FillFrom(p, FormPlace.Main);
        _values.FillFrom(p, FormPlace.Advanced);
        Clusters = clusters ?? p.Clusters;
        Seed = seed ?? p.Seed;
    }

    public string? ClustersError => FormLimits.CheckClusters(Clusters);
    public string? EpochsError => FormLimits.CheckEpochs(Epochs);
    public string? HeadsError => FormLimits.CheckHeads(HeadCount);
    public string? WindowError => FormLimits.CheckWindow(Window);
    public string? BatchSizeError => FormLimits.CheckBatchSize(BatchSize);
    public string? LearningRateError => CheckLearningRate(LearningRate);
    public string? SeedError => FormLimits.CheckSeed(Seed);

    /// <summary>The learning rate's check, against this host's limit (<see cref="MaxLearningRate"/>).</summary>
    public string? CheckLearningRate(double? value) => RunLimits.CheckLearningRate(value, MaxLearningRate);

    public IEnumerable<string> Errors => new[] { ClustersError, EpochsError, HeadsError, WindowError, BatchSizeError, LearningRateError, SeedError, Advanced.Error }
        .Where(e => e is not null)!;

    public bool IsValid => !Errors.Any();

    /// <summary>The engine's parameters; null while any field is invalid.</summary>
    public SegmentationParameters? ToParameters() => !IsValid ? null : _values.With(Basis, FormPlace.Main, FormPlace.Advanced);
}
