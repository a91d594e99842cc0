using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Api;

/// <summary>
/// The HTTP API's runs: validated like the page's (the same limits and messages), queued through the same
/// <see cref="JobRunner"/>, and saved to the <see cref="RunStore"/> when they finish, under the id the client polls.
/// Only queued, running and recently ended runs are tracked here; a finished run is read back from the store.
/// </summary>
public sealed class ApiRuns(JobRunner runner, RunStore store, RunPublisher publisher,
    IOptions<SegmenterOptions> options, ILogger<ApiRuns> logger)
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
            var (original, decoded) = await ReadImageAsync(image, fileName, ct);
            try { parameters.Validate(decoded.PixelCount); }
            catch (ArgumentException e) { throw ApiProblem.BadSettings(e.Message); }
            Scribbles? strokes = null;
            if (scribblesPng is not null)
            {
                try { strokes = Scribbles.ReadLabelPng(new MemoryStream(scribblesPng), decoded.Width, decoded.Height); }
                catch (ArgumentException e) { throw ApiProblem.BadScribbles(e.Message); }
                if (strokes.Brushes().Length == 0) throw ApiProblem.BadScribbles($"The scribbles hold no stroke: paint pixels with brush values 1…{Scribbles.MaxBrushes}, or leave the part out.");
            }

            var run = new ApiRun(RunCodec.NewId(), model is null ? parameters.Epochs : 0);
            var applied = model; // the job's own reference: `model` is cleared below once the job owns it
            Func<Action<PipelineEvent>, CancellationToken, SegmentationResult> segment = applied is null
                ? (progress, jobCt) => SegmentationPipeline.Run(decoded, parameters, progress, jobCt)
                : (progress, jobCt) => applied.Apply(decoded, progress, jobCt);
            try
            {
                run.Job = runner.Submit($"api {fileName} k={parameters.Clusters}" + (fromRun is null ? "" : $" from {fromRun}"),
                    jobCt => Task.Run(() => Execute(run, decoded, original, fileName, segment, modelFile, fromRun, stabilitySeeds, strokes, jobCt), CancellationToken.None));
            }
            catch (ServerBusyException e)
            {
                throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "The server is busy", e.Message, ApiProblem.BusyRetrySeconds);
            }
            _runs[run.Id] = run;
            model = null; // the job owns it now and frees it when it ends
            _ = run.Job.Completion.ContinueWith(t => { applied?.Dispose(); Ended(run, t.Result); }, TaskScheduler.Default);
            return run;
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
        _runs.TryGetValue(id, out var run);
        if (run is not null && run.State != RunStates.Finished)
            return new SegmentationStatus(id, run.State, run.Job.QueuePosition, run.PlannedEpochs, run.Losses, run.Error, LinkOf(id), null);
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
        => _runs.TryGetValue(id, out var run) && run.State is RunStates.Queued or RunStates.Running ? run.State : null;

    /// <summary>Cancels a queued or running run (waiting a moment for it to stop), or deletes a finished API run; false when unknown.</summary>
    public async Task<bool> CancelOrDeleteAsync(string id, CancellationToken ct)
    {
        if (await CancelAsync(id, ct)) return true;
        _runs.TryGetValue(id, out var run);
        // Only runs made through the API: a browser's run is read-only for whoever has its link, deleted from its page.
        bool deleted = await store.DeleteAsync(id, Owner, ct);
        if (deleted) _runs.TryRemove(id, out _);
        else if (run is null && await store.GetAsync(id, ct) is not null)
            throw new ApiProblem(StatusCodes.Status403Forbidden, "Not an API run",
                $"The run \"{id}\" was made in a browser; it can be read here but deleted only from its page.");
        return deleted || run is not null;
    }

    /// <summary>Cancels a queued or running run (waiting a moment for it to stop); false when it is not queued or running (a finished run stays).</summary>
    internal async Task<bool> CancelAsync(string id, CancellationToken ct)
    {
        if (!_runs.TryGetValue(id, out var run) || run.State is not (RunStates.Queued or RunStates.Running)) return false;
        run.Job.Cancel();
        await Task.WhenAny(run.Job.Completion, Task.Delay(TimeSpan.FromSeconds(5), ct));
        return true;
    }

    public static string StatusUrl(string id) => AppUrls.ApiRun(id);
    public static string FileUrl(string id, RunFile file) => AppUrls.ApiRunFile(id, RunEndpoints.FileName(file));
    public static string LinkOf(string id) => AppUrls.Rooted(AppUrls.Run(id));

    private void Execute(ApiRun run, RgbImage image, byte[] original, string? fileName,
        Func<Action<PipelineEvent>, CancellationToken, SegmentationResult> segment, byte[]? modelFile, string? fromRun, int? stabilitySeeds,
        Scribbles? strokes, CancellationToken ct)
    {
        try
        {
            var trained = segment(e => { if (e is EpochCompleted { Loss: var l }) run.Add(l); }, ct);
            using var model = trained.Model; // the job holds the model it trained; the steered result shares it
            var steered = strokes is null ? null : SteerByStrokes(trained, strokes, ct);
            publisher.Publish(new FinishedRun(steered ?? trained, image, fileName)
            {
                StabilitySeeds = stabilitySeeds, Strokes = strokes, ModelFile = modelFile, FromRun = fromRun,
            }, new ApiTarget(run.Id, original), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e) when (e is ArgumentException or TrainingFailedException) { run.Error = e.Message; throw; }
        catch (Exception e) { run.Error = $"The run failed: {e.Message}"; throw; }
    }

    /// <summary>An API run is stored under the id its client polls, owned by the API; any failure fails the run.</summary>
    private sealed class ApiTarget(string id, byte[] original) : PublishTarget
    {
        public override string Owner => ApiRuns.Owner;
        public override string NewRunId() => id;
        public override byte[] OriginalOf(RgbImage image) => original;
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

/// <summary>One API run while the API tracks it.</summary>
public sealed class ApiRun(string id, int plannedEpochs)
{
    private EpochLossDto[] _losses = [];

    public string Id { get; } = id;
    public int PlannedEpochs { get; } = plannedEpochs;
    public JobHandle Job { get; internal set; } = null!;
    public volatile string? Error;

    /// <summary>Set once when the job ends (after a finished run was stored); until then the job runner's state speaks.</summary>
    internal volatile string? EndedAs;

    public string State => EndedAs ?? (Job.State == JobState.Queued ? RunStates.Queued : RunStates.Running);
    public IReadOnlyList<EpochLossDto> Losses => Volatile.Read(ref _losses);

    internal void Add(EpochLoss l) => Volatile.Write(ref _losses, [.. Volatile.Read(ref _losses), new EpochLossDto(l.Epoch, l.Loss, l.ElapsedSeconds)]);
}
