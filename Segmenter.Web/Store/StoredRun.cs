using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Store;

/// <summary>
/// One finished run as the store keeps it. Columns that the history list, the retention and the API filter or sort
/// by are plain columns; the rest of the run's values travel as one JSON document (<see cref="RunDetails"/>), and
/// the large payloads (labels, segmented PNG, thumbnail) as blobs. The original image is shared by every run of
/// the same upload (<see cref="StoredImage"/>, content-addressed).
/// </summary>
public sealed class StoredRun
{
    /// <summary>Public, unguessable id (128 random bits, base64url): the link <c>/runs/{id}</c> and the API's id.</summary>
    public string Id { get; set; } = "";

    /// <summary>The browser that made the run (its cookie's id); its history lists only its own runs.</summary>
    public string OwnerId { get; set; } = "";

    public DateTime CreatedUtc { get; set; }
    public string? ImageName { get; set; }
    public string ImageSha256 { get; set; } = "";
    public StoredImage? Image { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public int Clusters { get; set; }
    public int Seed { get; set; }
    public bool Reclustered { get; set; }

    /// <summary>Bytes of this row's payloads (not the shared image), for the store's size limit.</summary>
    public long SizeBytes { get; set; }

    /// <summary><see cref="RunDetails"/> as JSON.</summary>
    public string DetailsJson { get; set; } = "";

    /// <summary>The 3D plots' points (<see cref="PlotSample"/>) as JSON; apart from the details, which the history list reads.</summary>
    public string PlotJson { get; set; } = "";

    /// <summary>The run report (report.json) as the download serves it.</summary>
    public string ReportJson { get; set; } = "";

    /// <summary>Cluster index per pixel, row-major, deflate-compressed (<see cref="LabelCodec"/>).</summary>
    public byte[] LabelsDeflated { get; set; } = [];
    public byte[] SegmentedPng { get; set; } = [];
    public byte[] ThumbnailPng { get; set; } = [];

    /// <summary>The trained model (a <c>SavedModel</c> file), so the API can apply it to other images (<c>"fromRun"</c>); null when not kept.</summary>
    public byte[]? Model { get; set; }
}

/// <summary>An uploaded image, stored once however many runs use it; the key is the SHA-256 of its bytes.</summary>
public sealed class StoredImage
{
    public string Sha256 { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public string ContentType { get; set; } = "application/octet-stream";
    public DateTime CreatedUtc { get; set; }
}

/// <summary>The store's schema version, one row; a store written by another version is refused with a clear message.</summary>
public sealed class StoreSchema
{
    public int Id { get; set; }
    public int Version { get; set; }
}

/// <summary>The values of a run the pages show, as they are serialised in <see cref="StoredRun.DetailsJson"/>.</summary>
public sealed record RunDetails(
    SegmentationParameters Parameters,
    IReadOnlyList<EpochLoss> EpochLosses,
    double FinalLoss,
    double Inertia,
    int KMeansIterations,
    double Silhouette,
    double DaviesBouldin,
    StageTimings Timings,
    IReadOnlyList<ClusterSummary> ClusterTable,
    Services.RunScores? Scores = null,
    RunEdit? Edit = null,
    StrokeMap? Strokes = null);
