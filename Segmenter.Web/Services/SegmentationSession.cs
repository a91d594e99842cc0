using System.Diagnostics;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

public enum SessionState { Idle, Queued, Running, Finished, Failed, Cancelled }

public enum ResultView { MeanColours, Palette, Boundaries }

/// <summary>What the session's current (or last) job does.</summary>
public enum SessionActivity { Training, Reclustering, SweepingK }

/// <summary>How pixel (X, Y) of the image attends over its window, per head (row-major Window × Window); Maps is null for window 1.</summary>
public sealed record AttentionInsight(int X, int Y, int Window, float[][]? Maps)
{
    /// <summary>
    /// The image pixel under a click at (offsetX, offsetY) on an element showing the image at shownWidth × shownHeight
    /// (CSS pixels); the natural size is assumed when the shown size is unknown (0).
    /// </summary>
    public static (int X, int Y) PixelAt(double offsetX, double offsetY, double shownWidth, double shownHeight, int width, int height)
    {
        double sx = shownWidth > 0 ? width / shownWidth : 1, sy = shownHeight > 0 ? height / shownHeight : 1;
        int x = (int)Math.Floor(offsetX * sx), y = (int)Math.Floor(offsetY * sy);
        return (Math.Clamp(x, 0, width - 1), Math.Clamp(y, 0, height - 1));
    }
}

/// <summary>
/// One visitor's work (scoped: one per circuit): the image, the parameters, the run's state and its result.
/// Runs go through the <see cref="JobRunner"/> on a pool thread, never on the render thread; every change is
/// announced with <see cref="Changed"/>, which components turn into <c>InvokeAsync(StateHasChanged)</c>.
/// Disposing (the circuit went away) cancels the run and frees the result's native memory.
/// </summary>
public sealed partial class SegmentationSession : IDisposable, IAsyncDisposable, IResidentHolder
{
    private readonly JobRunner _runner;
    private readonly ISegmentationEngine _engine;
    private readonly IImageCodec _codec;
    private readonly SampleImages _samples;
    private readonly SessionRegistry _registry;
    private readonly SegmenterOptions _options;
    private readonly ILogger<SegmentationSession> _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, byte[]> _pngCache = new();
    private EpochLoss[] _losses = [];
    private JobHandle? _job;
    private SegmentationResult? _result;
    private RgbImage? _resultImage;
    private bool _disposed;
    // Results in use off the lock (re-clustering, sweeping, attention) are disposed only when the last user is done.
    private int _leases;
    private readonly List<SegmentationResult> _deferredDisposal = [];

    /// <summary>Codes sampled per run for its silhouette and Davies–Bouldin scores.</summary>
    public const int QualitySample = 2000;

    public SegmentationSession(JobRunner runner, ISegmentationEngine engine, IImageCodec codec, SampleImages samples,
        SessionRegistry registry, IOptions<SegmenterOptions> options, ILogger<SegmentationSession> logger,
        Store.RunStore? store = null, ResidentBudget? budget = null)
    {
        _runner = runner; _engine = engine; _codec = codec; _samples = samples; _registry = registry;
        _options = options.Value; _logger = logger; _store = store; _budget = budget;
        Form = new ParameterForm(_options.MaxLearningRate);
        _registry.Add(this);
        _budget?.Register(this);
    }

    /// <summary>Unguessable id used in the image and download URLs.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public ParameterForm Form { get; }

    /// <summary>The decoded image; released under the memory budget once a run stored its upload, and decoded again from the store on first use.</summary>
    public RgbImage? Image => _image ?? ReloadReleasedImage();
    private RgbImage? _image;
    public string? ImageName { get; private set; }

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version { get; private set; }

    public SessionState State { get; private set; } = SessionState.Idle;
    public PipelineStage? Stage { get; private set; }
    public int QueuePosition { get; private set; }
    public int PlannedEpochs { get; private set; }
    public IReadOnlyList<EpochLoss> EpochLosses => Volatile.Read(ref _losses);

    /// <summary>The running model's segmentation of a downscaled copy, refreshed while training; null before the first.</summary>
    public PreviewImage? Preview { get; private set; }
    public SegmentationResult? Result { get { lock (_gate) return _result; } }
    public ResultView View { get; private set; } = ResultView.MeanColours;

