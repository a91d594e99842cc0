using Microsoft.EntityFrameworkCore;

namespace Segmenter.Web.Sweeps;

/// <summary>
/// A sweep as the store keeps it, so its link (<c>/sweeps/{id}</c>) opens for anyone who has it: its axes, the
/// settings every run shares, and one cell per combination holding the run's id once it is queued. The runs
/// themselves are ordinary stored runs (thumbnails, summaries, reports); the sweep only points at them.
/// </summary>
public sealed class StoredSweep
{
    /// <summary>Public, unguessable id (the run store's id form), the link's and the API's.</summary>
    public string Id { get; set; } = "";

    public DateTime CreatedUtc { get; set; }
    public string? ImageName { get; set; }

    /// <summary>The axes as the API's JSON (<see cref="SweepAxes.ToJson"/>): every value listed, in order.</summary>
    public string AxesJson { get; set; } = "";

    /// <summary>The settings every run shares, under the report's names (the axes' values go on top).</summary>
    public string SettingsJson { get; set; } = "";

    /// <summary>The run id of each combination (in <see cref="SweepAxes.Combinations"/> order), null while not queued, as a JSON array.</summary>
    public string RunIdsJson { get; set; } = "";

    /// <summary>The ground truth label PNG the runs are scored against (ARI, mean IoU), when one was given.</summary>
    public byte[]? TruthPng { get; set; }

    /// <summary>Cancel was pressed: combinations not queued by then are never run.</summary>
    public bool Cancelled { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<StoredSweep>(sweep =>
    {
        sweep.ToTable("sweeps");
        sweep.HasKey(s => s.Id);
        sweep.Property(s => s.Id).HasMaxLength(32);
        sweep.HasIndex(s => s.CreatedUtc);
    });
}
