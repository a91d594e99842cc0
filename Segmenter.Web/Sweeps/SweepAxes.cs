using System.Globalization;
using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Sweeps;

/// <summary>One setting of a sweep and the values it takes, in order (boxed as the setting's own value type).</summary>
public sealed record SweepAxis(SettingField Field, IReadOnlyList<object?> Values)
{
    public string Name => Field.Name;

    /// <summary>The values as text ("1", "0.002", "gelu"), as a link or CSV cell writes them.</summary>
    public IReadOnlyList<string> Texts => Values.Select(v => Field.ToText(v) ?? "none").ToArray();
}

/// <summary>
/// A sweep's axes: up to <see cref="MaxAxes"/> settings of the one settings table (<see cref="SettingFields.All"/>), each
/// with a list of values or a range with a step, read from the CLI's text (<c>window=1,3,5;heads=1,2,4</c>,
/// <c>epochs=10..30:10</c>) or the API's JSON (<c>{"window":[1,3,5],"lr":{"from":0.001,"to":0.003,"step":0.001}}</c>).
/// Every value is read and range-checked by its setting (the settings' own messages) before any run is queued; a
/// mistake throws <see cref="ArgumentException"/> with that message.
/// </summary>
public static class SweepAxes
{
    public const int MaxAxes = 3;

    /// <summary>A range expands to at most this many values: past it the grid is far beyond any server's sweep limit.</summary>
    public const int MaxValuesPerAxis = 1000;

