using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The form's values stored by setting name, and their conversion to and from the engine's parameters: filling the
/// form, reading it back, links and JSON all go through <see cref="SettingFields"/>, so a new setting needs no code here.
/// </summary>
internal sealed class FormValues
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>A field's value (null when empty or unparsable).</summary>
    public object? this[string name]
    {
        get => _values.GetValueOrDefault(name);
        set => _values[name] = value;
    }

    /// <summary>Sets the fields shown in <paramref name="place"/> to <paramref name="p"/>'s values.</summary>
    public void FillFrom(SegmentationParameters p, FormPlace place)
    {
        foreach (var f in Fields(place)) _values[f.Name] = f.Get(p);
    }

    /// <summary><paramref name="basis"/> with the fields of the places given; null while one of them is empty.</summary>
    public SegmentationParameters? With(SegmentationParameters basis, params FormPlace[] places)
    {
        var p = basis;
        foreach (var f in places.SelectMany(Fields))
        {
            // An unknown choice goes through as an undefined value, so validation's message names the setting and its choices.
            var value = _values.GetValueOrDefault(f.Name) ?? (f.ValueType.IsEnum ? Enum.ToObject(f.ValueType, -1) : null);
            if (value is null) return null;
            p = f.With(p, value);
        }
        return p;
    }

    public T? Number<T>(string name) where T : struct => _values.GetValueOrDefault(name) as T?;

    /// <summary>An enum field; an empty or unknown one reads as an undefined value so the engine's message names it.</summary>
    public T Choice<T>(string name) where T : struct, Enum => _values.GetValueOrDefault(name) as T? ?? (T)Enum.ToObject(typeof(T), -1);

    private static IEnumerable<SettingField> Fields(FormPlace place) => SettingFields.All.Where(f => f.Form == place && f != SettingFields.Preset);
}
