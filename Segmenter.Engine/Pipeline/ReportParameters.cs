using System.Text.Json.Nodes;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The run report's "parameters" object, both ways: written into report.json and saved models, and read back from
/// a saved model or from an HTTP API request's settings (the same names, so a report's parameters can be posted as
/// they are). Reading starts from the preset's values and overrides only the names given.
/// </summary>
public static class ReportParameters
{
    /// <summary>Every name <see cref="Read"/> accepts, in report order.</summary>
    public static IReadOnlyCollection<string> Names { get; } = SettingFields.All.Select(f => f.Name).ToArray();

    /// <summary>The message for a setting name that is not one of <see cref="Names"/>.</summary>
    public static string Unknown(string name) => $"Unknown setting \"{name}\"; the settings are {string.Join(", ", Names)}.";

    public static JsonObject ToJson(SegmentationParameters p)
    {
        var o = new JsonObject();
        foreach (var f in SettingFields.All) o[f.Name] = f.ToJson(f.Get(p));
        return o;
    }

    /// <summary>
    /// The preset's parameters (default fast) with every given name applied. Throws <see cref="ArgumentException"/>
    /// naming the setting for an unknown name or a value of the wrong kind; ranges are the caller's to check.
    /// </summary>
    public static SegmentationParameters Read(JsonObject settings, IEnumerable<string>? ignore = null)
    {
        var skip = ignore?.ToHashSet(StringComparer.Ordinal) ?? [];
        var given = new List<(SettingField, object?)>();
        foreach (var (name, value) in settings)
        {
            if (skip.Contains(name)) continue;
            var field = SettingFields.All.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException(Unknown(name));
            given.Add((field, field.ReadJson(value)));
        }
        return SettingFields.Build(given);
    }
}
