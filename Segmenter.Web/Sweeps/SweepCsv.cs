using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Sweeps;

/// <summary>A sweep's grid as CSV, one row per combination: its values, run, state and every score (the page's export and the CLI's sweep.csv).</summary>
public static class SweepCsv
{
    public static string Write(IReadOnlyList<string> axisNames, IEnumerable<SweepCell> cells)
    {
        var columns = axisNames.Select(n => SettingFields.Find(n)?.Column ?? n)
            .Concat(["run_id", "state", "link"]).Concat(SweepMetrics.All.Select(m => m.Name));
        var csv = new StringBuilder().AppendLine(string.Join(',', columns));
        foreach (var c in cells)
        {
            var fields = axisNames.Select(n => Text(c.Values[n])).Concat([c.RunId ?? "", c.State, c.Link ?? ""])
                .Concat(SweepMetrics.All.Select(m => m.Of(c) is double v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""));
            csv.AppendLine(string.Join(',', fields.Select(Quote)));
        }
        return csv.ToString();
    }

    public static string Write(SweepStatus status) => Write(status.Axes.Select(a => a.Key).ToArray(), status.Cells);

    private static string Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";

    private static string Quote(string field) => field.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
