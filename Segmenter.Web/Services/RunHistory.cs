using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// One finished run as the history keeps it: plain values and a small PNG data URL, never the
/// <see cref="SegmentationResult"/> (that holds the trained model's native memory).
/// </summary>
public sealed record RunRecord(
    int Number,
    DateTime FinishedUtc,
    string? ImageName,
    SegmentationParameters Parameters,
    bool Reclustered,
    IReadOnlyList<EpochLoss> Losses,
    double FinalLoss,
    double Inertia,
    double Silhouette,
    double DaviesBouldin,
    StageTimings Timings,
    string? ThumbnailDataUrl,
    string? RunId = null,
    RunScores? Scores = null)
{
    public int Clusters => Parameters.Clusters;
    public int Seed => Parameters.Seed;
    public Preset Preset => Parameters.Preset;
    public double Seconds => Timings.TotalSeconds;

    /// <summary>The model's shape in one cell, e.g. "code 16 · h64 · 1+1 · gelu".</summary>
    public string Model => SettingsSummary.Model(Parameters);

    /// <summary>K-means' settings in one cell, e.g. "k-means++ ×4 · 300 it · tol 0.0001".</summary>
    public string KMeans => SettingsSummary.KMeans(Parameters);

    /// <summary>The run's permanent link (<c>runs/{id}</c>, relative to the page's base), when it is stored.</summary>
    public string? Link => RunId is null ? null : AppUrls.Run(RunId);

    /// <summary>"k=4 · 30 ep · seed 42", for legends and captions.</summary>
    public string Label => $"#{Number} k={Clusters}" + (Reclustered ? " (re-clustered)" : $" · {Parameters.Epochs} ep") + $" · seed {Seed}";
}

/// <summary>
/// The finished runs of one session (scoped: one per circuit), oldest first, with the user's selection for
/// comparison; with a store, the browser's stored runs are read in (<see cref="AttachAsync"/>) and later runs are
/// stored under its id (<see cref="Owner"/>). Thread-safe.
/// </summary>
public sealed class RunHistory(SessionChanges? changes = null, Store.RunStore? store = null, ILogger<RunHistory>? logger = null)
{
    /// <summary>Runs kept; the oldest are dropped beyond this (each holds a thumbnail and its loss curve).</summary>
    public const int Capacity = 50;

    private readonly object _gate = new();
    private readonly List<RunRecord> _runs = [];
    private readonly HashSet<int> _selected = [];
    private int _next;

    /// <summary>The browser's history id (from its cookie), or null: then runs are not stored.</summary>
    public string? Owner { get; private set; }

    public IReadOnlyList<RunRecord> Runs { get { lock (_gate) return _runs.ToArray(); } }
    public int Count { get { lock (_gate) return _runs.Count; } }

    /// <summary>Numbers of the selected runs, in run order.</summary>
    public IReadOnlyList<int> Selected { get { lock (_gate) return _selected.Order().ToArray(); } }

    public IReadOnlyList<RunRecord> SelectedRuns { get { lock (_gate) return _runs.Where(r => _selected.Contains(r.Number)).ToArray(); } }

    public bool CanCompare { get { lock (_gate) return _selected.Count >= 2; } }

    /// <summary>Reads the browser's stored runs into the history; from then on finished runs are stored under its id.</summary>
    public async Task AttachAsync(string? ownerId)
    {
        if (store is null || !Store.RunCodec.IsId(ownerId) || Owner is not null) return;
        Owner = ownerId;
        try
        {
            var runs = await store.ListAsync(ownerId!, Capacity);
            foreach (var r in runs.Reverse()) Add(ToRecord(r));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger?.LogError(ex, "Could not read the run history");
            changes?.Fail($"The run history could not be read from the store: {ex.Message}");
        }
        changes?.RaiseChanged();
    }

