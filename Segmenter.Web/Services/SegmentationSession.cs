using System.Diagnostics;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

public enum SessionState { Idle, Queued, Running, Finished, Failed, Cancelled }

public enum ResultView { MeanColours, Palette, Boundaries }

/// <summary>
/// One visitor's work (scoped: one per circuit): the image, the parameters, the run's state and its result.
/// Runs go through the <see cref="JobRunner"/> on a pool thread, never on the render thread; every change is
/// announced with <see cref="Changed"/>, which components turn into <c>InvokeAsync(StateHasChanged)</c>.
/// Disposing (the circuit went away) cancels the run and frees the result's native memory.
/// </summary>
public sealed class SegmentationSession : IDisposable, IAsyncDisposable
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
    private bool _disposed;

    public SegmentationSession(JobRunner runner, ISegmentationEngine engine, IImageCodec codec, SampleImages samples,
        SessionRegistry registry, IOptions<SegmenterOptions> options, ILogger<SegmentationSession> logger)
    {
        _runner = runner; _engine = engine; _codec = codec; _samples = samples; _registry = registry;
        _options = options.Value; _logger = logger;
        Form = new ParameterForm(_options.MaxLearningRate);
        _registry.Add(this);
    }

    /// <summary>Unguessable id used in the image and download URLs.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public ParameterForm Form { get; }

    public RgbImage? Image { get; private set; }
    public string? ImageName { get; private set; }

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version { get; private set; }

    public SessionState State { get; private set; } = SessionState.Idle;
    public PipelineStage? Stage { get; private set; }
    public int QueuePosition { get; private set; }
    public int PlannedEpochs { get; private set; }
    public IReadOnlyList<EpochLoss> EpochLosses => Volatile.Read(ref _losses);
    public SegmentationResult? Result { get { lock (_gate) return _result; } }
    public ResultView View { get; private set; } = ResultView.MeanColours;

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

    private ImageLimits Limits => new() { MaxBytes = _options.MaxUploadBytes, MaxPixels = _options.MaxPixels };

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
            Image = image;
            ImageName = name;
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
        PlannedEpochs = parameters.Epochs;
        Stage = null;
        Error = null;
        var imageName = ImageName;
        JobHandle job;
        try
        {
            job = _runner.Submit($"{imageName} k={parameters.Clusters}", ct => RunAsync(image, imageName, parameters, ct));
        }
        catch (ServerBusyException ex)
        {
            Fail(ex.Message);
            return Task.FromResult(false);
        }
        _job = job;
        if (job.State == JobState.Queued)
        {
            State = SessionState.Queued;
            QueuePosition = job.QueuePosition;
        }
        job.Changed += OnJobChanged;
        _ = job.Completion.ContinueWith(t => OnJobEnded(job, t.Result, parameters, imageName), TaskScheduler.Default);
        RaiseChanged();
        return Task.FromResult(true);
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
                ReplaceResult(result);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (ArgumentException ex) { Error = ex.Message; throw; }
            catch (TrainingFailedException ex) { Error = ex.Message; throw; }
            catch (Exception ex) { Error = $"The run failed: {ex.Message}"; throw; }
        }, CancellationToken.None);

    private void ReplaceResult(SegmentationResult result)
    {
        SegmentationResult? old;
        lock (_gate)
        {
            if (_disposed) { old = result; }
            else
            {
                old = _result;
                _result = result;
                _pngCache.Clear();
                Version++;
            }
        }
        old?.Dispose();
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
        job.Changed -= OnJobChanged;
        State = outcome switch
        {
            JobState.Completed => SessionState.Finished,
            JobState.Cancelled => SessionState.Cancelled,
            _ => SessionState.Failed,
        };
        QueuePosition = 0;
        if (outcome == JobState.Completed) Stage = PipelineStage.Done;
        var t = outcome == JobState.Completed ? Result?.Timings : null;
        _logger.LogInformation(
            "Segmentation run {Outcome}: image={Image} preset={Preset} clusters={Clusters} epochs={Epochs} heads={Heads} window={Window} batch={Batch} lr={LearningRate} seed={Seed} " +
            "epochsDone={EpochsDone} finalLoss={FinalLoss} decode={DecodeSeconds:F2}s train={TrainSeconds:F2}s encode={EncodeSeconds:F2}s cluster={ClusterSeconds:F2}s render={RenderSeconds:F2}s total={TotalSeconds:F2}s error={Error}",
            outcome, imageName, p.Preset, p.Clusters, p.Epochs, p.Heads, p.Window, p.BatchSize, p.LearningRate, p.Seed,
            EpochLosses.Count, EpochLosses.Count > 0 ? EpochLosses[^1].Loss : double.NaN,
            t?.DecodeSeconds, t?.TrainSeconds, t?.EncodeSeconds, t?.ClusterSeconds, t?.RenderSeconds, t?.TotalSeconds, Error);
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
            image = Image; result = _result;
            if (which == "segmented") which = View switch
            {
                ResultView.Palette => "palette",
                ResultView.Boundaries => "boundaries",
                _ => "mean",
            };
            if (_pngCache.TryGetValue(which, out var cached)) return cached;
        }
        byte[]? png = which switch
        {
            "original" when image is not null => _codec.EncodePng(image),
            "mean" when result is not null => _codec.EncodePng(result.RenderMeanColours()),
            "palette" when result is not null => _codec.EncodePng(result.RenderPalette()),
            "boundaries" when result is not null && image is not null && image.Width == result.Width && image.Height == result.Height
                => _codec.EncodePng(result.RenderBoundaries(image)),
            "labels" when result is not null => _codec.EncodeLabelPng(result.Labels, result.Width, result.Height),
            _ => null,
        };
        if (png is null) return null;
        lock (_gate)
        {
            if (ReferenceEquals(image, Image) && ReferenceEquals(result, _result)) _pngCache[which] = png;
        }
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
            _pngCache.Clear();
        }
        _registry.Remove(this);
        _job?.Cancel();
        result?.Dispose();
        Changed = null;
        ErrorRaised = null;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