    /// <summary>Every finished run of this session (plain values and thumbnails, no native memory).</summary>
    public RunHistory History { get; } = new();

    /// <summary>What the current (or last) job does.</summary>
    public SessionActivity Activity { get; private set; } = SessionActivity.Training;

    /// <summary>The k sweep of the current trained codes, or null (cleared when a new model is trained).</summary>
    public KSweep? Sweep { get; private set; }

    /// <summary>The last clicked pixel's attention, or null (cleared when a new model is trained).</summary>
    public AttentionInsight? Attention { get; private set; }

    /// <summary>Problems with the settings the page's link gave that the form cannot show itself (unknown preset or sample).</summary>
    public IReadOnlyList<string> LinkProblems { get; private set; } = [];

    /// <summary>The last failure's message, as the engine worded it; cleared when a new action starts.</summary>
    public string? Error { get; private set; }

    public bool IsBusy => State is SessionState.Queued or SessionState.Running;

    /// <summary>Raised (from any thread) whenever anything above changes.</summary>
    public event Action? Changed;

    /// <summary>Raised (from any thread) with a failure's message, for a snackbar.</summary>
    public event Action<string>? ErrorRaised;

    /// <summary>Why the current parameters cannot run on the current image (engine's own check), or null.</summary>
    public string? ParameterProblem
    {
        get
        {
            var p = Form.ToParameters();
            if (p is null || Image is null) return null;
            try { p.Validate(Image.PixelCount); return null; }
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
            _ = Image; // a released image (and the result's) is decoded again first
            SegmentationResult? result; RgbImage? resultImage;
            lock (_gate) { result = _result; resultImage = _resultImage; }
            if (result is null) return "Train once first: re-clustering reuses a trained model.";
            if (!ReferenceEquals(resultImage, Image)) return "The image changed since the last run: train again.";
            var p = Form.ToParameters();
            if (p is null) return Form.Errors.First();
            if (!SameTraining(p, result.Parameters)) return "Training settings changed since the last run (only the number of clusters may change): train again.";
            return ParameterProblem;
        }
    }

    /// <summary>True when only clustering settings differ from the current result's, on the same image: re-clustering is enough.</summary>
    public bool CanRecluster => !IsBusy && ReclusterBlocker is null;

    /// <summary>Whether two parameter sets train the same model (they may differ in k and the k-means options).</summary>
    public static bool SameTraining(SegmentationParameters a, SegmentationParameters b)
        => a.WithClusteringOf(b) == b;

    /// <summary>Seconds left in training, from the pace of the epochs so far.</summary>
    public double? SecondsLeft
    {
        get
        {
            var l = EpochLosses;
            if (l.Count == 0) return null;
            var last = l[^1];
            return last.ElapsedSeconds / last.Epoch * Math.Max(0, last.TotalEpochs - last.Epoch);
        }
    }

    private ImageLimits Limits => _options.ImageLimits;

