using System.Globalization;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Api;
using Segmenter.Web.Services;

namespace Segmenter.Web.Sweeps;

/// <summary>One axis as the page's panel edits it: a setting and its values, as a comma list or a range with a step.</summary>
public sealed class SweepAxisRow
{
    public string Setting { get; set; } = "";
    public bool IsRange { get; set; }
    public string Values { get; set; } = "";
    public double? From { get; set; }
    public double? To { get; set; }
    public double? Step { get; set; }

    /// <summary>The row in the CLI's form ("window=1,3,5", "epochs=10..30:10"), which <see cref="SweepAxes.Parse"/> reads.</summary>
    internal string Text => IsRange
        ? string.Create(CultureInfo.InvariantCulture, $"{Setting}={From}..{To}:{Step}")
        : $"{Setting}={Values}";
}

/// <summary>What a sweep would be before it starts: its axes and run count, its estimated time, or why it cannot start.</summary>
public sealed record SweepPlan(IReadOnlyList<SweepAxis> Axes, long Count, double? EstimateSeconds, string? Problem);

/// <summary>
/// The page's sweep (scoped: one per circuit): the axes being edited, the plan they make, and the sweep started from
/// them or opened by its link, followed until every cell is in. Runs go through <see cref="SweepRunner"/> (the API's
/// queue and workers) with the session's image and the form's settings; the page only shows their thumbnails and scores.
/// </summary>
public sealed class SweepSession(SweepRunner sweeps, SessionImage image, SessionSettings settings, CurrentResult current,
    SessionAssessment assessment, RunHistory history, IOptions<SegmenterOptions> options, ILogger<SweepSession> logger) : IDisposable
{
    /// <summary>How often a running sweep is read again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly List<SweepAxisRow> _rows = [new() { Setting = "window", Values = "1,3,5" }, new() { Setting = "heads", Values = "1,2,4" }];
    private CancellationTokenSource? _follow;

    /// <summary>Raised (on a pool thread) when the followed sweep's status changes.</summary>
    public event Action? Changed;

    public IReadOnlyList<SweepAxisRow> Rows => _rows;
    public bool CanAddAxis => _rows.Count < SweepAxes.MaxAxes;
    public SweepStatus? Status { get; private set; }
    public string? Problem { get; private set; }
    public SweepMetric Metric { get; set; } = SweepMetrics.Default;
    public bool IsRunning => Status?.State == SweepStatus.Running;

    public void AddAxis() { if (CanAddAxis) _rows.Add(new SweepAxisRow { Setting = "seed", Values = "1,2" }); }
    public void RemoveAxis(SweepAxisRow row) => _rows.Remove(row);

    /// <summary>The axes as they stand, their run count and time estimate, or the settings' message for what is wrong.</summary>
    public SweepPlan Plan()
    {
        IReadOnlyList<SweepAxis> axes;
        try { axes = SweepAxes.Parse(string.Join(';', _rows.Select(r => r.Text))); }
        catch (ArgumentException e) { return new SweepPlan([], 0, null, e.Message); }
        long count = SweepAxes.Count(axes);
        if (sweeps.Refusal(count) is { } refusal) return new SweepPlan(axes, count, null, refusal);
        if (settings.Form.ToParameters() is not { } basis) return new SweepPlan(axes, count, null, "Fix the parameters first: " + settings.Form.Errors.First());
        double? estimate = Measured() is { } measured ? SweepEstimate.Seconds(basis, axes, measured, options.Value.MaxConcurrentJobs) : null;
        return new SweepPlan(axes, count, estimate, null);
    }

    /// <summary>Queues the plan's runs with the session's image and the form's settings, then follows the sweep.</summary>
    public async Task StartAsync()
    {
        Problem = null;
        var plan = Plan();
        if (plan.Problem is not null) { Problem = plan.Problem; return; }
        if ((image.Current ?? image.Reload()) is not { } rgb) { Problem = "Choose an image first."; return; }
        var request = new SweepRequest(ImageLoader.EncodePng(rgb), image.Name, ReportParameters.ToJson(settings.Form.ToParameters()!), plan.Axes, TruthPng());
        try
        {
            var accepted = await sweeps.StartAsync(request, CancellationToken.None);
            await OpenAsync(accepted.Id);
        }
        catch (ApiProblem e) { Problem = e.Message; }
    }

    /// <summary>Shows a stored sweep (its link) and follows it while it runs; false when there is no such sweep.</summary>
    public async Task<bool> OpenAsync(string id)
    {
        StopFollowing();
        Status = await sweeps.StatusAsync(id, CancellationToken.None);
        if (Status is null) return false;
        if (IsRunning) Follow(id);
        return true;
    }

    /// <summary>Stops the sweep: unfinished runs are cancelled, finished ones stay in the grid.</summary>
    public async Task CancelAsync()
    {
        if (Status is not { } status) return;
        await sweeps.CancelAsync(status.Id, CancellationToken.None);
        await OpenAsync(status.Id);
    }

    /// <summary>The grid as CSV (<see cref="SweepCsv"/>).</summary>
    public string? Csv() => Status is { } s ? SweepCsv.Write(s) : null;

    private void Follow(string id)
    {
        var follow = _follow = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(PollInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(follow.Token))
                {
                    var status = await sweeps.StatusAsync(id, follow.Token);
                    if (follow.IsCancellationRequested) return;
                    Status = status;
                    Changed?.Invoke();
                    if (status?.State != SweepStatus.Running) return;
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { logger.LogWarning(e, "Following sweep {Id} stopped", id); }
        });
    }

    /// <summary>The latest run this session measured (the shown result, else its newest history row), for the estimate.</summary>
    private MeasuredRun? Measured()
    {
        if (current.Result is { Reclustered: false } r) return new MeasuredRun(r.Parameters, r.Timings, (long)r.Width * r.Height);
        return history.Runs.LastOrDefault(h => !h.Reclustered) is { } h && image.Size is { } size
            ? new MeasuredRun(h.Parameters, h.Timings, (long)size.Width * size.Height) : null;
    }

    /// <summary>The ground truth uploaded for the shown result, as a colour label PNG, so every run of the sweep is scored against it.</summary>
    private byte[]? TruthPng()
    {
        if (assessment.Steering is not { Truth: { } truth, Result: var result }) return null;
        var rgb = new byte[truth.Length * 3];
        for (int i = 0; i < truth.Length; i++)
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = ((byte)(truth[i] >> 16), (byte)(truth[i] >> 8), (byte)truth[i]);
        return ImageLoader.EncodePng(new RgbImage(result.Width, result.Height, rgb));
    }

    private void StopFollowing()
    {
        _follow?.Cancel();
        _follow?.Dispose();
        _follow = null;
    }

    public void Dispose() => StopFollowing();
}
