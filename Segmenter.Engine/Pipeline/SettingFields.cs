using Segmenter.Engine.Clustering;
using P = Segmenter.Engine.Pipeline.SegmentationParameters;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Every setting of a run, once, in report order. The report and API JSON (<see cref="ReportParameters"/>), the page's
/// link, copied JSON and form, the CLI options and the history CSV are all derived from this list, so a new setting
/// added here appears everywhere.
/// </summary>
public static class SettingFields
{
    private static SettingField Field<T>(string name, SettingGroup group, Func<P, T> get, Func<P, T, P> with) =>
        new(name, group, typeof(T), p => get(p), (p, v) => with(p, (T)v!));

    private const SettingGroup Training = SettingGroup.Training, Clustering = SettingGroup.Clustering;

    /// <summary>Applied first (it sets every other value), then the others override it.</summary>
    public static readonly SettingField Preset = Field("preset", Training, p => p.Preset, (p, v) => p with { Preset = v }).InTheForm(FormPlace.Main);

    public static readonly IReadOnlyList<SettingField> All =
    [
        Preset,
        Field("clusters", Clustering, p => p.Clusters, (p, v) => p with { Clusters = v }).InTheForm(FormPlace.Main) with { LinkAlias = "k" },
        Field("epochs", Training, p => p.Epochs, (p, v) => p with { Epochs = v }).InTheForm(FormPlace.Main),
        Field("heads", Training, p => p.Heads, (p, v) => p with { Heads = v }).InTheForm(FormPlace.Main),
        Field("window", Training, p => p.Window, (p, v) => p with { Window = v }).InTheForm(FormPlace.Main),
        Field("decoderTarget", Training, p => p.DecoderTarget, (p, v) => p with { DecoderTarget = v }).Also("--target"),
        Field("inputColours", Training, p => p.InputColours, (p, v) => p with { InputColours = v }).Also("--colours"),
        Field("batch", Training, p => p.BatchSize, (p, v) => p with { BatchSize = v }).InTheForm(FormPlace.Main),
        Field("lr", Training, p => p.LearningRate, (p, v) => p with { LearningRate = v }).InTheForm(FormPlace.Main),
        Field("seed", Training, p => p.Seed, (p, v) => p with { Seed = v }).InTheForm(FormPlace.Main),
        Field("cosineDecay", Training, p => p.CosineDecay, (p, v) => p with { CosineDecay = v }),
        Field("trainingSample", Training, p => p.TrainingSample, (p, v) => p with { TrainingSample = v }),
        Field("clusteringSample", Training, p => p.ClusteringSample, (p, v) => p with { ClusteringSample = v }),
        Field("labelSmoothing", Clustering, p => p.LabelSmoothing, (p, v) => p with { LabelSmoothing = v }).Also("--smooth"),
        Field("kmeansRestarts", Clustering, p => p.KMeansRestarts, (p, v) => p with { KMeansRestarts = v }).InTheForm(FormPlace.Advanced),
        Field("kmeansMaxIterations", Clustering, p => p.KMeansMaxIterations, (p, v) => p with { KMeansMaxIterations = v })
            .InTheForm(FormPlace.Advanced).Also("--kmeans-iterations"),
        Field("kmeansTolerance", Clustering, p => p.KMeansTolerance, (p, v) => p with { KMeansTolerance = v }).InTheForm(FormPlace.Advanced),
        Field("kmeansInit", Clustering, p => p.KMeansInit, (p, v) => p with { KMeansInit = v }).InTheForm(FormPlace.Advanced),
        Field("codeSize", Training, p => p.CodeSize, (p, v) => p with { CodeSize = v }).InTheForm(FormPlace.Advanced),
        Field("hiddenWidth", Training, p => p.HiddenWidth, (p, v) => p with { HiddenWidth = v }).InTheForm(FormPlace.Advanced),
        Field("encoderDepth", Training, p => p.EncoderDepth, (p, v) => p with { EncoderDepth = v }).InTheForm(FormPlace.Advanced),
        Field("decoderDepth", Training, p => p.DecoderDepth, (p, v) => p with { DecoderDepth = v }).InTheForm(FormPlace.Advanced),
        Field("activation", Training, p => p.Activation, (p, v) => p with { Activation = v }).InTheForm(FormPlace.Advanced),
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

    private static SettingField InTheForm(this SettingField f, FormPlace place) => f with { Form = place };
    private static SettingField Also(this SettingField f, string oldOption) => f with { OptionAliases = [.. f.OptionAliases, oldOption] };
}