    /// <summary>Reads an upload (the byte limit enforced while reading), decodes it and makes it the current image.</summary>
    public async Task<bool> LoadUploadAsync(Stream stream, string name, CancellationToken cancellationToken = default)
    {
        if (IsBusy) { Fail("Wait for the current run to finish (or cancel it) before changing the image."); return false; }
        try
        {
            using var buffer = await _codec.ReadBoundedAsync(stream, _options.MaxUploadBytes, cancellationToken);
            buffer.Position = 0;
            var image = await Task.Run(() => _codec.Load(buffer, Limits, cancellationToken), cancellationToken);
            SetImage(image, name);
            KeepUpload(image, buffer.ToArray());
            return true;
        }
        catch (ImageRejectedException ex) { Fail(ex.Message); }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotImplementedException or ArgumentException)
        {
            _logger.LogWarning(ex, "Could not read the upload {Name}", name);
            Fail($"Could not read \"{name}\": {ex.Message}");
        }
        return false;
    }

    /// <summary>Loads one of the embedded samples by name ("astronaut").</summary>
    public async Task<bool> LoadSampleAsync(string name, CancellationToken cancellationToken = default)
    {
        var stream = _samples.Open(name);
        if (stream is null) { Fail($"There is no sample called \"{name}\"."); return false; }
        await using (stream)
            return await LoadUploadAsync(stream, _samples.FileFor(name)!, cancellationToken);
    }

    /// <summary>Makes a decoded image current (drops the PNG cache; the previous result stays until replaced).</summary>
    public void SetImage(RgbImage image, string name)
    {
        lock (_gate)
        {
            _image = image;
            _imageReleased = false;
            ImageName = name;
            _upload = null;
            _pngCache.Clear();
            Version++;
            Error = null;
        }
        RaiseChanged();
    }

    /// <summary>The user dismissed the error message.</summary>
    public void ClearError()
    {
        if (Error is null) return;
        Error = null;
        RaiseChanged();
    }

    public void SetView(ResultView view)
    {
        if (View == view) return;
        View = view;
        RaiseChanged();
    }

    /// <summary>Validates, then submits the run; returns false (with <see cref="Error"/> set) when refused.</summary>
    public Task<bool> StartAsync()
    {
        if (_disposed) return Task.FromResult(false);
        if (IsBusy) return Task.FromResult(false);
        var image = Image;
        if (image is null) { Fail("Choose an image first."); return Task.FromResult(false); }
        var parameters = Form.ToParameters();
        if (parameters is null) { Fail(Form.Errors.First()); return Task.FromResult(false); }
        try { parameters.Validate(image.PixelCount); }
        catch (ArgumentException ex) { Fail(ex.Message); return Task.FromResult(false); }

        Volatile.Write(ref _losses, []);
        Preview = null;
        PlannedEpochs = parameters.Epochs;
        Stage = null;
        Error = null;
        var imageName = ImageName;
        return Task.FromResult(Launch(SessionActivity.Training, $"{imageName} k={parameters.Clusters}",
            ct => RunAsync(image, imageName, parameters, ct), (job, outcome) => OnJobEnded(job, outcome, parameters, imageName)));
    }

    /// <summary>
    /// Re-clusters the current result's trained codes with the form's cluster count (no training); refused unless
    /// only clustering settings changed on the same image (<see cref="ReclusterBlocker"/>). The loss curve stays the trained one.
    /// </summary>
    public Task<bool> ReclusterAsync()
    {
        if (_disposed || IsBusy) return Task.FromResult(false);
        if (ReclusterBlocker is { } why) { Fail(why); return Task.FromResult(false); }
        var parameters = Form.ToParameters()!;
        var imageName = ImageName;
        Stage = null;
        Error = null;
        return Task.FromResult(Launch(SessionActivity.Reclustering, $"{imageName} re-cluster k={parameters.Clusters}",
            ct => WithCurrentResult("re-clustering", (previous, image) =>
            {
                Stage = PipelineStage.Clustering;
                RaiseChanged();
                var result = ReclusterOrRetrain(previous, image, parameters, ct);
                Publish(result, image, imageName);
            }),
            (job, outcome) => OnJobEnded(job, outcome, parameters, imageName)));
    }

    /// <summary>Sweeps k = 2…12 on the current result's codes (no training) and suggests a k; runs as a job.</summary>
    public Task<bool> SuggestKAsync()
    {
        if (_disposed || IsBusy) return Task.FromResult(false);
        if (Result is null) { Fail("Train once first: the k sweep uses the trained codes."); return Task.FromResult(false); }
        Error = null;
        Stage = null;
        return Task.FromResult(Launch(SessionActivity.SweepingK, $"{ImageName} k sweep",
            ct => WithCurrentResult("sweeping k", (result, _) =>
            {
                Stage = PipelineStage.Clustering;
                RaiseChanged();
                var points = _engine.SweepK(result, 2, Math.Min(12, ParameterForm.MaxClusters), ct);
                Sweep = points.Count > 0 ? KSweep.From(points) : null;
            }),
            (job, outcome) => EndJob(job, outcome)));
    }

    /// <summary>Puts the suggested k in the form and re-clusters with it.</summary>
    public Task<bool> ApplySuggestedKAsync()
    {
        if (Sweep is not { } sweep || IsBusy) return Task.FromResult(false);
        Form.Clusters = sweep.SuggestedK;
        RaiseChanged();
        return ReclusterAsync();
    }

    /// <summary>Shows how pixel (x, y) of the current result's image attends over its window (window 1: nothing to show).</summary>
    public async Task<bool> InspectAttentionAsync(int x, int y)
    {
        SegmentationResult? result; RgbImage? image;
        _ = Image; // a released image (and the result's) is decoded again first
        lock (_gate)
        {
            if (_disposed || _result is null || _resultImage is null) return false;
            result = _result; image = _resultImage;
            _leases++;
        }
        try
        {
            x = Math.Clamp(x, 0, image.Width - 1);
            y = Math.Clamp(y, 0, image.Height - 1);
            var maps = await Task.Run(() => _engine.AttentionAt(result, image, x, y));
            Attention = new AttentionInsight(x, y, result.Parameters.Window, maps);
            RaiseChanged();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            Fail($"Could not read the attention: {ex.Message}");
            return false;
        }
        finally { ReleaseLease(); }
    }

    /// <summary>Fills the form (and loads the sample) from the page's query string; bad values show as the form's own messages.</summary>
    public async Task ApplyLinkAsync(IReadOnlyDictionary<string, string?> query)
    {
        var problems = RunSettings.Apply(Form, query).ToList();
        var sample = query.FirstOrDefault(kv => string.Equals(kv.Key, "sample", StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(sample))
        {
            if (_samples.FileFor(sample) is null)
                problems.Add($"There is no sample called \"{sample}\"; try {string.Join(", ", _samples.Files.Select(SampleImages.NameOf))}.");
            else
                await LoadSampleAsync(sample);
        }
        LinkProblems = problems;
        RaiseChanged();
    }

    /// <summary>The embedded sample's name ("astronaut") when the current image is one, else null.</summary>
    public string? SampleName => ImageName is { } n && _samples.Files.Contains(n) ? SampleImages.NameOf(n) : null;

    /// <summary>Submits work to the runner with the session's queue/running bookkeeping; false (with an error) when refused.</summary>
    private bool Launch(SessionActivity activity, string name, Func<CancellationToken, Task> work, Action<JobHandle, JobState> ended)
    {
        JobHandle job;
        try
        {
            job = _runner.Submit(name, work);
        }
        catch (ServerBusyException ex)
        {
            Fail(ex.Message);
            return false;
        }
        Activity = activity;
        _job = job;
        if (job.State == JobState.Queued)
        {
            State = SessionState.Queued;
            QueuePosition = job.QueuePosition;
        }
        job.Changed += OnJobChanged;
        _ = job.Completion.ContinueWith(t => ended(job, t.Result), TaskScheduler.Default);
        RaiseChanged();
        return true;
    }

    /// <summary>Runs work on the pool against the current result, which stays alive (leased) until the work ends.</summary>
    private Task WithCurrentResult(string what, Action<SegmentationResult, RgbImage> work)
        => Task.Run(() =>
        {
            _ = Image; // a released image (and the result's) is decoded again first
            SegmentationResult? result; RgbImage? image;
            lock (_gate)
            {
                if (_disposed) throw new OperationCanceledException();
                result = _result; image = _resultImage;
                if (result is null || image is null) { Error = "There is no trained result any more; train again."; throw new InvalidOperationException(Error); }
                _leases++;
            }
            State = SessionState.Running;
            QueuePosition = 0;
            RaiseChanged();
            try { work(result, image); }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex) { Error = $"{char.ToUpperInvariant(what[0])}{what[1..]} failed: {ex.Message}"; throw; }
            finally { ReleaseLease(); }
        }, CancellationToken.None);

    private void ReleaseLease()
    {
        SegmentationResult[] free;
        lock (_gate)
        {
            if (--_leases > 0) return;
            free = _deferredDisposal.ToArray();
            _deferredDisposal.Clear();
        }
        foreach (var r in free) r.Dispose();
    }

    /// <summary>Disposes now, or when the last lease ends. Call without holding the lock.</summary>
    private void DisposeResult(SegmentationResult? result)
    {
        if (result is null) return;
        lock (_gate)
        {
            if (_leases > 0) { _deferredDisposal.Add(result); return; }
        }
        result.Dispose();
    }

    /// <summary>
    /// Makes a finished run the current result and adds its history row (values and thumbnail) in one change, so the
    /// page shows both at once; then scores it on a sample of its codes (the slow part) and fills the row's scores in.
    /// The job ends after the scores, so they are there when the run reads as finished.
    /// </summary>
    private void Publish(SegmentationResult result, RgbImage image, string? imageName)
    {
        byte[]? thumbnail = null;
        RgbImage? mean = null;
        try { mean = result.RenderMeanColours(); thumbnail = _codec.EncodePng(Thumbnails.Shrink(mean)); }
        catch (Exception ex) { _logger.LogWarning(ex, "Could not draw the run's thumbnail"); }
        var row = History.Add(new RunRecord(0, DateTime.UtcNow, imageName, result.Parameters, result.Reclustered, result.EpochLosses.ToArray(),
            result.FinalLoss, result.Inertia, double.NaN, double.NaN, result.Timings, thumbnail is null ? null : Thumbnails.DataUrl(thumbnail)));
        ReplaceResult(result, image);
        Stage = PipelineStage.Done;
        RaiseChanged();
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_result, result)) return;
            _leases++;
        }
        try
        {
            try
            {
                var quality = _engine.Quality(result, image, QualitySample);
                row = row with { Silhouette = quality.Silhouette, DaviesBouldin = quality.DaviesBouldin };
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException) { _logger.LogWarning(ex, "Could not score the run"); }
            // Stored with its scores; the row then carries its run id (its link) as well.
            if (History.Update(Persist(row, result, image, mean, thumbnail))) RaiseChanged();
        }
        finally { ReleaseLease(); }
    }

    /// <summary>Stops the queued or running job; the engine notices within one batch.</summary>
    public void Cancel() => _job?.Cancel();

    /// <summary>Applies one pipeline event (called by the engine on its thread; tests call it directly).</summary>
    public void ApplyProgress(PipelineEvent e)
    {
        switch (e)
        {
            case StageChanged s:
                Stage = s.Stage;
                break;
            case EpochCompleted { Loss: var loss }:
                Stage = PipelineStage.Training;
                PlannedEpochs = loss.TotalEpochs;
                var current = Volatile.Read(ref _losses);
                Volatile.Write(ref _losses, [.. current, loss]);
                break;
            case PreviewReady { Frame: var frame }:
                Preview = PreviewImage.From(frame, _codec);
                break;
        }
        RaiseChanged();
    }

    private Task RunAsync(RgbImage image, string? imageName, SegmentationParameters parameters, CancellationToken ct)
        => Task.Run(() =>
        {
            State = SessionState.Running;
            QueuePosition = 0;
            RaiseChanged();
            try
            {
                var result = _engine.Run(image, parameters, ApplyProgress, ct);
                // A new model: the old sweep and attention belong to the old codes.
                Sweep = null;
                Attention = null;
                Publish(result, image, imageName);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (ArgumentException ex) { Error = ex.Message; throw; }
            catch (TrainingFailedException ex) { Error = ex.Message; throw; }
            catch (Exception ex) { Error = $"The run failed: {ex.Message}"; throw; }
        }, CancellationToken.None);

    private void ReplaceResult(SegmentationResult result, RgbImage image)
    {
        SegmentationResult? old;
        lock (_gate)
        {
            if (_disposed) { old = result; }
            else
            {
                old = _result;
                _result = result;
                _resultImage = image;
                _pngCache.Clear();
                _resultReleased = false;
                Version++;
            }
        }
        DisposeResult(old);
        Touch();
        _budget?.ScheduleReturn(); // the run's working buffers are garbage now
    }

    private void OnJobChanged(JobHandle job)
    {
        if (job.State == JobState.Queued && QueuePosition != job.QueuePosition)
        {
            QueuePosition = job.QueuePosition;
            RaiseChanged();
        }
    }

    private void OnJobEnded(JobHandle job, JobState outcome, SegmentationParameters p, string? imageName)
    {
        var t = outcome == JobState.Completed ? Result?.Timings : null;
        _logger.LogInformation(
            "Segmentation {Activity} {Outcome}: image={Image} preset={Preset} clusters={Clusters} epochs={Epochs} heads={Heads} window={Window} batch={Batch} lr={LearningRate} seed={Seed} " +
            "epochsDone={EpochsDone} finalLoss={FinalLoss} decode={DecodeSeconds:F2}s train={TrainSeconds:F2}s encode={EncodeSeconds:F2}s cluster={ClusterSeconds:F2}s render={RenderSeconds:F2}s total={TotalSeconds:F2}s error={Error}",
            Activity, outcome, imageName, p.Preset, p.Clusters, p.Epochs, p.Heads, p.Window, p.BatchSize, p.LearningRate, p.Seed,
            EpochLosses.Count, EpochLosses.Count > 0 ? EpochLosses[^1].Loss : double.NaN,
            t?.DecodeSeconds, t?.TrainSeconds, t?.EncodeSeconds, t?.ClusterSeconds, t?.RenderSeconds, t?.TotalSeconds, Error);
        EndJob(job, outcome);
    }

    private void EndJob(JobHandle job, JobState outcome)
    {
        job.Changed -= OnJobChanged;
        // The job's work captured the image it ran on: holding the handle would keep that image alive after a release.
        Interlocked.CompareExchange(ref _job, null, job);
        State = outcome switch
        {
            JobState.Completed => SessionState.Finished,
            JobState.Cancelled => SessionState.Cancelled,
            _ => SessionState.Failed,
        };
        QueuePosition = 0;
        if (outcome == JobState.Completed) Stage = PipelineStage.Done;
        if (outcome == JobState.Failed)
        {
            Error ??= "The run failed.";
            ErrorRaised?.Invoke(Error);
        }
        RaiseChanged();
    }

    private void Fail(string message)
    {
        Error = message;
        try { ErrorRaised?.Invoke(message); } catch (Exception ex) { _logger.LogWarning(ex, "An error listener failed"); }
        RaiseChanged();
    }

    private void RaiseChanged()
    {
        try { Changed?.Invoke(); } catch (Exception ex) { _logger.LogWarning(ex, "A change listener failed"); }
    }

    // ---- Images and downloads, served by the endpoints in Program.cs ----

    /// <summary>PNG bytes for "original", "segmented" (the current view), "mean", "palette", "boundaries" or "labels"; null when unavailable.</summary>
    public byte[]? GetPng(string which)
    {
        RgbImage? image;
        SegmentationResult? result;
        lock (_gate)
        {
            if (_disposed) return null;
            image = _image; result = _result;
            if (which == "segmented") which = View switch
            {
                ResultView.Palette => "palette",
                ResultView.Boundaries => "boundaries",
                _ => "mean",
            };
            if (_pngCache.TryGetValue(which, out var cached)) return cached;
        }
        if (image is null && which is "original" or "boundaries") image = Image; // released: decoded again
        byte[]? png = which switch
        {
            "original" when image is not null => _codec.EncodePng(image),
            "mean" when result is not null => _codec.EncodePng(result.RenderMeanColours()),
            "palette" when result is not null => _codec.EncodePng(result.RenderPalette()),
            "boundaries" when result is not null && image is not null && image.Width == result.Width && image.Height == result.Height
                => _codec.EncodePng(result.RenderBoundaries(image)),
            "labels" when result is not null => _codec.EncodeLabelPng(result.Labels, result.Width, result.Height),
            _ when ClusterHighlight.Parse(which) is { } c && result is not null && image is not null && c < result.Clusters.Count
                && image.Width == result.Width && image.Height == result.Height => _codec.EncodePng(ClusterHighlight.Render(result, image, c)),
            _ => null,
        };
        if (png is null) return null;
        lock (_gate)
        {
            if (ReferenceEquals(image, _image) && ReferenceEquals(result, _result)) _pngCache[which] = png;
        }
        Touch();
        return png;
    }

    /// <summary>The run report JSON of the current result, or null.</summary>
    public string? GetReportJson()
    {
        var r = Result;
        if (r is null) return null;
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return RunReport.ToJson(r, peakMb, ImageName);
    }

    /// <summary>The download's file name stem, from the image's name.</summary>
    public string FileStem => Path.GetFileNameWithoutExtension(ImageName ?? "image") is { Length: > 0 } s ? s : "image";

    public void Dispose()
    {
        SegmentationResult? result;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            result = _result;
            _result = null;
            _resultImage = null;
            _image = null;
            _upload = null;
            _pngCache.Clear();
        }
        _registry.Remove(this);
        _budget?.Unregister(this);
        _job?.Cancel();
        DisposeResult(result);
        Changed = null;
        ErrorRaised = null;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
