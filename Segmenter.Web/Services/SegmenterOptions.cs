using System.ComponentModel.DataAnnotations;
using Segmenter.Engine.Imaging;

namespace Segmenter.Web.Services;

/// <summary>
/// Settings bound from the "Segmenter" configuration section. Each range is written once, here, as a
/// <see cref="RangeAttribute"/>: <see cref="Segmenter.Web.Operations.SegmenterOptionsValidator"/> checks them at start-up
/// and refuses to start with a message naming the key and its allowed range.
/// </summary>
public sealed class SegmenterOptions
{
    public const string Section = "Segmenter";

    /// <summary>Largest upload accepted, in bytes; enforced while the upload is read (a MemoryStream holds at most 2 GiB).</summary>
    [Range(1L, int.MaxValue)]
    public long MaxUploadBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Runs trained at the same time; default one per core. Torch trains each run on one thread, so concurrent runs
    /// share the cores without slowing each other further, and one run per core is what the machine can serve
    /// (docs/performance.md, "Capacity").
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentJobs { get; set; } = DefaultConcurrentJobs;

    public static int DefaultConcurrentJobs => Math.Clamp(Environment.ProcessorCount, 1, 256);

    /// <summary>Runs that may wait for a slot; the next one is told the server is busy.</summary>
    [Range(0, 10_000)]
    public int MaxQueueLength { get; set; } = 8;

    /// <summary>The most runs one sweep may queue (the product of its axes' value counts); a bigger grid is refused with a message.</summary>
    [Range(1, 1000)]
    public int MaxSweepRuns { get; set; } = DefaultMaxSweepRuns;

    public const int DefaultMaxSweepRuns = 27;

    /// <summary>
    /// Largest learning rate the form accepts. Above 1 training only diverges, so raising it is for demonstrating
    /// (and testing end to end) how a diverged run is reported.
    /// </summary>
    [Range(0.00001, double.MaxValue)] // no upper bound: a server may let absurd rates through to show divergence
    public double MaxLearningRate { get; set; } = RunLimits.DefaultMaxLearningRate;

    /// <summary>
    /// Seconds a circuit's connection may stay down (network loss, a crashed browser) before its job is cancelled;
    /// a reconnect within that time keeps the job. 0 cancels at once.
    /// </summary>
    [Range(0.0, 3600.0)]
    public double DisconnectGraceSeconds { get; set; } = 5;

    /// <summary>Largest image accepted, in pixels.</summary>
    [Range(1L, 1_000_000_000L)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>The loader's limits from <see cref="MaxUploadBytes"/> and <see cref="MaxPixels"/>: the page and the API read uploads alike.</summary>
    public ImageLimits ImageLimits => new() { MaxBytes = MaxUploadBytes, MaxPixels = MaxPixels };

    /// <summary>Keys a client must send in <c>X-Api-Key</c> to use the HTTP API; empty (the default) leaves the API open.</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>Folder of the embedded run store (SQLite); default a <c>data</c> folder beside the app.</summary>
    public string? DataFolder { get; set; }

    /// <summary>Runs the store keeps; the oldest are evicted beyond it.</summary>
    [Range(1, 10_000_000)]
    public int MaxStoredRuns { get; set; } = 1000;

    /// <summary>Megabytes the store may hold (runs and their originals); the oldest runs are evicted beyond it.</summary>
    [Range(1.0, 10_000_000.0)]
    public double MaxStoreMegabytes { get; set; } = 2048;

    /// <summary>
    /// Megabytes of heavy, reloadable state (decoded images, trained models, encoded PNGs) all sessions together
    /// keep in memory; beyond it the least recently used idle session gives its state up (it reloads from the store).
    /// </summary>
    [Range(16.0, 1_000_000.0)]
    public double MaxResidentMegabytes { get; set; } = 1024;
}
