using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// One visitor's work (scoped: one per circuit), the facade components bind to. It delegates: the image to a
/// <see cref="SessionImageSource"/> (upload, sample, link; the original bytes), the jobs to a
/// <see cref="RunCoordinator"/> (kinds, state, progress, time left, logging through the <see cref="JobRunner"/>),
/// the result to <see cref="SessionResults"/> (current result, PNGs, reports, leases), the runs it keeps to the
/// <see cref="RunHistory"/>, finished runs to the <see cref="RunPublisher"/>, and announces each change once through
/// the circuit's <see cref="SessionChanges"/> (the page turns it into <c>InvokeAsync(StateHasChanged)</c>).
/// Runs go through the job runner on a pool thread, never on the render thread. Disposing (the circuit went away)
/// cancels the run and frees the result's native memory.
/// </summary>
public sealed partial class SegmentationSession : IDisposable, IAsyncDisposable, IResidentHolder
{
    private readonly SessionRegistry _registry;
    private readonly ILogger<SegmentationSession> _logger;
    // One lock for the image source and the result holder, so a memory release sees both at once.
    private readonly object _gate = new();
    private readonly SessionChanges _changes;
    private readonly SessionImageSource _images;
    private readonly SessionResults _results;
    private readonly RunCoordinator _runs;
    private readonly RunPublisher _publisher;
    private volatile bool _disposed;

    public SegmentationSession(JobRunner runner, SampleImages samples, RunPublisher publisher,
        SessionRegistry registry, IOptions<SegmenterOptions> options, ILogger<SegmentationSession> logger,
        Store.RunStore? store = null, ResidentBudget? budget = null, SessionChanges? changes = null, RunHistory? history = null)
    {
        _registry = registry; _logger = logger; _store = store; _budget = budget; _publisher = publisher;
        _changes = changes ?? new SessionChanges(Microsoft.Extensions.Logging.Abstractions.NullLogger<SessionChanges>.Instance);
        History = history ?? new RunHistory(_changes, store);
        _images = new SessionImageSource(_gate, samples, store, options.Value, logger);
        _results = new SessionResults(_gate);
        _runs = new RunCoordinator(runner, _changes, logger);
        _runs.JobEnded += ReleaseIfVisitorGone;
        // Every job's garbage (a run's baselines, scores and stored PNGs come after its result is shown) is handed
        // back once it has ended: the return scheduled when the result was shown ran while the baselines still worked,
        // and the memory bench held 5 GB RSS after a wave of two 40 MP runs with a 1 GB live heap.
        _runs.JobEnded += () => _budget?.ScheduleReturn();
        Form = new ParameterForm(options.Value.MaxLearningRate);
        _registry.Add(this);
        _budget?.Register(this);
    }

    /// <summary>Unguessable id used in the image and download URLs.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public ParameterForm Form { get; }

    /// <summary>The decoded image; released under the memory budget once a run stored its upload, and decoded again from the store on first use.</summary>
    public RgbImage? Image => _disposed ? null : _images.GetOrReload(_results.ImageReloadedLocked, m => _changes.Error = m, Touch);
    public string? ImageName => _images.Name;

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version => _results.Version;

    public SessionState State => _runs.State;
    public PipelineStage? Stage => _runs.Stage;
    public int QueuePosition => _runs.QueuePosition;
    public int PlannedEpochs => _runs.PlannedEpochs;
    public IReadOnlyList<EpochLoss> EpochLosses => _runs.EpochLosses;

    /// <summary>The running model's segmentation of a downscaled copy, refreshed while training; null before the first.</summary>
    public PreviewImage? Preview => _runs.Preview;
    public SegmentationResult? Result => _results.Current;
    public ResultView View { get; private set; } = ResultView.MeanColours;

    /// <summary>Every finished run of this session (plain values and thumbnails, no native memory), and the browser's stored runs.</summary>
    public RunHistory History { get; }

    /// <summary>The session's one change notifier and its current error.</summary>
    public SessionChanges Changes => _changes;

    /// <summary>What the current (or last) job does.</summary>
    public SessionActivity Activity => _runs.Activity;

    /// <summary>The k sweep of the current trained codes, or null (cleared when a new model is trained).</summary>
    public KSweep? Sweep { get; private set; }

    /// <summary>The last clicked pixel's attention, or null (cleared when a new model is trained).</summary>
    public AttentionInsight? Attention { get; private set; }

    /// <summary>Problems with the settings the page's link gave that the form cannot show itself (unknown preset or sample).</summary>
    public IReadOnlyList<string> LinkProblems { get; private set; } = [];

    public bool IsBusy => _runs.IsBusy;

    /// <summary>Why the current parameters cannot run on the current image (engine's own check), or null.</summary>
    public string? ParameterProblem
    {
        get
        {
            var p = Form.ToParameters();
            if (p is null || Image is not { } image) return null;
            try { p.Validate(image.PixelCount); return null; }
            catch (ArgumentException ex) { return ex.Message; }
        }
    }

