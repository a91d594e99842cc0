using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The form's "Advanced" fields: the model's shape, what is clustered, and the clustering's settings. Which they are, their
/// labels, hints and ranges come from <see cref="SettingFields"/>; their limits and messages are the engine's own
/// (<see cref="SegmentationParameters.Validate"/>), so the page refuses exactly what a run would refuse.
/// </summary>
public sealed class AdvancedFields
{
    private readonly ParameterForm _form;
    private readonly FormValues _values;

    internal AdvancedFields(ParameterForm form, FormValues values) => (_form, _values) = (form, values);

    /// <summary>The settings the Advanced section shows, in table order, those that retrain first, then those that only re-cluster.</summary>
    public static IReadOnlyList<SettingField> Shown { get; } =
        SettingFields.All.Where(f => f.Form == FormPlace.Advanced).OrderBy(f => f.Group == SettingGroup.Clustering).ToArray();

    // Typed views of the advanced values, for code that sets them by name (the rendered form uses the form's indexer).
    public int? CodeSize { get => _values.Number<int>("codeSize"); set => _values["codeSize"] = value; }
    public int? HiddenWidth { get => _values.Number<int>("hiddenWidth"); set => _values["hiddenWidth"] = value; }
    public int? EncoderDepth { get => _values.Number<int>("encoderDepth"); set => _values["encoderDepth"] = value; }
    public int? DecoderDepth { get => _values.Number<int>("decoderDepth"); set => _values["decoderDepth"] = value; }
    public Activation Activation { get => _values.Choice<Activation>("activation"); set => _values["activation"] = value; }
    public double? CodePooling { get => _values.Number<double>("codePooling"); set => _values["codePooling"] = value; }
    public double? ColourWeight { get => _values.Number<double>("colourWeight"); set => _values["colourWeight"] = value; }
    public int? MaxPixels { get => _values.Number<int>("maxPixels"); set => _values["maxPixels"] = value; }
    public int? BorderRefinement { get => _values.Number<int>("borderRefinement"); set => _values["borderRefinement"] = value; }
    public int? KMeansRestarts { get => _values.Number<int>("kmeansRestarts"); set => _values["kmeansRestarts"] = value; }
    public int? KMeansMaxIterations { get => _values.Number<int>("kmeansMaxIterations"); set => _values["kmeansMaxIterations"] = value; }
    public double? KMeansTolerance { get => _values.Number<double>("kmeansTolerance"); set => _values["kmeansTolerance"] = value; }
    public KMeansInit KMeansInit { get => _values.Choice<KMeansInit>("kmeansInit"); set => _values["kmeansInit"] = value; }

    /// <summary>Puts every advanced field back to the current preset's value.</summary>
    public void ResetToPreset() => _values.FillFrom(SegmentationParameters.ForPreset(_form.Preset), FormPlace.Advanced);

    /// <summary>
    /// The engine's message for the advanced fields (e.g. "Hidden width 60 is not divisible by 8 heads."), checked with
    /// the other fields at their preset values when they are themselves invalid, so each message names its own field.
    /// </summary>
    public string? Error
    {
        get
        {
            var basis = _form.Basis with { Heads = FormLimits.CheckHeads(_form.HeadCount) is null ? _form.HeadCount : _form.Basis.Heads };
            if (_values.With(basis, FormPlace.Advanced) is not { } p) return "Fill in every advanced setting (reset to preset restores them).";
            try { p.Validate(long.MaxValue); return null; }
            catch (ArgumentException e) { return e.Message; }
        }
    }
}
