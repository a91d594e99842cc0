using System.Globalization;
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
    /// <summary>Query keys, in the order a link lists them.</summary>
    public static readonly string[] Keys =
        ["sample", "preset", "k", "epochs", "heads", "window", "batch", "lr", "seed", .. AdvancedSettingFields.All.Select(f => f.Name)];

    /// <summary>The form's values as query pairs (invalid fields are left out); sample only when it is one of the embedded samples.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToPairs(ParameterForm form, string? sample)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        void Add(string key, string? value) { if (value is not null) pairs.Add(new(key, value)); }
        Add("sample", sample);
        Add("preset", form.Preset.ToString().ToLowerInvariant());
        Add("k", form.Clusters?.ToString(CultureInfo.InvariantCulture));
        Add("epochs", form.Epochs?.ToString(CultureInfo.InvariantCulture));
        Add("heads", form.HeadCount.ToString(CultureInfo.InvariantCulture));
        Add("window", form.Window.ToString(CultureInfo.InvariantCulture));
        Add("batch", form.BatchSize?.ToString(CultureInfo.InvariantCulture));
        Add("lr", form.LearningRate?.ToString("R", CultureInfo.InvariantCulture));
        Add("seed", form.Seed?.ToString(CultureInfo.InvariantCulture));
        foreach (var f in AdvancedSettingFields.All) Add(f.Name, f.Get(form));
        return pairs;
    }

    /// <summary>"?sample=astronaut&amp;preset=fast&amp;k=4…"</summary>
    public static string ToQuery(ParameterForm form, string? sample)
        => "?" + string.Join('&', ToPairs(form, sample).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Every parameter of the run (the form's fields and the preset's hidden ones) plus the sample and a link.</summary>
    public static string ToJson(ParameterForm form, string? sample, string? baseUri = null)
    {
        var o = new JsonObject
        {
            ["sample"] = sample,
            ["preset"] = form.Preset.ToString().ToLowerInvariant(),
            ["clusters"] = form.Clusters,
            ["epochs"] = form.Epochs,
            ["heads"] = form.HeadCount,
            ["window"] = form.Window,
            ["batchSize"] = form.BatchSize,
            ["learningRate"] = form.LearningRate,
            ["seed"] = form.Seed,
        };
        if (form.ToParameters() is { } p)
        {
            o["cosineDecay"] = p.CosineDecay;
            o["trainingSample"] = p.TrainingSample;
            o["clusteringSample"] = p.ClusteringSample;
            o["kmeansRestarts"] = p.KMeansRestarts;
            o["kmeansMaxIterations"] = p.KMeansMaxIterations;
            o["kmeansTolerance"] = p.KMeansTolerance;
        }
        AdvancedSettingFields.AddTo(o, form);
        o["link"] = (baseUri?.TrimEnd('/') ?? "") + "/" + ToQuery(form, sample);
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Fills the form from query values (keys as in <see cref="Keys"/>, case-insensitive); values that do not parse
    /// leave the field empty or invalid so its message shows. Returns problems the form cannot show itself (an unknown preset).
    /// </summary>
    public static IReadOnlyList<string> Apply(ParameterForm form, IReadOnlyDictionary<string, string?> query)
    {
        var problems = new List<string>();
        string? Get(string key) => query.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

        if (Get("preset") is { } preset)
        {
            if (Enum.TryParse<Preset>(preset, ignoreCase: true, out var pr) && Enum.IsDefined(pr) && !int.TryParse(preset, out _))
                form.ApplyPreset(pr);
            else
                problems.Add($"Unknown preset \"{preset}\" in the link; use fast or original.");
        }
        if (Get("k") is { } k) form.Clusters = Int(k);
        if (Get("epochs") is { } epochs) form.Epochs = Int(epochs);
        if (Get("heads") is { } heads) form.HeadCount = Int(heads) ?? 0;
        if (Get("window") is { } window) form.Window = Int(window) ?? 0;
        if (Get("batch") is { } batch) form.BatchSize = Int(batch);
        if (Get("lr") is { } lr)
            form.LearningRate = double.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        if (Get("seed") is { } seed) form.Seed = Int(seed) ?? -1;
        foreach (var f in AdvancedSettingFields.All)
            if (Get(f.Name) is { } value) f.Set(form, value);
        return problems;
    }

    /// <summary>Fills the form with a run's parameters (its preset first, then every field the form has).</summary>
    public static void Fill(ParameterForm form, SegmentationParameters p)
    {
        form.ApplyPreset(p.Preset);
        form.Clusters = p.Clusters;
        form.Epochs = p.Epochs;
        form.HeadCount = p.Heads;
        form.Window = p.Window;
        form.BatchSize = p.BatchSize;
        form.LearningRate = p.LearningRate;
        form.Seed = p.Seed;
        form.FillAdvanced(p);
    }

    /// <summary>Parses a whole number; null when it does not parse (the form then asks for one).</summary>
    private static int? Int(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}
