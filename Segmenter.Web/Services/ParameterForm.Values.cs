using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The form's values stored by setting name, so filling the form, reading it back into parameters, links and JSON all
/// go through <see cref="SettingFields"/>; the typed properties are the page's view of the same values.
/// </summary>
public sealed partial class ParameterForm
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>A form field's value by its setting (null when empty or unparsable); the preset reads the form's preset.</summary>
    public object? this[SettingField field]
    {
        get => field == SettingFields.Preset ? Preset : _values.GetValueOrDefault(field.Name);
        set
        {
            if (field.Form is FormPlace.None || field == SettingFields.Preset)
                throw new ArgumentException($"The form has no field for \"{field.Name}\".", nameof(field));
            _values[field.Name] = value;
        }
    }

    /// <summary>Sets the fields shown in <paramref name="place"/> to <paramref name="p"/>'s values.</summary>
    internal void FillFrom(SegmentationParameters p, FormPlace place)
    {
        foreach (var f in Fields(place)) _values[f.Name] = f.Get(p);
    }

    /// <summary><paramref name="basis"/> with the fields of the places given; null while one of them is empty.</summary>
    private SegmentationParameters? With(SegmentationParameters basis, params FormPlace[] places)
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

    private static IEnumerable<SettingField> Fields(FormPlace place) => SettingFields.All.Where(f => f.Form == place && f != SettingFields.Preset);

    private T? Number<T>(string name) where T : struct => _values.GetValueOrDefault(name) as T?;

    /// <summary>An enum field; an empty or unknown one reads as an undefined value so the engine's message names it.</summary>
    private T Choice<T>(string name) where T : struct, Enum => _values.GetValueOrDefault(name) as T? ?? (T)Enum.ToObject(typeof(T), -1);
}
