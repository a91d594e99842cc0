using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The form's "Advanced" fields (issue 16): the model's shape and k-means' settings. Their limits and messages are the
/// engine's own (<see cref="SegmentationParameters.Validate"/>), so the page refuses exactly what a run would refuse.
/// </summary>
public sealed partial class ParameterForm
{
    public int? CodeSize { get; set; }
    public int? HiddenWidth { get; set; }
    public int? EncoderDepth { get; set; }
    public int? DecoderDepth { get; set; }
    public Activation Activation { get; set; }
    public int? KMeansRestarts { get; set; }
    public int? KMeansMaxIterations { get; set; }
    public double? KMeansTolerance { get; set; }
    public KMeansInit KMeansInit { get; set; }

    /// <summary>Puts every advanced field back to the current preset's value.</summary>
    public void ResetAdvancedToPreset() => FillAdvanced(SegmentationParameters.ForPreset(Preset));

    internal void FillAdvanced(SegmentationParameters p)
    {
        CodeSize = p.CodeSize; HiddenWidth = p.HiddenWidth; EncoderDepth = p.EncoderDepth; DecoderDepth = p.DecoderDepth;
        Activation = p.Activation; KMeansRestarts = p.KMeansRestarts; KMeansMaxIterations = p.KMeansMaxIterations;
        KMeansTolerance = p.KMeansTolerance; KMeansInit = p.KMeansInit;
    }

    /// <summary>The advanced fields applied to <paramref name="basis"/>; null while one is empty.</summary>
    private SegmentationParameters? WithAdvanced(SegmentationParameters basis) =>
        CodeSize is { } code && HiddenWidth is { } width && EncoderDepth is { } encoder && DecoderDepth is { } decoder
        && KMeansRestarts is { } restarts && KMeansMaxIterations is { } iterations && KMeansTolerance is { } tolerance
            ? basis with
            {
                CodeSize = code, HiddenWidth = width, EncoderDepth = encoder, DecoderDepth = decoder, Activation = Activation,
                KMeansRestarts = restarts, KMeansMaxIterations = iterations, KMeansTolerance = tolerance, KMeansInit = KMeansInit,
            }
            : null;

    /// <summary>
    /// The engine's message for the advanced fields (e.g. "Hidden width 60 is not divisible by 8 heads."), checked with
    /// the other fields at their preset values when they are themselves invalid, so each message names its own field.
    /// </summary>
    public string? AdvancedError
    {
        get
        {
            var basis = _basis with { Heads = CheckHeads(HeadCount) is null ? HeadCount : _basis.Heads };
            if (WithAdvanced(basis) is not { } p) return "Fill in every advanced setting (reset to preset restores them).";
            try { p.Validate(long.MaxValue); return null; }
            catch (ArgumentException e) { return e.Message; }
        }
    }
}