    public bool CanStart => !_disposed && Image is not null && !IsBusy && Form.IsValid && ParameterProblem is null;

    /// <summary>Why the current form cannot be re-clustered from the current result (then it must be trained), or null.</summary>
    public string? ReclusterBlocker
    {
        get
        {
            if (_disposed) return "The session has ended.";
            var image = Image; // a released image (and the result's) is decoded again first
            var (result, resultImage) = _results.Snapshot();
            if (result is null) return "Train once first: re-clustering reuses a trained model.";
            if (!ReferenceEquals(resultImage, image)) return "The image changed since the last run: train again.";
            var p = Form.ToParameters();
            if (p is null) return Form.Errors.First();
            if (p.Training != result.Parameters.Training) return "Training settings changed since the last run (only clustering settings may change: clusters, smoothing and the k-means settings): train again.";
            return ParameterProblem;
        }
    }

    /// <summary>True when only clustering settings differ from the current result's, on the same image: re-clustering is enough.</summary>
    public bool CanRecluster => !IsBusy && ReclusterBlocker is null;

    /// <summary>Seconds left in training, from the pace of the epochs so far.</summary>
    public double? SecondsLeft => _runs.SecondsLeft;

    /// <summary>Reads an upload once (the byte limit enforced while reading), decodes it and makes it the current image.</summary>
    public async Task<bool> LoadUploadAsync(Stream stream, string name, CancellationToken cancellationToken = default)
    {
        if (IsBusy) { _changes.Fail("Wait for the current run to finish (or cancel it) before changing the image."); return false; }
        try
        {
            var loaded = await _images.ReadAsync(stream, cancellationToken);
            SetImage(loaded.Image, name, loaded.Bytes);
            return true;
        }
        catch (ImageRejectedException ex) { _changes.Fail(ex.Message); }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotImplementedException or ArgumentException)
        {
            _logger.LogWarning(ex, "Could not read the upload {Name}", name);
            _changes.Fail($"Could not read \"{name}\": {ex.Message}");
        }
        return false;
    }

    /// <summary>Loads one of the embedded samples by name ("astronaut").</summary>
    public async Task<bool> LoadSampleAsync(string name, CancellationToken cancellationToken = default)
    {
        if (_images.OpenSample(name) is not ({ } stream, { } file)) { _changes.Fail($"There is no sample called \"{name}\"."); return false; }
        await using (stream)
            return await LoadUploadAsync(stream, file, cancellationToken);
    }

    /// <summary>Makes a decoded image current (drops the PNG cache; the previous result stays until replaced).</summary>
    public void SetImage(RgbImage image, string name) => SetImage(image, name, bytes: null);

    private void SetImage(RgbImage image, string name, byte[]? bytes)
    {
        _images.Set(image, name, bytes);
        _results.ImageChanged();
        _changes.Error = null;
        _changes.RaiseChanged();
    }

    public void SetView(ResultView view)
    {
        if (View == view) return;
        View = view;
        _changes.RaiseChanged();
    }

    /// <summary>Fills the form (and loads the sample) from the page's query string; bad values show as the form's own messages.</summary>
    public async Task ApplyLinkAsync(IReadOnlyDictionary<string, string?> query)
    {
        var problems = RunSettings.Apply(Form, query).ToList();
        var sample = query.FirstOrDefault(kv => string.Equals(kv.Key, "sample", StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(sample))
        {
            if (_images.SampleProblem(sample) is { } problem) problems.Add(problem);
            else await LoadSampleAsync(sample);
        }
        LinkProblems = problems;
        _changes.RaiseChanged();
    }

    /// <summary>The embedded sample's name ("astronaut") when the current image is one, else null.</summary>
    public string? SampleName => _images.SampleName;

    /// <summary>Stops the queued or running job; the engine notices within one batch.</summary>
    public void Cancel() => _runs.Cancel();

    /// <summary>Applies one pipeline event (called by the engine on its thread; tests call it directly).</summary>
    public void ApplyProgress(PipelineEvent e) => _runs.ApplyProgress(e);

    // ---- Images and downloads, served by the endpoints (SegmenterEndpoints) ----

    /// <summary>The PNG of one of the session's images (the segmented one in the current view); null when unavailable.</summary>
    public byte[]? GetPng(ResultImage which)
    {
        if (_disposed) return null;
        var png = _results.GetPng(which, View, _images)
            ?? (SteeringImage(which, _images.Current ?? Image) is { } steered ? ImageLoader.EncodePng(steered) : null);
        if (png is not null) Touch();
        return png;
    }

    /// <summary>The run report JSON of the current result, or null.</summary>
    public string? GetReportJson() => _results.ReportJson(ImageName);

    /// <summary>The download's file name stem, from the image's name.</summary>
    public string FileStem => _images.FileStem;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _images.Clear();
        _registry.Remove(this);
        _budget?.Unregister(this);
        _runs.Cancel();
        _results.Close();
        _changes.Detach();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
