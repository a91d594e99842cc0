using System.Text.Json;
using System.Text.Json.Nodes;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The run report's "parameters" object, both ways: written into report.json and saved models, and read back from
/// a saved model or from an HTTP API request's settings (the same names, so a report's parameters can be posted as
/// they are). Reading starts from the preset's values and overrides only the names given.
/// </summary>
public static class ReportParameters
{
    private static readonly Dictionary<string, Func<SegmentationParameters, JsonNode?, SegmentationParameters>> Readers = new(StringComparer.Ordinal)
    {
        ["preset"] = (p, _) => p, // applied first, in Read
        ["clusters"] = (p, v) => p with { Clusters = Int(v, "clusters") },
        ["epochs"] = (p, v) => p with { Epochs = Int(v, "epochs") },
        ["heads"] = (p, v) => p with { Heads = Int(v, "heads") },
        ["window"] = (p, v) => p with { Window = Int(v, "window") },
        ["decoderTarget"] = (p, v) => p with { DecoderTarget = Choice<DecoderTarget>(v, "decoderTarget") },
        ["inputColours"] = (p, v) => p with { InputColours = Choice<InputColours>(v, "inputColours") },
        ["batch"] = (p, v) => p with { BatchSize = Int(v, "batch") },
        ["lr"] = (p, v) => p with { LearningRate = Number(v, "lr") },
        ["seed"] = (p, v) => p with { Seed = Int(v, "seed") },
        ["cosineDecay"] = (p, v) => p with { CosineDecay = Bool(v, "cosineDecay") },
        ["trainingSample"] = (p, v) => p with { TrainingSample = v is null ? null : Int(v, "trainingSample") },
        ["clusteringSample"] = (p, v) => p with { ClusteringSample = v is null ? null : Int(v, "clusteringSample") },
        ["labelSmoothing"] = (p, v) => p with { LabelSmoothing = Int(v, "labelSmoothing") },
        ["kmeansRestarts"] = (p, v) => p with { KMeansRestarts = Int(v, "kmeansRestarts") },
        ["kmeansMaxIterations"] = (p, v) => p with { KMeansMaxIterations = Int(v, "kmeansMaxIterations") },
        ["kmeansTolerance"] = (p, v) => p with { KMeansTolerance = Number(v, "kmeansTolerance") },
        ["kmeansInit"] = (p, v) => p with { KMeansInit = Choice<Clustering.KMeansInit>(v, "kmeansInit") },
        ["codeSize"] = (p, v) => p with { CodeSize = Int(v, "codeSize") },
        ["hiddenWidth"] = (p, v) => p with { HiddenWidth = Int(v, "hiddenWidth") },
        ["encoderDepth"] = (p, v) => p with { EncoderDepth = Int(v, "encoderDepth") },
        ["decoderDepth"] = (p, v) => p with { DecoderDepth = Int(v, "decoderDepth") },
        ["activation"] = (p, v) => p with { Activation = Choice<Activation>(v, "activation") },
    };

    /// <summary>Every name <see cref="Read"/> accepts, in report order.</summary>
    public static IReadOnlyCollection<string> Names => Readers.Keys;

    public static JsonObject ToJson(SegmentationParameters p) => new()
    {
        ["preset"] = p.Preset.ToString().ToLowerInvariant(),
        ["clusters"] = p.Clusters,
        ["epochs"] = p.Epochs,
        ["heads"] = p.Heads,
        ["window"] = p.Window,
        ["decoderTarget"] = p.DecoderTarget.ToString().ToLowerInvariant(),
        ["inputColours"] = p.InputColours.ToString().ToLowerInvariant(),
        ["batch"] = p.BatchSize,
        ["lr"] = p.LearningRate,
        ["seed"] = p.Seed,
        ["cosineDecay"] = p.CosineDecay,
        ["trainingSample"] = p.TrainingSample,
        ["clusteringSample"] = p.ClusteringSample,
        ["labelSmoothing"] = p.LabelSmoothing,
        ["kmeansRestarts"] = p.KMeansRestarts,
        ["kmeansMaxIterations"] = p.KMeansMaxIterations,
        ["kmeansTolerance"] = p.KMeansTolerance,
        ["kmeansInit"] = p.KMeansInit.ToString().ToLowerInvariant(),
        ["codeSize"] = p.CodeSize,
        ["hiddenWidth"] = p.HiddenWidth,
        ["encoderDepth"] = p.EncoderDepth,
        ["decoderDepth"] = p.DecoderDepth,
        ["activation"] = p.Activation.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The preset's parameters (default fast) with every given name applied. Throws <see cref="ArgumentException"/>
    /// naming the setting for an unknown name or a value of the wrong kind; ranges are the caller's to check.
    /// </summary>
    public static SegmentationParameters Read(JsonObject settings, IEnumerable<string>? ignore = null)
    {
        var skip = ignore?.ToHashSet(StringComparer.Ordinal) ?? [];
        var preset = settings["preset"] switch
        {
            null => Preset.Fast,
            JsonValue v when v.TryGetValue<string>(out var s) && s.Equals("fast", StringComparison.OrdinalIgnoreCase) => Preset.Fast,
            JsonValue v when v.TryGetValue<string>(out var s) && s.Equals("original", StringComparison.OrdinalIgnoreCase) => Preset.Original,
            var other => throw new ArgumentException($"Unknown preset {other.ToJsonString()}; use \"fast\" or \"original\"."),
        };
        var p = SegmentationParameters.ForPreset(preset);
        foreach (var (name, value) in settings)
        {
            if (skip.Contains(name)) continue;
            if (!Readers.TryGetValue(name, out var apply))
                throw new ArgumentException($"Unknown setting \"{name}\"; the settings are {string.Join(", ", Names)}.");
            p = apply(p, value);
        }
        return p;
    }

    private static int Int(JsonNode? v, string name)
        => v is JsonValue j && j.GetValueKind() == JsonValueKind.Number && j.TryGetValue<int>(out var i) ? i
            : v is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && x is >= int.MinValue and <= int.MaxValue ? (int)x
            : throw new ArgumentException($"The setting \"{name}\" must be a whole number; got {v?.ToJsonString() ?? "null"}.");

    private static double Number(JsonNode? v, string name)
        => v is JsonValue j && j.GetValueKind() == JsonValueKind.Number && j.TryGetValue<double>(out var d) ? d
            : throw new ArgumentException($"The setting \"{name}\" must be a number; got {v?.ToJsonString() ?? "null"}.");

    private static T Choice<T>(JsonNode? v, string name) where T : struct, Enum
        => v is JsonValue j && j.TryGetValue<string>(out var s) && Enum.TryParse<T>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"The setting \"{name}\" must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => $"\"{n.ToLowerInvariant()}\""))}; got {v?.ToJsonString() ?? "null"}.");

    private static bool Bool(JsonNode? v, string name)
        => v is JsonValue j && j.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? j.GetValue<bool>()
            : throw new ArgumentException($"The setting \"{name}\" must be true or false; got {v?.ToJsonString() ?? "null"}.");
}
