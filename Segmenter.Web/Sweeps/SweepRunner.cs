using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Sweeps;

/// <summary>A sweep to start: the image's bytes, the settings every run shares (the report's names), the axes, and an optional truth PNG.</summary>
public sealed record SweepRequest(byte[] Image, string? ImageName, JsonObject Settings, IReadOnlyList<SweepAxis> Axes, byte[]? TruthPng = null);

/// <summary>
/// Starts, follows and cancels sweeps. Every combination is an ordinary API run (<see cref="ApiRuns"/>: the same checks,
/// the same job queue and its workers, stored with its thumbnail and summary like any run); the sweep is a stored row
/// pointing at them. Every combination is checked before the first is queued. Combinations are queued in order as
/// the queue takes them: when it is full, the rest wait here for one of the sweep's runs to end, so a sweep larger
/// than the queue still runs whole.
/// </summary>
public sealed class SweepRunner(ApiRuns runs, SweepStore store, RunStore runStore, IOptions<SegmenterOptions> options, ILogger<SweepRunner> logger)
{
    /// <summary>How often a sweep waiting for queue room looks again.</summary>
    public static readonly TimeSpan QueueRetry = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, ActiveSweep> _active = new();
    private readonly ConcurrentDictionary<string, SweepCell> _finishedCells = new();

    public int MaxRuns => options.Value.MaxSweepRuns;

    /// <summary>Why a grid of <paramref name="count"/> runs is refused, or null when it is allowed.</summary>
    public string? Refusal(long count) => count > MaxRuns
        ? $"The sweep has {count} runs; this server runs at most {MaxRuns} in one sweep (Segmenter:MaxSweepRuns). Drop a value or a setting."
        : null;

    /// <summary>Checks every combination, stores the sweep and queues its runs; throws <see cref="ApiProblem"/> (400) when refused, before any run is queued.</summary>
    public async Task<SweepAccepted> StartAsync(SweepRequest request, CancellationToken ct)
    {
        if (Refusal(SweepAxes.Count(request.Axes)) is { } refusal) throw Refused(refusal);
        if (request.Settings.ContainsKey(ApiRuns.FromRun) || request.Settings.ContainsKey(StabilitySeeds.SettingName))
            throw Refused($"A sweep trains each combination once: \"{ApiRuns.FromRun}\" and \"{StabilitySeeds.SettingName}\" cannot be part of it.");
        var (original, image) = await runs.ReadImageAsync(new MemoryStream(request.Image), request.ImageName, ct);
        if (request.TruthPng is { } truth)
        {
            try { TruthScore.ReadLabelMap(new MemoryStream(truth), image.Width, image.Height); }
            catch (ArgumentException e) { throw Refused(e.Message); }
        }
        var combinations = SweepAxes.Combinations(request.Axes);
        var settings = combinations.Select(values => SweepAxes.Settings(request.Settings, request.Axes, values)).ToArray();
        foreach (var (combination, i) in settings.Select((s, i) => (s, i)))
        {
            try { runs.ReadSettings(combination).Validate(image.PixelCount); }
            catch (ArgumentException e) { throw Refused($"{Describe(request.Axes, combinations[i])}: {e.Message}"); }
            catch (ApiProblem e) { throw Refused($"{Describe(request.Axes, combinations[i])}: {e.Message}"); }
        }

        var sweep = new StoredSweep
        {
            Id = RunCodec.NewId(), CreatedUtc = DateTime.UtcNow, ImageName = request.ImageName,
            AxesJson = SweepAxes.ToJson(request.Axes).ToJsonString(), SettingsJson = request.Settings.ToJsonString(),
            RunIdsJson = JsonSerializer.Serialize(new string?[settings.Length]), TruthPng = request.TruthPng,
        };
        await store.AddAsync(sweep, ct);
        // Decoded once: every run of the sweep works on this image and shares the work on it alone (blur, texture,
        // baselines); the sweep holds it while it queues, each run while it runs.
        var active = new ActiveSweep(sweep.Id, new DecodedUpload(original, new SharedImageWork(image)), request.ImageName, settings);
        _active[sweep.Id] = active;
        logger.LogInformation("Sweep {Id}: {Count} runs over {Axes}", sweep.Id, settings.Length, SweepAxes.ToText(request.Axes));
        // The first runs are queued before the answer, so a client gets their ids at once; the rest as the queue takes them.
        await QueueWhileRoomAsync(active);
        if (!active.AllQueued) _ = Task.Run(() => FeedAsync(active), CancellationToken.None);
        else Done(active);
        var status = AppUrls.ApiSweep(sweep.Id);
        return new SweepAccepted(sweep.Id, settings.Length, active.RunIds.ToArray(), status, AppUrls.Rooted(AppUrls.Sweep(sweep.Id)));
    }

