using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The settings of a run as a shareable thing: JSON for "Copy settings" and the page's query string
/// (<c>/?sample=astronaut&amp;k=4&amp;epochs=30&amp;heads=2&amp;window=3&amp;seed=42&amp;preset=fast&amp;batch=1024&amp;lr=0.004</c>).
/// Reading a query fills the form as given, even out of range, so the form shows its own validation messages.
/// </summary>
public static class RunSettings
{
    /// <summary>Query keys, in the order a link lists them: the sample, then the form's settings (preset first).</summary>
    public static readonly string[] Keys = ["sample", .. SettingFields.InForm.Select(f => f.LinkKey)];

    /// <summary>The form's values as query pairs (empty fields are left out); sample only when it is one of the embedded samples.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToPairs(ParameterForm form, string? sample)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (sample is not null) pairs.Add(new("sample", sample));
        foreach (var f in SettingFields.InForm)
            if (f.ToText(form[f]) is { } text) pairs.Add(new(f.LinkKey, text));
        return pairs;
    }

    /// <summary>"?sample=astronaut&amp;preset=fast&amp;k=4…"</summary>
    public static string ToQuery(ParameterForm form, string? sample)
        => "?" + string.Join('&', ToPairs(form, sample).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>
    /// Every parameter of the run under its report name (the form's fields and the preset's hidden ones, so it can be
    /// posted to the API as it is) plus the sample and a link; while the form is invalid, the form's fields as they are.
    /// </summary>
    public static string ToJson(ParameterForm form, string? sample, string? baseUri = null)
    {
        var o = new JsonObject { ["sample"] = sample };
        if (form.ToParameters() is { } p)
            foreach (var (name, value) in ReportParameters.ToJson(p)) o[name] = value?.DeepClone();
        else
            foreach (var f in SettingFields.InForm) o[f.Name] = f.ToJson(form[f]);
        o["link"] = (baseUri?.TrimEnd('/') ?? "") + "/" + ToQuery(form, sample);
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Fills the form from query values (keys as in <see cref="Keys"/>, or the settings' report names, case-insensitive);
    /// values that do not parse leave the field empty or invalid so its message shows. Returns problems the form cannot
    /// show itself (an unknown preset).
    /// </summary>
    public static IReadOnlyList<string> Apply(ParameterForm form, IReadOnlyDictionary<string, string?> query)
    {
        var problems = new List<string>();
        string? Get(SettingField f) => query.FirstOrDefault(kv => string.Equals(kv.Key, f.LinkKey, StringComparison.OrdinalIgnoreCase)
                                                              || string.Equals(kv.Key, f.Name, StringComparison.OrdinalIgnoreCase)).Value;

        if (Get(SettingFields.Preset) is { } preset)
        {
            try { form.ApplyPreset((Preset)SettingFields.Preset.ReadText(preset)!); }
            catch (ArgumentException e) { problems.Add($"In the link: {e.Message}"); }
        }
        foreach (var f in SettingFields.InForm.Where(f => f != SettingFields.Preset))
        {
            if (Get(f) is not { } text) continue;
            try { form[f] = f.ReadText(text); }
            catch (ArgumentException) { form[f] = null; }
        }
        return problems;
    }

    /// <summary>Fills the form with a run's parameters (its preset first, then every field the form has).</summary>
    public static void Fill(ParameterForm form, SegmentationParameters p)
    {
        form.ApplyPreset(p.Preset);
        foreach (var f in SettingFields.InForm.Where(f => f != SettingFields.Preset)) form[f] = f.Get(p);
    }
}
