using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Segmenter.Engine.Pipeline;

/// <summary>Which record of <see cref="SegmentationParameters"/> a setting belongs to.</summary>
public enum SettingGroup { Training, Clustering }

/// <summary>Where the page's form shows a setting: not at all (the preset decides), among the main fields, or under "Advanced".</summary>
public enum FormPlace { None, Main, Advanced }

/// <summary>
/// One setting, written once: its report/JSON name, the short key old links use (<c>k</c>), its record, how its value
/// reads and writes as JSON and as text, the CLI option derived from its name (<c>codeSize</c> → <c>--code-size</c>),
/// and what a form or a reference shows of it: label, hint and range (from the constants its check uses).
/// Values travel as boxed <see cref="object"/>s of <see cref="ValueType"/> (int, int?, double, bool or an enum).
/// </summary>
public sealed record SettingField(string Name, SettingGroup Group, Type ValueType,
    Func<SegmentationParameters, object?> Getter, Func<SegmentationParameters, object?, SegmentationParameters> Setter)
{
    /// <summary>The key a settings link uses: the alias when there is one (kept so old links still open).</summary>
    public string LinkKey => LinkAlias ?? Name;
    public string? LinkAlias { get; init; }

    /// <summary>Where the page's form shows it (fields in the form are written into its links); the others come from the preset.</summary>
    public FormPlace Form { get; init; }

    /// <summary>The CLI option: the name kebab-cased.</summary>
    public string Option => "--" + JsonNamingPolicy.KebabCaseLower.ConvertName(Name);

    /// <summary>Older spellings of the CLI option that still work.</summary>
    public IReadOnlyList<string> OptionAliases { get; init; } = [];

    /// <summary>The CSV column: the name snake-cased.</summary>
    public string Column => JsonNamingPolicy.SnakeCaseLower.ConvertName(Name);

    /// <summary>The form's label for it ("Code size").</summary>
    public string Label { get; init; } = "";

    /// <summary>What it does and which values it takes, in a sentence or two (the form's hint, the reference's text).</summary>
    public string Hint { get; init; } = "";

    /// <summary>The smallest value allowed, when there is one (the check may allow less in a special case its hint names, e.g. 0 = off).</summary>
    public double? Min { get; init; }

    /// <summary>The largest value allowed, when there is one.</summary>
    public double? Max { get; init; }

    /// <summary>The increment a form's spinner moves by, when not 1.</summary>
    public double? Step { get; init; }

    /// <summary>The only values allowed, when the setting takes a few (an enum's values, the attention heads); null for a range.</summary>
    public IReadOnlyList<object>? Allowed
    {
        get => allowed ?? (EnumType is { } et ? Enum.GetValues(et).Cast<object>().ToArray() : null);
        init => allowed = value;
    }
    private readonly IReadOnlyList<object>? allowed;

    /// <summary>How a form names one of the <see cref="Allowed"/> values ("k-means++"); by default the value itself.</summary>
    public Func<object, string> ChoiceLabel { get; init; } = v => v.ToString()!;

    /// <summary>The engine's range check of this setting alone: its message, or null when the value is allowed.</summary>
    public Func<SegmentationParameters, string?>? Check { get; init; }

    /// <summary>What is wrong with <paramref name="value"/> for this setting (the engine's message), or null.</summary>
    public string? Problem(object? value) => Check?.Invoke(With(new SegmentationParameters(), value));

    public object? Get(SegmentationParameters p) => Getter(p);
    public SegmentationParameters With(SegmentationParameters p, object? value) => Setter(p, value);

    private Type? EnumType => (Nullable.GetUnderlyingType(ValueType) ?? ValueType) is { IsEnum: true } t ? t : null;
    private bool Optional => Nullable.GetUnderlyingType(ValueType) is not null;

    /// <summary>As the report writes it: numbers as numbers, enum values by their lower-case name.</summary>
    public JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        Enum e => JsonValue.Create(e.ToString().ToLowerInvariant()),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        _ => throw new InvalidOperationException($"No JSON form for {value.GetType()}."),
    };

    /// <summary>As text for a link, a CSV cell or a message (invariant culture, round-trip numbers).</summary>
    public string? ToText(object? value) => value switch
    {
        null => null,
        Enum e => e.ToString().ToLowerInvariant(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!.ToLowerInvariant(),
    };

    /// <summary>A JSON value; <see cref="ArgumentException"/> naming the setting when it is of the wrong kind.</summary>
    public object? ReadJson(JsonNode? v)
    {
        if (v is null && Optional) return null;
        if (v is JsonValue j)
        {
            if (EnumType is { } et) return j.TryGetValue<string>(out var s) ? Choice(et, s) : throw Wrong(v.ToJsonString());
            var kind = j.GetValueKind();
            // Read from its JSON text: a value built in code (JsonValue.Create(3)) converts only to its own type.
            if (kind == JsonValueKind.Number && double.TryParse(j.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                return Number(x, v.ToJsonString());
            if (kind is JsonValueKind.True or JsonValueKind.False && Is<bool>()) return j.GetValue<bool>();
        }
        throw Wrong(v?.ToJsonString() ?? "null");
    }

    /// <summary>A text value (a link's, a CLI option's); <see cref="ArgumentException"/> naming the setting when it does not parse.</summary>
    public object? ReadText(string s)
    {
        if (Optional && s.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        if (EnumType is { } et) return Choice(et, s);
        if (Is<bool>()) return bool.TryParse(s, out var b) ? b : throw Wrong($"'{s}'");
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? Number(x, $"'{s}'") : throw Wrong($"'{s}'");
    }

    private bool Is<T>() => (Nullable.GetUnderlyingType(ValueType) ?? ValueType) == typeof(T);

    private object Number(double x, string given) =>
        Is<double>() ? (object)x
        : Is<int>() && x == Math.Floor(x) && x is >= int.MinValue and <= int.MaxValue ? (int)x
        : throw Wrong(given);

    /// <summary>An enum value by name, case-insensitive; a number is refused (Enum.TryParse would take "7").</summary>
    private object Choice(Type et, string s) =>
        !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) && Enum.TryParse(et, s, ignoreCase: true, out var parsed)
            ? parsed! : throw Wrong(JsonValue.Create(s).ToJsonString());

    /// <summary>The values in the CLI help: "relu|gelu|…", "N", "X", "true|false".</summary>
    public string HelpValue => EnumType is { } et ? string.Join('|', Enum.GetNames(et).Select(n => n.ToLowerInvariant()))
        : Is<bool>() ? "true|false" : Is<double>() ? "X" : Optional ? "N|none" : "N";

    /// <summary>What values this setting takes, for messages and help.</summary>
    public string Expects => EnumType is { } et ? "one of " + string.Join(", ", Enum.GetNames(et).Select(n => $"\"{n.ToLowerInvariant()}\""))
        : Is<bool>() ? "true or false"
        : Is<double>() ? "a number"
        : Optional ? "a whole number (or none)" : "a whole number";

    private ArgumentException Wrong(string given) => new($"The setting \"{Name}\" must be {Expects}; got {given}.");
}
