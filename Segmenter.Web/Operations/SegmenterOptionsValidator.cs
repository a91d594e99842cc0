using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;
using Segmenter.Web.Services;

namespace Segmenter.Web.Operations;

/// <summary>
/// Checks every <see cref="RangeAttribute"/> and <see cref="AllowedValuesAttribute"/> of <see cref="SegmenterOptions"/> and
/// words a failure with the configuration key a person edits ("Segmenter:MaxUploadBytes"), the allowed range or values and the value found.
/// Registered with <c>ValidateOnStart</c>, so a bad appsettings.json stops the app before it serves anyone.
/// </summary>
public sealed class SegmenterOptionsValidator : IValidateOptions<SegmenterOptions>
{
    private static readonly (PropertyInfo Property, RangeAttribute Range)[] Checked = Attributed<RangeAttribute>();
    private static readonly (PropertyInfo Property, AllowedValuesAttribute Allowed)[] Choices = Attributed<AllowedValuesAttribute>();

    private static (PropertyInfo, T)[] Attributed<T>() where T : Attribute
        => typeof(SegmenterOptions).GetProperties()
            .Select(p => (p, p.GetCustomAttribute<T>()))
            .Where(t => t.Item2 is not null)
            .Select(t => (t.p, t.Item2!))
            .ToArray();

    public ValidateOptionsResult Validate(string? name, SegmenterOptions options)
    {
        var failures = new List<string>();
        foreach (var (property, range) in Checked)
        {
            var value = property.GetValue(options);
            if (value is double d && !double.IsFinite(d) || !range.IsValid(value))
                failures.Add(Describe(property.Name, range, value));
        }
        foreach (var (property, allowed) in Choices)
        {
            var value = property.GetValue(options);
            if (!allowed.IsValid(value))
                failures.Add($"{SegmenterOptions.Section}:{property.Name} must be one of {string.Join(", ", allowed.Values.Select(Format))}; got {Format(value)}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>"Segmenter:MaxUploadBytes must be between 1 and 2147483647; got -5."</summary>
    private static string Describe(string property, RangeAttribute range, object? value)
        => $"{SegmenterOptions.Section}:{property} must be between {Format(range.Minimum)} and {Format(range.Maximum)}; got {Format(value)}.";

    private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "nothing";
}