    /// <summary>The CLI's form: axes separated by ';', each <c>name=v1,v2,…</c> or <c>name=from..to:step</c>.</summary>
    public static IReadOnlyList<SweepAxis> Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var axes = new List<SweepAxis>();
        foreach (var part in parts)
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"A sweep axis is written name=values (e.g. window=1,3,5 or epochs=10..30:10); got \"{part}\".");
            var name = part[..eq].Trim();
            var values = part[(eq + 1)..].Trim();
            axes.Add(values.Contains("..", StringComparison.Ordinal) ? RangeText(name, values) : List(name, Split(values)));
        }
        return Checked(axes);
    }

    /// <summary>The API's form: a JSON object whose keys are settings and whose values are arrays or {"from","to","step"}.</summary>
    public static IReadOnlyList<SweepAxis> Read(JsonObject axes)
    {
        var list = new List<SweepAxis>();
        foreach (var (name, node) in axes)
        {
            list.Add(node switch
            {
                JsonArray values => Of(name, values.Select(v => (Func<SettingField, object?>)(f => f.ReadJson(v))).ToList()),
                JsonObject range => Range(name, Number(range, name, "from"), Number(range, name, "to"), Number(range, name, "step")),
                _ => throw new ArgumentException($"The sweep's \"{name}\" must be a list of values or a range {{\"from\":…,\"to\":…,\"step\":…}}."),
            });
        }
        return Checked(list);
    }

    /// <summary>A setting with a list of values, each read as its setting reads text.</summary>
    public static SweepAxis List(string name, IReadOnlyList<string> values)
        => Of(name, values.Select(v => (Func<SettingField, object?>)(f => f.ReadText(v))).ToList());

    /// <summary>A numeric setting from <paramref name="from"/> to <paramref name="to"/> (inclusive) by <paramref name="step"/>.</summary>
    public static SweepAxis Range(string name, double from, double to, double step)
    {
        var field = FieldOf(name);
        if (!double.IsFinite(step) || step <= 0 || !double.IsFinite(from) || !double.IsFinite(to))
            throw new ArgumentException($"The sweep's range of \"{field.Name}\" needs finite ends and a step greater than 0; got {from}..{to} step {step}.");
        if (to < from) throw new ArgumentException($"The sweep's range of \"{field.Name}\" runs from {from} up to {to}: the end must not be below the start.");
        double count = Math.Floor((to - from) / step + 1e-9) + 1;
        if (count > MaxValuesPerAxis) throw new ArgumentException($"The sweep's range of \"{field.Name}\" has {count:0} values; at most {MaxValuesPerAxis}.");
        var texts = Enumerable.Range(0, (int)count)
            .Select(i => Math.Round(from + i * step, 12).ToString("R", CultureInfo.InvariantCulture)).ToList();
        return List(field.Name, texts);
    }

    /// <summary>How many runs the axes make: the product of their value counts (1 for no axes).</summary>
    public static long Count(IReadOnlyList<SweepAxis> axes) => axes.Aggregate(1L, (n, a) => n * a.Values.Count);

    /// <summary>Every combination, the first axis varying slowest; each is one value per axis, in the axes' order.</summary>
    public static IReadOnlyList<IReadOnlyList<object?>> Combinations(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<IReadOnlyList<object?>> grid = [[]];
        foreach (var axis in axes)
            grid = grid.SelectMany(prefix => axis.Values.Select(v => (IReadOnlyList<object?>)[.. prefix, v]));
        return grid.ToList();
    }

    /// <summary>The run settings of one combination: <paramref name="baseSettings"/> (the report's names) with the axes' values on top.</summary>
    public static JsonObject Settings(JsonObject baseSettings, IReadOnlyList<SweepAxis> axes, IReadOnlyList<object?> values)
    {
        var settings = (JsonObject)baseSettings.DeepClone();
        for (int i = 0; i < axes.Count; i++) settings[axes[i].Name] = axes[i].Field.ToJson(values[i]);
        return settings;
    }

    /// <summary>The axes as the API's JSON, lists only (a range is stored as the values it expanded to).</summary>
    public static JsonObject ToJson(IReadOnlyList<SweepAxis> axes)
    {
        var o = new JsonObject();
        foreach (var a in axes) o[a.Name] = new JsonArray(a.Values.Select(v => a.Field.ToJson(v)).ToArray());
        return o;
    }

    /// <summary>The axes as the CLI writes them ("window=1,3,5;heads=1,2").</summary>
    public static string ToText(IReadOnlyList<SweepAxis> axes) => string.Join(';', axes.Select(a => $"{a.Name}={string.Join(',', a.Texts)}"));

    private static SweepAxis Of(string name, IReadOnlyList<Func<SettingField, object?>> readers)
    {
        var field = FieldOf(name);
        if (readers.Count == 0) throw new ArgumentException($"The sweep's list of \"{field.Name}\" values is empty: give at least one value.");
        var values = new List<object?>();
        foreach (var read in readers)
        {
            var value = read(field);
            if (field.Problem(value) is { } problem) throw new ArgumentException(problem);
            if (!values.Contains(value)) values.Add(value);
        }
        return new SweepAxis(field, values);
    }

    private static SettingField FieldOf(string name)
        => SettingFields.Find(name.Trim()) ?? throw new ArgumentException(ReportParameters.Unknown(name.Trim()));

    private static SweepAxis RangeText(string name, string text)
    {
        // from..to:step
        var colon = text.LastIndexOf(':');
        var dots = text.IndexOf("..", StringComparison.Ordinal);
        if (colon < dots) throw new ArgumentException($"A sweep range is written from..to:step (e.g. epochs=10..30:10); got \"{name}={text}\".");
        double Parse(string s) => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
            : throw new ArgumentException($"A sweep range is written from..to:step with numbers (e.g. epochs=10..30:10); got \"{name}={text}\".");
        return Range(name, Parse(text[..dots]), Parse(text[(dots + 2)..colon]), Parse(text[(colon + 1)..]));
    }

    private static string[] Split(string values) => values.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static double Number(JsonObject range, string name, string key)
        => range[key] is JsonValue v && v.TryGetValue<double>(out var x) ? x
            : throw new ArgumentException($"The sweep's range of \"{name}\" needs a number \"{key}\" (e.g. {{\"from\":10,\"to\":30,\"step\":10}}).");

    private static IReadOnlyList<SweepAxis> Checked(List<SweepAxis> axes)
    {
        if (axes.Count == 0) throw new ArgumentException("A sweep needs at least one setting and its values (e.g. window=1,3,5).");
        if (axes.Count > MaxAxes) throw new ArgumentException($"A sweep varies at most {MaxAxes} settings; got {axes.Count}.");
        if (axes.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"The sweep names \"{twice.Key}\" twice; give each setting once.");
        return axes;
    }
}
