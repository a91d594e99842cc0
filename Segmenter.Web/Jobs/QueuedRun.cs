namespace Segmenter.Web.Jobs;

/// <summary>
/// An API run between its acceptance and its end when instances share a PostgreSQL store: everything a worker needs
/// to run it (the upload, its settings, its strokes), where it stands, its epoch losses so far and whether it was asked
/// to stop. Any web instance answers status, files and cancel from this row; the job engine carries only the id.
/// The finished run itself lives in the run store under the same id, written once.
/// </summary>
public sealed class QueuedRun
{
    /// <summary>The run's public id: the API's id and the stored run's.</summary>
    public string Id { get; set; } = "";

    /// <summary>One of <see cref="Api.RunStates"/>.</summary>
    public string State { get; set; } = Api.RunStates.Queued;

    public DateTime CreatedUtc { get; set; }
    public DateTime? StartedUtc { get; set; }
    public DateTime? EndedUtc { get; set; }

    /// <summary>Written by the worker running it every poll; a running row whose heartbeat stopped waits for another worker.</summary>
    public DateTime? HeartbeatUtc { get; set; }

    public string? ImageName { get; set; }

    /// <summary>The upload's own bytes, as posted.</summary>
    public byte[] Original { get; set; } = [];

    /// <summary>The posted settings JSON (null: the preset's defaults).</summary>
    public string? SettingsJson { get; set; }

    /// <summary>The posted strokes (a label PNG), or null.</summary>
    public byte[]? ScribblesPng { get; set; }

    public int PlannedEpochs { get; set; }

    /// <summary>The epoch losses so far, as JSON (<see cref="Api.EpochLossDto"/>[]).</summary>
    public string LossesJson { get; set; } = "[]";

    public string? Error { get; set; }

    /// <summary>Set by a cancel from any instance; the worker running it stops within a poll.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>Times a worker started it; a worker killed mid-run leaves it to the next, up to a bound.</summary>
    public int Attempts { get; set; }

    /// <summary>The worker that runs or ran it last (host and process id), for the logs and the operator.</summary>
    public string? Worker { get; set; }

    /// <summary>The job engine's id of its job.</summary>
    public string? JobId { get; set; }
}
