using System.Globalization;
using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The advanced fields written once: each one's name (the same in the link, the copied JSON and the run report), how
/// the form's value reads as text and how text sets it. <see cref="RunSettings"/> derives the link, JSON and form filling from it.
/// </summary>
public static class AdvancedSettingFields
{
    public sealed record Field(string Name, Func<ParameterForm, string?> Get, Action<ParameterForm, string> Set);

    public static readonly Field[] All =
    [
        new("codeSize", f => Text(f.CodeSize), (f, s) => f.CodeSize = Int(s)),
        new("hiddenWidth", f => Text(f.HiddenWidth), (f, s) => f.HiddenWidth = Int(s)),
        new("encoderDepth", f => Text(f.EncoderDepth), (f, s) => f.EncoderDepth = Int(s)),
        new("decoderDepth", f => Text(f.DecoderDepth), (f, s) => f.DecoderDepth = Int(s)),
        new("activation", f => Name(f.Activation), (f, s) => f.Activation = Choice(s, f.Activation)),
        new("kmeansRestarts", f => Text(f.KMeansRestarts), (f, s) => f.KMeansRestarts = Int(s)),
        new("kmeansMaxIterations", f => Text(f.KMeansMaxIterations), (f, s) => f.KMeansMaxIterations = Int(s)),
        new("kmeansTolerance", f => f.KMeansTolerance?.ToString("R", CultureInfo.InvariantCulture),
            (f, s) => f.KMeansTolerance = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null),
        new("kmeansInit", f => Name(f.KMeansInit), (f, s) => f.KMeansInit = Choice(s, f.KMeansInit)),
    ];

    /// <summary>The fields' values as the report writes them (numbers as numbers), for the copied settings JSON.</summary>
    public static void AddTo(JsonObject o, ParameterForm form)
    {
        if (form.ToParameters() is not { } p) return;
        var report = ReportParameters.ToJson(p);
        foreach (var f in All) o[f.Name] = report[f.Name]?.DeepClone();
    }

    private static string? Text(int? v) => v?.ToString(CultureInfo.InvariantCulture);
    private static string Name<T>(T v) where T : struct, Enum => v.ToString().ToLowerInvariant();
    private static int? Int(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>An unknown name leaves an invalid value so the form's message shows it (not the old value silently).</summary>
    private static T Choice<T>(string s, T current) where T : struct, Enum
    {
        bool numeric = int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int _);
        return !numeric && Enum.TryParse(s, ignoreCase: true, out T parsed) ? parsed : (T)Enum.ToObject(typeof(T), -1);
    }
}
