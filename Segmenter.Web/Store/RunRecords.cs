using System.Buffers.Text;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Store;

/// <summary>A finished run handed to <see cref="RunStore.SaveAsync"/>: every value and payload it keeps.</summary>
public sealed record RunToStore(
    string Id,
    string OwnerId,
    string? ImageName,
    byte[] OriginalBytes,
    bool Reclustered,
    int Width,
    int Height,
    RunDetails Details,
    PlotSample Plot,
    string ReportJson,
    byte[] Labels,
    byte[] SegmentedPng,
    byte[] ThumbnailPng,
    byte[]? Model = null);

/// <summary>Builds what the store keeps of a finished run; the page's sessions and the HTTP API store runs the same way.</summary>
public static class RunSnapshot
{
    /// <param name="id">The run's public id (<see cref="RunCodec.NewId"/>), known before the run ends when a caller hands it out early.</param>
    /// <param name="original">The upload's own bytes (stored once per distinct upload).</param>
    /// <param name="mean">The result rendered in cluster mean colours, when the caller already has it.</param>
    /// <param name="thumbnailPng">The history's thumbnail PNG, when the caller already has it.</param>
    /// <param name="meanPng"><paramref name="mean"/> encoded as PNG, when the caller already has it (the page's segmented image).</param>
    /// <param name="edit">The run this one was edited from and how (merge/split/undo/strokes); null for a trained run.</param>
    /// <param name="model">The model to keep (a <see cref="SavedModel"/> file); by default the result's own trained model.</param>
    /// <param name="fromRun">The stored run whose model was applied (no training), recorded in the report.</param>
    /// <param name="strokes">The strokes the result was re-clustered by, kept with the run (<see cref="StrokeMap"/>).</param>
    public static RunToStore Of(string id, string ownerId, string? imageName, byte[] original, SegmentationResult result, RunQuality quality,
        RgbImage? mean = null, byte[]? thumbnailPng = null, byte[]? model = null, string? fromRun = null,
        Services.RunScores? scores = null, byte[]? meanPng = null, RunEdit? edit = null, Engine.Steering.Scribbles? strokes = null)
    {
        // Drawn only when a PNG is missing: the publisher hands both in, and the decoded image is 3 bytes a pixel.
        if (thumbnailPng is null || meanPng is null) mean ??= result.RenderMeanColours();
        thumbnailPng ??= ImageLoader.EncodePng(Services.Thumbnails.Shrink(mean!));
        var details = new RunDetails(result.Parameters, result.EpochLosses.ToArray(), result.FinalLoss, result.Inertia, result.KMeansIterations,
            quality.Silhouette, quality.DaviesBouldin, result.Timings, result.Clusters.ToArray(), scores, edit,
            strokes is null ? null : StrokeMap.Of(strokes));
        double peakMb = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var report = RunReport.Create(result, peakMb, imageName);
        if (fromRun is not null) report["fromRun"] = fromRun;
        if (edit is not null) report["edit"] = System.Text.Json.Nodes.JsonNode.Parse(RunCodec.ToJson(edit));
        if (details.Strokes is { } s)
            report["strokes"] = new System.Text.Json.Nodes.JsonObject
            {
                ["brushes"] = new System.Text.Json.Nodes.JsonArray(s.Brushes.Select(b => (System.Text.Json.Nodes.JsonNode?)b).ToArray()),
                ["strokedPixels"] = s.StrokedPixels,
                ["file"] = RunEndpoints.FileName(RunFile.Strokes),
            };
        if (scores is not null) report["scores"] = System.Text.Json.Nodes.JsonNode.Parse(RunCodec.ToJson(scores));
        return new RunToStore(id, ownerId, imageName, original, result.Reclustered, result.Width, result.Height, details, result.Plot,
            report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), result.Labels, meanPng ?? ImageLoader.EncodePng(mean!), thumbnailPng,
            model ?? ModelOf(result));
    }

    /// <summary>The result's trained model as a <see cref="SavedModel"/> file (about 100 KB), or null when it holds none any more.</summary>
    public static byte[]? ModelOf(SegmentationResult result)
    {
        try
        {
            using var file = new MemoryStream();
            SavedModel.Save(result, file);
            return file.ToArray();
        }
        catch (InvalidOperationException) { return null; } // released by the resident budget, or applied rather than trained
    }
}

/// <summary>A stored run as the history lists it: its values and thumbnail, without the large payloads.</summary>
public sealed record StoredRunSummary(
    string Id, DateTime CreatedUtc, string? ImageName, bool Reclustered, int Width, int Height, RunDetails Details, byte[] ThumbnailPng);

/// <summary>A stored run as its link page shows it: the summary, the plot points and the original's key.</summary>
public sealed record StoredRunView(StoredRunSummary Summary, PlotSample Plot, string ImageSha256, string OwnerId);

/// <summary>The files of a stored run served over HTTP.</summary>
public enum RunFile { Original, Segmented, Labels, Thumbnail, Report, Strokes }

/// <summary>Ids, hashes and the serialisations of the store, each written once.</summary>
public static class RunCodec
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() }, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>128 random bits, base64url (22 characters): a run's id, a browser's history id.</summary>
    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>True when <paramref name="id"/> has the shape <see cref="NewId"/> makes (cheap refusal of junk before a query).</summary>
    public static bool IsId(string? id)
        => id is { Length: 22 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);
    public static T FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"The store holds an empty {typeof(T).Name}.");

    public static byte[] Deflate(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    public static byte[] Inflate(byte[] packed, int length)
    {
        var raw = new byte[length];
        using var z = new ZLibStream(new MemoryStream(packed), CompressionMode.Decompress);
        z.ReadExactly(raw);
        return raw;
    }

    /// <summary>The content type a browser needs to show an upload, from its magic bytes.</summary>
    public static string ContentTypeOf(byte[] bytes) => bytes switch
    {
        [0x89, 0x50, 0x4E, 0x47, ..] => "image/png",
        [0xFF, 0xD8, ..] => "image/jpeg",
        [0x47, 0x49, 0x46, ..] => "image/gif",
        [0x42, 0x4D, ..] => "image/bmp",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => "application/octet-stream",
    };
}
