namespace Segmenter.Web.Services;

/// <summary>Settings bound from the "Segmenter" configuration section.</summary>
public sealed class SegmenterOptions
{
    public const string Section = "Segmenter";

    /// <summary>Largest upload accepted, in bytes; enforced while the upload is read.</summary>
    public long MaxUploadBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Runs trained at the same time (each uses every core, so 1 is usually right).</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>Runs that may wait for a slot; the next one is told the server is busy.</summary>
    public int MaxQueueLength { get; set; } = 8;

    /// <summary>
    /// Largest learning rate the form accepts. Above 1 training only diverges, so raising it is for demonstrating
    /// (and testing end to end) how a diverged run is reported.
    /// </summary>
    public double MaxLearningRate { get; set; } = ParameterForm.DefaultMaxLearningRate;

    /// <summary>
    /// Seconds a circuit's connection may stay down (network loss, a crashed browser) before its job is cancelled;
    /// a reconnect within that time keeps the job. 0 cancels at once.
    /// </summary>
    public double DisconnectGraceSeconds { get; set; } = 5;

    /// <summary>Largest image accepted, in pixels.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Folder of the embedded run store (SQLite); default a <c>data</c> folder beside the app.</summary>
    public string? DataFolder { get; set; }

    /// <summary>Runs the store keeps; the oldest are evicted beyond it.</summary>
    public int MaxStoredRuns { get; set; } = 1000;

    /// <summary>Megabytes the store may hold (runs and their originals); the oldest runs are evicted beyond it.</summary>
    public double MaxStoreMegabytes { get; set; } = 2048;

    /// <summary>
    /// Megabytes of heavy, reloadable state (decoded images, trained models, encoded PNGs) all sessions together
    /// keep in memory; beyond it the least recently used idle session gives its state up (it reloads from the store).
    /// </summary>
    public double MaxResidentMegabytes { get; set; } = 1024;
}