    /// <summary>Stops the sweep: combinations not yet queued are skipped, queued and running runs cancelled; finished runs stay. False when unknown.</summary>
    public async Task<bool> CancelAsync(string id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } sweep) return false;
        if (_active.TryGetValue(id, out var active)) active.Stop();
        await store.CancelAsync(id, ct);
        var ids = active?.RunIds.ToArray() ?? SweepStore.RunIds(sweep);
        foreach (var runId in ids.OfType<string>()) await runs.CancelAsync(runId, ct);
        logger.LogInformation("Sweep {Id} cancelled", id);
        return true;
    }

    /// <summary>The sweep and every cell's state and scores, or null when there is no such sweep.</summary>
    public async Task<SweepStatus?> StatusAsync(string id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } sweep) return null;
        var axes = (JsonObject)JsonNode.Parse(sweep.AxesJson)!;
        var names = axes.Select(a => a.Key).ToArray();
        var values = SweepAxes.Combinations(axes.Select(a => ((JsonArray)a.Value!).ToArray()).Select(Axis).ToArray());
        _active.TryGetValue(id, out var active);
        var ids = active?.RunIds.ToArray() ?? SweepStore.RunIds(sweep);
        var cells = new SweepCell[ids.Length];
        int[]? truth = null;
        for (int i = 0; i < ids.Length; i++)
        {
            var cellValues = new JsonObject();
            for (int a = 0; a < names.Length; a++) cellValues[names[a]] = ((JsonNode?)values[i][a])?.DeepClone();
            cells[i] = ids[i] is { } runId
                ? await CellAsync(i, cellValues, runId, sweep, (w, h) => truth ??= TruthScore.ReadLabelMap(new MemoryStream(sweep.TruthPng!), w, h), ct)
                : new SweepCell(i, cellValues, null, sweep.Cancelled ? SweepCellStates.Skipped : active?.ErrorOf(i) is { } e ? RunStates.Failed : SweepCellStates.Waiting,
                    0, null, null, Error: active?.ErrorOf(i));
        }
        var pending = cells.Any(c => c.State is SweepCellStates.Waiting or RunStates.Queued or RunStates.Running);
        var state = pending ? SweepStatus.Running : sweep.Cancelled ? SweepStatus.Cancelled : SweepStatus.Finished;
        return new SweepStatus(sweep.Id, state, DateTime.SpecifyKind(sweep.CreatedUtc, DateTimeKind.Utc), sweep.ImageName, axes,
            (JsonObject)JsonNode.Parse(sweep.SettingsJson)!, sweep.TruthPng is not null, cells, AppUrls.Rooted(AppUrls.Sweep(sweep.Id)));
    }

    /// <summary>A stored axis's JSON values, in order: laying out the combinations needs no setting to read them.</summary>
    private static SweepAxis Axis(JsonNode?[] values) => new(Engine.Pipeline.SettingFields.Preset, values);

    private async Task<SweepCell> CellAsync(int index, JsonObject values, string runId, StoredSweep sweep, Func<int, int, int[]> truth, CancellationToken ct)
    {
        if (_finishedCells.TryGetValue(runId, out var known)) return known with { Index = index, Values = values };
        var status = await runs.StatusAsync(runId, ct);
        if (status is null) return new SweepCell(index, values, runId, SweepCellStates.Gone, 0, null, null);
        var link = AppUrls.Rooted(AppUrls.Run(runId));
        if (status.Result is not { } result)
            return new SweepCell(index, values, runId, status.State, status.QueuePosition, link, null,
                FinalLoss: status.EpochLosses.Count > 0 ? status.EpochLosses[^1].Loss : null, Error: status.Error);
        var scores = result.Scores;
        if (sweep.TruthPng is not null && scores?.TruthAri is null && truth(result.Width, result.Height) is { } t && await runStore.GetLabelsAsync(runId, ct) is { } labels)
        {
            // The truth belongs to the sweep: each run is scored once as it is first read finished, and its stored scores keep it.
            var score = TruthScore.Of(t, StabilitySeeds.Ints(labels));
            scores = (scores ?? RunScores.None) with { TruthAri = score.Ari, TruthMeanIoU = score.MatchedMeanIoU };
            await runStore.UpdateScoresAsync(runId, scores, ct);
        }
        var cell = new SweepCell(index, values, runId, status.State, 0, link, AppUrls.Rooted(AppUrls.RunFileUrl(runId, RunFile.Thumbnail)),
            result.FinalLoss, result.Silhouette, result.DaviesBouldin, JsonNumbers.Finite(scores?.TruthAri ?? double.NaN),
            JsonNumbers.Finite(scores?.TruthMeanIoU ?? double.NaN), scores?.RgbBaselineAri, scores?.LabBaselineAri, result.Timings.TotalSeconds);
        _finishedCells[runId] = cell;
        return cell;
    }

    private async Task FeedAsync(ActiveSweep active)
    {
        try
        {
            while (!active.AllQueued && !active.Stopped)
            {
                await Task.Delay(QueueRetry, active.Token);
                await QueueWhileRoomAsync(active);
            }
        }
        catch (OperationCanceledException) when (active.Stopped) { }
        catch (Exception e) { logger.LogError(e, "Sweep {Id} stopped queueing", active.Id); }
        finally { Done(active); }
    }

    /// <summary>Queues the sweep's next combinations until the queue says it is full (then they wait for room).</summary>
    private async Task QueueWhileRoomAsync(ActiveSweep active)
    {
        while (active.Next is { } i && !active.Stopped)
        {
            ApiRun run;
            try { run = await runs.QueueAsync(active.Upload, active.ImageName, active.Settings[i], CancellationToken.None); }
            catch (ApiProblem e) when (e.Status == StatusCodes.Status503ServiceUnavailable) { return; }
            catch (ApiProblem e)
            {
                active.Fail(i, e.Message);
                continue;
            }
            active.Queued(i, run.Id);
            await store.SetRunAsync(active.Id, i, run.Id, CancellationToken.None);
        }
    }

    /// <summary>Every combination is queued (or the sweep stopped): the sweep lets its shared image work go to the runs still holding it.</summary>
    private void Done(ActiveSweep active)
    {
        _active.TryRemove(active.Id, out _);
        active.Upload.Work.Release();
    }

    private static string Describe(IReadOnlyList<SweepAxis> axes, IReadOnlyList<object?> values)
        => string.Join(", ", axes.Select((a, i) => $"{a.Name}={a.Field.ToText(values[i]) ?? "none"}"));

    internal static ApiProblem Refused(string detail) => new(StatusCodes.Status400BadRequest, "The sweep was refused", detail);

    /// <summary>A sweep whose combinations are still being queued in this process.</summary>
    private sealed class ActiveSweep(string id, DecodedUpload upload, string? imageName, JsonObject[] settings)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly string?[] _runIds = new string?[settings.Length];
        private readonly ConcurrentDictionary<int, string> _errors = new();
        private int _next;

        public string Id => id;
        public DecodedUpload Upload => upload;
        public string? ImageName => imageName;
        public JsonObject[] Settings => settings;
        public IReadOnlyList<string?> RunIds => _runIds;
        public CancellationToken Token => _stop.Token;
        public bool Stopped => _stop.IsCancellationRequested;
        public bool AllQueued => Volatile.Read(ref _next) >= settings.Length;
        public int? Next => Volatile.Read(ref _next) is var n && n < settings.Length ? n : null;

        public void Queued(int index, string runId)
        {
            Volatile.Write(ref _runIds[index], runId);
            Interlocked.Increment(ref _next);
        }

        public void Fail(int index, string error)
        {
            _errors[index] = error;
            Interlocked.Increment(ref _next);
        }

        public string? ErrorOf(int index) => _errors.GetValueOrDefault(index);

        public void Stop() => _stop.Cancel();
    }
}
