using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Segmenter.Bench.Quality;

/// <summary>One method on one input with one seed: its scores and its time (median over the repeats).</summary>
internal sealed record Measurement(int Seed, double Ari, double? Pri, double Seconds);

/// <summary>A method's row: its measurements per input, or why it has none.</summary>
internal sealed class QualityRow(QualityMethod method)
{
    public QualityMethod Method { get; } = method;
    public Dictionary<string, List<Measurement>> ByInput { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>Set when the method's parameters equal an earlier row's: its runs were not repeated, their results reused.</summary>
    public string? SameAs { get; set; }

    public double? Ari(string input) => Mean(input, m => m.Ari);
    public double? Pri(string input) => ByInput.TryGetValue(input, out var ms) && ms.All(m => m.Pri is not null) ? ms.Average(m => m.Pri!.Value) : null;
    public double? Seconds(string input) => Mean(input, m => m.Seconds);

    /// <summary>Means over the inputs, only when the row has every input (a partial mean would not compare).</summary>
    public double? MeanOver(IReadOnlyList<string> inputs, Func<string, double?> value) =>
        inputs.Count > 0 && inputs.All(i => value(i) is not null) ? inputs.Average(i => value(i)!.Value) : null;

    private double? Mean(string input, Func<Measurement, double> value) =>
        ByInput.TryGetValue(input, out var ms) && ms.Count > 0 ? ms.Average(value) : null;
}

/// <summary>
/// One set of inputs (the scenes, or the photos) scored by every method. The Markdown printed and the JSON written
/// are both rendered from this object, so the printed figures are the JSON's, rounded.
/// </summary>
internal sealed class QualityTable(string kind, string title, bool hasPri)
{
    public string Kind { get; } = kind;
    public string Title { get; } = title;
    public bool HasPri { get; } = hasPri;
    public List<(string Name, int Clusters, int Width, int Height)> Inputs { get; } = [];
    public List<QualityRow> Rows { get; } = [];

    private IReadOnlyList<string> Names => Inputs.Select(i => i.Name).ToList();

    public static string F(double? v, string format = "0.000") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "–";

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## {Title}");
        sb.AppendLine();
        // Per-input columns only when they fit on a screen; the JSON always has them.
        bool perInput = !HasPri && Inputs.Count <= 12;
        var header = new List<string> { "method" };
        if (perInput) header.AddRange(Inputs.Select(i => $"{i.Name} (k={i.Clusters})"));
        header.Add("mean ARI");
        if (HasPri) header.Add("mean PRI");
        header.Add($"s / {Kind}");
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in Rows)
        {
            var cells = new List<string> { row.Method.Label + (row.SameAs is { } same ? $" (= {same})" : "") };
            if (perInput) cells.AddRange(Names.Select(n => row.Errors.ContainsKey(n) ? "failed" : F(row.Ari(n))));
            cells.Add(F(row.MeanOver(Names, row.Ari)));
            if (HasPri) cells.Add(F(row.MeanOver(Names, row.Pri)));
            cells.Add(F(row.MeanOver(Names, row.Seconds), "0.00"));
            sb.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        foreach (var row in Rows)
            foreach (var (input, error) in row.Errors)
                sb.AppendLine($"- {row.Method.Label} on {input}: {error}");
        return sb.ToString().TrimEnd();
    }

    public JsonObject ToJson()
    {
        JsonNode? N(double? v) => v is { } x && double.IsFinite(x) ? JsonValue.Create(x) : null;
        return new JsonObject
        {
            ["title"] = Title,
            ["inputs"] = new JsonArray(Inputs.Select(i => (JsonNode)new JsonObject
            {
                ["name"] = i.Name, ["clusters"] = i.Clusters, ["width"] = i.Width, ["height"] = i.Height,
            }).ToArray()),
            ["rows"] = new JsonArray(Rows.Select(r => (JsonNode)new JsonObject
            {
                ["method"] = r.Method.Id,
                ["label"] = r.Method.Label,
                ["sameAs"] = r.SameAs,
                ["meanAri"] = N(r.MeanOver(Names, r.Ari)),
                ["meanPri"] = HasPri ? N(r.MeanOver(Names, r.Pri)) : null,
                ["meanSeconds"] = N(r.MeanOver(Names, r.Seconds)),
                ["perInput"] = new JsonObject(Names.Select(n => KeyValuePair.Create(n, (JsonNode?)new JsonObject
                {
                    ["ari"] = N(r.Ari(n)),
                    ["pri"] = HasPri ? N(r.Pri(n)) : null,
                    ["seconds"] = N(r.Seconds(n)),
                    ["error"] = r.Errors.GetValueOrDefault(n),
                    ["perSeed"] = new JsonArray((r.ByInput.GetValueOrDefault(n) ?? []).Select(m => (JsonNode)new JsonObject
                    {
                        ["seed"] = m.Seed, ["ari"] = m.Ari, ["pri"] = N(m.Pri), ["seconds"] = m.Seconds,
                    }).ToArray()),
                }))),
            }).ToArray()),
        };
    }
}
