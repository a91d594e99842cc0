using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Jobs;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Api;

/// <summary>
/// The HTTP API's runs: validated like the page's (the same limits and messages), queued, and saved to the
/// <see cref="RunStore"/> when they finish, under the id the client polls. On one machine (the embedded store) they
/// queue in this process's <see cref="JobRunner"/> beside the page's runs, and only queued, running and recently ended
/// runs are tracked here. With a shared PostgreSQL store they queue durably in the job engine (<see cref="DurableRuns"/>):
/// any worker runs them and any instance answers for them. Either way a finished run is read back from the store.
/// </summary>
public sealed class ApiRuns(JobRunner runner, RunStore store, RunPublisher publisher,
    IOptions<SegmenterOptions> options, ILogger<ApiRuns> logger, JobMetrics metrics, DurableRuns? durable = null)
{
    /// <summary>The store's owner id of runs made through the API (browsers' histories do not list them).</summary>
    public const string Owner = "api";

    /// <summary>Ended runs remembered for their state (a failure's message, a cancellation); older ones are forgotten.</summary>
    public const int RememberedEndedRuns = 1000;

    private readonly SegmenterOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ApiRun> _runs = new();
    private readonly ConcurrentQueue<string> _ended = new();

    /// <summary>The settings name that applies a stored run's model instead of training.</summary>
    public const string FromRun = "fromRun";

    /// <summary>Checks the settings and the image as the page does, then queues the run; throws <see cref="ApiProblem"/> when refused.</summary>
    /// <param name="scribblesPng">Optional strokes (a label PNG of the image's size): the run's labels then come from stroke-guided re-clustering.</param>
    public async Task<ApiRun> SubmitAsync(Stream image, string? fileName, string? settingsJson, CancellationToken ct, byte[]? scribblesPng = null)
        => await QueueAsync(image, fileName, ParseSettings(settingsJson), ct, scribblesPng);

    /// <summary><see cref="SubmitAsync"/> with the settings already a JSON object (a sweep's combination): the same checks, the same queue.</summary>
    internal async Task<ApiRun> QueueAsync(Stream image, string? fileName, JsonObject settings, CancellationToken ct, byte[]? scribblesPng = null)
    {
        var settingsJson = settings.ToJsonString(); // as posted: preparing takes some settings out of the object
        return await QueueAsync(await PrepareAsync(image, fileName, settings, scribblesPng, ct), settingsJson, fileName, scribblesPng, ct);
    }

    /// <summary>
    /// <see cref="QueueAsync(Stream, string?, JsonObject, CancellationToken, byte[]?)"/> for an upload read and decoded once for many runs
    /// (a sweep's): the same checks of the settings, and the run takes the work on the image alone from <paramref name="upload"/>.
    /// </summary>
    internal async Task<ApiRun> QueueAsync(DecodedUpload upload, string? fileName, JsonObject settings, CancellationToken ct)
    {
        var settingsJson = settings.ToJsonString();
        return await QueueAsync(await PrepareAsync(_ => Task.FromResult((upload.Original, upload.Work.Image)), fileName, settings, null, ct, upload.Work),
            settingsJson, fileName, null, ct);
    }

    private async Task<ApiRun> QueueAsync(PreparedRun prepared, string settingsJson, string? fileName, byte[]? scribblesPng, CancellationToken ct)
    {
        if (durable is not null)
        {
            using (prepared) return await durable.SubmitAsync(prepared, settingsJson, scribblesPng, ct);
        }
        var run = new ApiRun(RunCodec.NewId(), prepared.PlannedEpochs);
        try
        {
            run.Job = runner.Submit($"api {fileName} k={prepared.Parameters.Clusters}" + (prepared.FromRun is null ? "" : $" from {prepared.FromRun}"),
                jobCt => Task.Run(() => ExecuteTracked(run, prepared, jobCt), CancellationToken.None));
        }
        catch (ServerBusyException e)
        {
            prepared.Dispose();
            throw Busy(e.Message);
        }
        _runs[run.Id] = run;
        metrics.Submitted();
        // The job owns the prepared run (its applied model) and frees it when it ends. Its tensors' memory goes back to
        // the C heap, whose per-thread arenas keep it (hundreds of MB over a sweep) unless trimmed.
        _ = run.Job.Completion.ContinueWith(t =>
        {
            prepared.Dispose();
            Engine.TorchRuntime.ReleaseFreedNativeMemory();
            Ended(run, t.Result);
        }, TaskScheduler.Default);
        return run;
    }

    /// <summary>503 with a retry hint: every slot and queue place is taken.</summary>
    internal static ApiProblem Busy(string message)
        => new(StatusCodes.Status503ServiceUnavailable, "The server is busy", message, ApiProblem.BusyRetrySeconds);

    /// <summary>
    /// Validates a run's upload, settings and strokes exactly as a submit does and decodes what the run needs. A worker
    /// prepares a queued run again from its stored upload with this same code, so both read it alike.
    /// </summary>
    internal Task<PreparedRun> PrepareAsync(Stream image, string? fileName, JsonObject settings, byte[]? scribblesPng, CancellationToken ct)
        => PrepareAsync(c => ReadImageAsync(image, fileName, c), fileName, settings, scribblesPng, ct, shared: null);

    private async Task<PreparedRun> PrepareAsync(Func<CancellationToken, Task<(byte[] Original, RgbImage Image)>> read, string? fileName,
        JsonObject settings, byte[]? scribblesPng, CancellationToken ct, SharedImageWork? shared)
    {
        string? fromRun = null;
        SavedModel? model = null;
        byte[]? modelFile = null;
        SegmentationParameters parameters;
        int? stabilitySeeds = null;
        if (settings[FromRun] is { } from)
        {
            fromRun = from is JsonValue v && v.TryGetValue<string>(out var id) ? id : throw ApiProblem.BadSettings($"\"{FromRun}\" must be a run's id (a string).");
            if (settings.Select(kv => kv.Key).FirstOrDefault(k => k != FromRun) is { } other)
                throw ApiProblem.BadSettings($"\"{FromRun}\" applies the stored run's model with its own settings; \"{other}\" cannot change them.");
            modelFile = await store.GetModelAsync(fromRun, ct)
                ?? throw ApiProblem.BadSettings($"There is no stored run \"{fromRun}\" with a trained model to apply.");
            try { model = SavedModel.Load(new MemoryStream(modelFile)); }
            catch (InvalidDataException e) { throw ApiProblem.BadSettings($"The model of run \"{fromRun}\" cannot be used: {e.Message}"); }
            parameters = model.Parameters;
        }
        else
        {
            try { stabilitySeeds = StabilitySeeds.Take(settings); }
            catch (ArgumentException e) { throw ApiProblem.BadSettings(e.Message); }
            parameters = ReadSettings(settings);
        }

        try
        {
            var (original, decoded) = await read(ct);
            try { parameters.Validate(decoded.PixelCount); }
            catch (ArgumentException e) { throw ApiProblem.BadSettings(e.Message); }
            Scribbles? strokes = null;
            if (scribblesPng is not null)
            {
                try { strokes = Scribbles.ReadLabelPng(new MemoryStream(scribblesPng), decoded.Width, decoded.Height); }
                catch (ArgumentException e) { throw ApiProblem.BadScribbles(e.Message); }
                if (strokes.Brushes().Length == 0) throw ApiProblem.BadScribbles($"The scribbles hold no stroke: paint pixels with brush values 1…{Scribbles.MaxBrushes}, or leave the part out.");
            }
            var prepared = new PreparedRun(parameters, decoded, original, fileName, model, modelFile, fromRun, stabilitySeeds, strokes) { Shared = shared?.Hold() };
            model = null; // the prepared run owns it now
            return prepared;
        }
        finally { model?.Dispose(); }
    }

    /// <summary>Reads the upload within the byte limit and decodes it within the pixel limit, with the loader's messages.</summary>
    internal async Task<(byte[] Original, RgbImage Image)> ReadImageAsync(Stream image, string? fileName, CancellationToken ct)
    {
        try
        {
            var loaded = await ImageLoader.LoadWithBytesAsync(image, _options.ImageLimits, ct);
            return (loaded.Bytes, loaded.Image);
        }
        catch (ImageRejectedException e) { throw ApiProblem.BadImage(e.Message); }
        catch (Exception e) when (e is IOException or InvalidOperationException or NotImplementedException or ArgumentException)
        {
            throw ApiProblem.BadImage($"Could not read \"{fileName}\": {e.Message}");
        }
    }

    internal static JsonObject ParseSettings(string? settingsJson)
    {
        try
        {
            return string.IsNullOrWhiteSpace(settingsJson) ? [] : JsonNode.Parse(settingsJson) as JsonObject
                ?? throw ApiProblem.BadSettings("The settings must be a JSON object, e.g. {\"clusters\":3,\"epochs\":3}.");
        }
        catch (JsonException e) { throw ApiProblem.BadSettings($"The settings are not valid JSON: {e.Message}"); }
    }

    /// <summary>The report's parameter names (absent ones from the preset), checked with the server's limits (<see cref="RunLimits"/>), as the page's form.</summary>
    internal SegmentationParameters ReadSettings(JsonObject settings)
    {
        SegmentationParameters p;
        try { p = ReportParameters.Read(settings); }
        catch (ArgumentException e) { throw ApiProblem.BadSettings(e.Message); }
        if (RunLimits.Problem(p, RunLimits.MaxLearningRate(_options.MaxLearningRate)) is { } error) throw ApiProblem.BadSettings(error);
        try { p.Validate(long.MaxValue); }
        catch (ArgumentException e) { throw ApiProblem.BadSettings(e.Message); }
        return p;
    }

    /// <summary>The run's state: tracked while it waits, runs or recently ended; a finished run comes from the store.</summary>
    public async Task<SegmentationStatus?> StatusAsync(string id, CancellationToken ct)
    {
        if (durable is not null)
        {
            if (await durable.StatusAsync(id, ct) is { } pending) return pending;
        }
        else
        {
            _runs.TryGetValue(id, out var run);
            if (run is not null && run.State != RunStates.Finished)
                return new SegmentationStatus(id, run.State, run.QueuePosition, run.PlannedEpochs, run.Losses, run.Error, LinkOf(id), null);
        }
        var stored = await store.GetAsync(id, ct);
        if (stored is null) return null;
        var d = stored.Summary.Details;
        var summary = new SegmentationSummary(stored.Summary.Width, stored.Summary.Height, ReportParameters.ToJson(d.Parameters),
            JsonNumbers.Finite(d.FinalLoss), JsonNumbers.Finite(d.Inertia), JsonNumbers.Finite(d.Silhouette), JsonNumbers.Finite(d.DaviesBouldin), d.ClusterTable, d.Timings,
            new SegmentationFiles(FileUrl(id, RunFile.Labels), FileUrl(id, RunFile.Segmented), FileUrl(id, RunFile.Report),
                d.Strokes is null ? null : FileUrl(id, RunFile.Strokes)),
            d.Scores?.Stability, d.Scores);
        var losses = d.EpochLosses.Select(e => new EpochLossDto(e.Epoch, e.Loss, e.ElapsedSeconds)).ToArray();
        return new SegmentationStatus(id, RunStates.Finished, 0, d.Parameters.Epochs, losses, null, LinkOf(id), summary);
    }

    /// <summary>"queued" or "running" while the run has no files yet; null otherwise.</summary>
    public string? PendingState(string id)
    {
        if (durable is not null) return durable.PendingState(id);
        return _runs.TryGetValue(id, out var run) && run.State is RunStates.Queued or RunStates.Running ? run.State : null;
    }

    /// <summary>Cancels a queued or running run (waiting a moment for it to stop), or deletes a finished API run; false when unknown.</summary>
    public async Task<bool> CancelOrDeleteAsync(string id, CancellationToken ct)
    {
        bool tracked;
        if (durable is not null)
        {
            var outcome = await durable.CancelAsync(id, ct);
            if (outcome == DurableRuns.CancelOutcome.Cancelled) return true;
            tracked = outcome == DurableRuns.CancelOutcome.Ended;
        }
        else
        {
            if (await CancelAsync(id, ct)) return true;
            tracked = _runs.ContainsKey(id);
        }
        // Only runs made through the API: a browser's run is read-only for whoever has its link, deleted from its page.
        bool deleted = await store.DeleteAsync(id, Owner, ct);
        if (deleted)
        {
            _runs.TryRemove(id, out _);
            if (durable is not null) await durable.ForgetAsync(id, ct);
        }
        else if (!tracked && await store.GetAsync(id, ct) is not null)
            throw new ApiProblem(StatusCodes.Status403Forbidden, "Not an API run",
                $"The run \"{id}\" was made in a browser; it can be read here but deleted only from its page.");
        else if (tracked && durable is not null) await durable.ForgetAsync(id, ct);
        return deleted || tracked;
    }

    /// <summary>API runs waiting and running (every instance's, when they share the store): the metrics' gauges.</summary>
    public (int Queued, int Running) Counts()
    {
        if (durable is not null) return durable.Counts();
        int queued = 0, running = 0;
        foreach (var r in _runs.Values)
        {
            if (r.State == RunStates.Queued) queued++;
            else if (r.State == RunStates.Running) running++;
        }
        return (queued, running);
    }

    /// <summary>Cancels a queued or running run (waiting a moment for it to stop); false when it is not queued or running (a finished run stays).</summary>
    internal async Task<bool> CancelAsync(string id, CancellationToken ct)
    {
        if (durable is not null) return await durable.CancelAsync(id, ct) == DurableRuns.CancelOutcome.Cancelled;
        if (!_runs.TryGetValue(id, out var run) || run.State is not (RunStates.Queued or RunStates.Running)) return false;
        run.Job!.Cancel();
        await Task.WhenAny(run.Job.Completion, Task.Delay(TimeSpan.FromSeconds(5), ct));
        return true;
    }

    public static string StatusUrl(string id) => AppUrls.ApiRun(id);
    public static string FileUrl(string id, RunFile file) => AppUrls.ApiRunFile(id, RunEndpoints.FileName(file));
    public static string LinkOf(string id) => AppUrls.Rooted(AppUrls.Run(id));

    private void ExecuteTracked(ApiRun run, PreparedRun prepared, CancellationToken ct)
    {
        try { Execute(run.Id, prepared, l => run.Add(l), ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e) { run.Error = ErrorOf(e); throw; }
    }

    /// <summary>Trains (or applies the stored model), steers by the strokes, and stores the run under <paramref name="id"/>.</summary>
    internal void Execute(string id, PreparedRun prepared, Action<EpochLoss> epochEnded, CancellationToken ct)
    {
        var trained = prepared.Model is { } applied
            ? applied.Apply(prepared.Image, e => { if (e is EpochCompleted { Loss: var l }) epochEnded(l); }, ct)
            : prepared.Shared is { } shared
                ? SegmentationPipeline.Run(shared, prepared.Parameters, e => { if (e is EpochCompleted { Loss: var l }) epochEnded(l); }, ct)
                : SegmentationPipeline.Run(prepared.Image, prepared.Parameters, e => { if (e is EpochCompleted { Loss: var l }) epochEnded(l); }, ct);
        using var model = trained.Model; // the job holds the model it trained; the steered result shares it
        var steered = prepared.Strokes is null ? null : SteerByStrokes(trained, prepared.Strokes, ct);
        publisher.Publish(new FinishedRun(steered ?? trained, prepared.Image, prepared.FileName)
        {
            StabilitySeeds = prepared.StabilitySeeds, Strokes = prepared.Strokes, ModelFile = prepared.ModelFile, FromRun = prepared.FromRun,
        }, new ApiTarget(id, prepared.Original, prepared.Shared), ct);
    }

    /// <summary>The message a failed run reports: a bad setting's or a diverged training's own words, else "The run failed: …".</summary>
    internal static string ErrorOf(Exception e)
        => e is ArgumentException or TrainingFailedException ? e.Message : $"The run failed: {e.Message}";

    /// <summary>An API run is stored under the id its client polls, owned by the API; any failure fails the run.</summary>
    private sealed class ApiTarget(string id, byte[] original, SharedImageWork? shared) : PublishTarget
    {
        public override string Owner => ApiRuns.Owner;
        public override string NewRunId() => id;
        public override byte[] OriginalOf(RgbImage image) => original;

        public override IReadOnlyList<BaselineView> BaselinesBeside(RgbImage image, SegmentationResult result, CancellationToken ct)
            => shared is not null && ReferenceEquals(image, shared.Image)
                ? shared.BaselinesBeside(result.Labels, result.Parameters.Clusters, result.Parameters.Seed, result.Parameters.MaxPixels, ct)
                : base.BaselinesBeside(image, result, ct);
    }

    /// <summary>The trained codes re-clustered with the strokes as constraints, at the run's k (or more, one cluster per brush).</summary>
    private static SegmentationResult SteerByStrokes(SegmentationResult trained, Scribbles strokes, CancellationToken ct)
    {
        var model = TrainedModel.Of(trained);
        var (codes, dims) = model.PixelCodes(ct);
        var clusters = model.ReclusterWithStrokes(codes, dims, strokes, trained.Parameters.Clusters, ct);
        return model.Relabel(trained, clusters, codes, dims, ct);
    }

    private void Ended(ApiRun run, JobState outcome)
    {
        if (outcome == JobState.Failed) run.Error ??= "The run failed.";
        metrics.Ended(outcome switch { JobState.Completed => RunStates.Finished, JobState.Cancelled => RunStates.Cancelled, _ => RunStates.Failed });
        run.EndedAs = outcome switch
        {
            JobState.Completed => RunStates.Finished,
            JobState.Cancelled => RunStates.Cancelled,
            _ => RunStates.Failed,
        };
        logger.LogInformation("API run {Id} {State}", run.Id, run.State);
        _ended.Enqueue(run.Id);
        while (_ended.Count > RememberedEndedRuns && _ended.TryDequeue(out var old)) _runs.TryRemove(old, out _);
    }
}

/// <summary>One API run: as this process tracks it (the embedded store), or as accepted into the shared queue.</summary>
public sealed class ApiRun
{
    private EpochLossDto[] _losses = [];
    private readonly string? _acceptedState;
    private readonly int _acceptedPosition;

    public ApiRun(string id, int plannedEpochs)
    {
        Id = id;
        PlannedEpochs = plannedEpochs;
    }

    /// <summary>A run accepted into the shared queue: its state and place at acceptance (status answers from the store).</summary>
    internal ApiRun(string id, int plannedEpochs, string state, int queuePosition) : this(id, plannedEpochs)
    {
        _acceptedState = state;
        _acceptedPosition = queuePosition;
    }

    public string Id { get; }
    public int PlannedEpochs { get; }

    /// <summary>The in-process job (the embedded store); null for a run in the shared queue.</summary>
    public JobHandle? Job { get; internal set; }
    public volatile string? Error;

    /// <summary>Set once when the job ends (after a finished run was stored); until then the job runner's state speaks.</summary>
    internal volatile string? EndedAs;

    public string State => EndedAs ?? _acceptedState ?? (Job!.State == JobState.Queued ? RunStates.Queued : RunStates.Running);

    /// <summary>1-based place in line while queued; 0 once running.</summary>
    public int QueuePosition => Job?.QueuePosition ?? _acceptedPosition;
    public IReadOnlyList<EpochLossDto> Losses => Volatile.Read(ref _losses);

    internal void Add(EpochLoss l) => Volatile.Write(ref _losses, [.. Volatile.Read(ref _losses), new EpochLossDto(l.Epoch, l.Loss, l.ElapsedSeconds)]);
}

/// <summary>An upload read and decoded once for many runs (a sweep's), with the work on the image alone that they share.</summary>
internal sealed record DecodedUpload(byte[] Original, SharedImageWork Work);

/// <summary>A validated run, decoded: what training needs. Owns the stored model it applies (if any).</summary>
internal sealed record PreparedRun(SegmentationParameters Parameters, RgbImage Image, byte[] Original, string? FileName,
    SavedModel? Model, byte[]? ModelFile, string? FromRun, int? StabilitySeeds, Scribbles? Strokes) : IDisposable
{
    /// <summary>The work on the image alone that this run shares with other runs of it (a sweep's); null when it has it to itself.</summary>
    public SharedImageWork? Shared { get; init; }

    /// <summary>Epochs the run trains (none when it applies a stored model).</summary>
    public int PlannedEpochs => Model is null ? Parameters.Epochs : 0;

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Model?.Dispose();
        Shared?.Release();
    }
}