    private static RunRecord ToRecord(Store.StoredRunSummary r)
        => new(0, r.CreatedUtc, r.ImageName, r.Details.Parameters, r.Reclustered, r.Details.EpochLosses, r.Details.FinalLoss, r.Details.Inertia,
            r.Details.Silhouette, r.Details.DaviesBouldin, r.Details.Timings, r.ThumbnailPng.Length > 0 ? Thumbnails.DataUrl(r.ThumbnailPng) : null, r.Id, r.Details.Scores);

    /// <summary>Deletes a run of the history from the store and the list.</summary>
    public async Task<bool> DeleteAsync(int number)
    {
        var record = Runs.FirstOrDefault(r => r.Number == number);
        if (record is null) return false;
        try
        {
            if (record.RunId is { } id && store is not null) await store.DeleteAsync(id, Owner);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger?.LogError(ex, "Could not delete run {Id}", record.RunId);
            changes?.Fail($"Could not delete run #{number}: {ex.Message}");
            return false;
        }
        Remove(number);
        changes?.RaiseChanged();
        return true;
    }

    /// <summary>Adds a run, numbering it (1, 2, …); returns the record as stored.</summary>
    public RunRecord Add(RunRecord run)
    {
        lock (_gate)
        {
            var stored = run with { Number = ++_next };
            _runs.Add(stored);
            while (_runs.Count > Capacity)
            {
                _selected.Remove(_runs[0].Number);
                _runs.RemoveAt(0);
            }
            return stored;
        }
    }

    /// <summary>Puts a later version of a stored run (its scores, say) in its place; false when it has been dropped.</summary>
    public bool Update(RunRecord run)
    {
        lock (_gate)
        {
            int at = _runs.FindIndex(r => r.Number == run.Number);
            if (at < 0) return false;
            _runs[at] = run;
            return true;
        }
    }

    public bool IsSelected(int number) { lock (_gate) return _selected.Contains(number); }

    public void SetSelected(int number, bool selected)
    {
        lock (_gate)
        {
            if (!selected) _selected.Remove(number);
            else if (_runs.Any(r => r.Number == number)) _selected.Add(number);
        }
    }

    /// <summary>Removes one run (and its selection).</summary>
    public void Remove(int number)
    {
        lock (_gate) { _runs.RemoveAll(r => r.Number == number); _selected.Remove(number); }
    }

    public void Clear()
    {
        lock (_gate) { _runs.Clear(); _selected.Clear(); }
    }

    public static readonly string[] CsvColumns =
    [
        "run", "finished_utc", "image", "reclustered", .. SettingFields.All.Select(f => f.Column), "final_loss", "inertia", "silhouette", "davies_bouldin", "train_seconds", "total_seconds",
        "stability", "truth_ari", "truth_miou", "rgb_baseline_ari", "lab_baseline_ari",
    ];

    /// <summary>A header line and one line per run (invariant culture, RFC 4180 quoting, text cells safe from formula injection).</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', CsvColumns)).Append("\r\n");
        foreach (var r in Runs)
        {
            string[] cells =
            [
                Num(r.Number), r.FinishedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Segmenter.Engine.CsvCell.Text(r.ImageName ?? ""),
                r.Reclustered ? "true" : "false", .. SettingCells(r.Parameters), Num(r.FinalLoss), Num(r.Inertia),
                Num(r.Silhouette), Num(r.DaviesBouldin), Num(r.Timings.TrainSeconds), Num(r.Timings.TotalSeconds),
                Num(r.Scores?.Stability), Num(r.Scores?.TruthAri), Num(r.Scores?.TruthMeanIoU), Num(r.Scores?.RgbBaselineAri), Num(r.Scores?.LabBaselineAri),
            ];
            sb.Append(string.Join(',', cells)).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>Every setting as the link writes it (e.g. "gelu", "kmeansplusplus", 0.0001; empty for none).</summary>
    private static IEnumerable<string> SettingCells(SegmentationParameters p)
        => SettingFields.All.Select(f => f.Get(p) is Enum e ? Segmenter.Engine.CsvCell.Text(f.ToText(e)!) : f.ToText(f.Get(p)) ?? "");

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Num(double? v) => v is { } d ? Num(d) : "";
    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
