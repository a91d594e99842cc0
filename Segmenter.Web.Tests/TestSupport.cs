using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

internal static class TestData
{
    /// <summary>
    /// Polls <paramref name="condition"/> every 10 ms until it holds. The deadline only keeps a broken test from
    /// hanging, it is no speed claim (a test that promises a time asserts it itself): under CI the real engine shares
    /// two cores with Chromium rendering the end-to-end tests' pages, and a 5 s deadline failed a run that was merely slow.
    /// </summary>
    public static async Task Until(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? what = null)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still not true after {HangGuard.TotalSeconds:F0} s: {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>How long any wait of these tests (polls, bUnit's WaitFor, awaited tasks) gives up after: a hang guard.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary><see cref="HangGuard"/> in the milliseconds Playwright's waits take.</summary>
    public static readonly float HangGuardMilliseconds = (float)HangGuard.TotalMilliseconds;

    /// <summary>bUnit's WaitFor operations get the same hang guard (its default is 1 s, short for a real run under CI).</summary>
    [ModuleInitializer]
    internal static void UseHangGuardForBunitWaits() => Bunit.BunitContext.DefaultWaitTimeout = HangGuard;

    /// <summary>
    /// torch's thread count before any test touches torch, as the app sets it at start-up: a thread that ran torch
    /// before it was set keeps two threads, and two runs of one seed on different threads would differ slightly.
    /// </summary>
    [ModuleInitializer]
    internal static void SetTorchThreadsBeforeAnyTest() => Segmenter.Engine.TorchRuntime.Initialise();

    /// <summary>
    /// Trains with the session's form as it is and waits until the run is finished and recorded in the history; a run
    /// that fails ends the wait at once with the session's error.
    /// </summary>
    public static async Task TrainAsync(TestSession session)
    {
        int before = session.History.Count;
        Assert.True(await session.Runs.StartAsync(), session.Changes.Error);
        await Until(() => session.Jobs.State is SessionState.Finished or SessionState.Failed);
        Assert.True(session.Jobs.State == SessionState.Finished, session.Changes.Error);
        await Until(() => session.History.Count == before + 1);
    }

    /// <summary>
    /// A tiny image whose pixels cycle through <see cref="Colours"/>, each shade nudged a little per pixel so there are
    /// more distinct colours than any k the form allows: the real engine trains on it in a blink.
    /// </summary>
    public static RgbImage Image(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            var (r, g, b) = Colours[i % Colours.Length];
            byte nudge = (byte)(i / Colours.Length % 16);
            px[3 * i] = (byte)Math.Min(255, r + nudge); px[3 * i + 1] = g; px[3 * i + 2] = (byte)Math.Max(0, b - nudge);
        }
        return new RgbImage(w, h, px);
    }

    /// <summary>Vertical bands of <see cref="Colours"/>, 8 pixels wide: enough distinct colours for the real engine.</summary>
    public static RgbImage Bands(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            var (r, g, b) = Colours[i % w / 8 % Colours.Length];
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b;
        }
        return new RgbImage(w, h, px);
    }

    public static readonly (byte R, byte G, byte B)[] Colours = [(200, 10, 20), (10, 200, 30), (40, 50, 220), (250, 250, 250)];

    public static SegmentationResult Result(int k, int w = 8, int h = 6)
    {
        int n = w * h;
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)(i % k);
        var clusters = Enumerable.Range(0, k).Select(c =>
        {
            long count = labels.Count(l => l == c);
            var (r, g, b) = Colours[c % Colours.Length];
            return new ClusterSummary(c, count, (double)count / n, r, g, b);
        }).ToArray();
        var losses = new[] { new EpochLoss(1, 2, 0.5, 0.1), new EpochLoss(2, 2, 0.25, 0.2) };
        int points = Math.Min(n, 10);
        var plot = new PlotSample(points, new byte[points * 3], labels.Take(points).ToArray(), new float[points * 3], new float[k * 3]);
        return new SegmentationResult(SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k }, w, h, labels, clusters, losses,
            inertia: 1.5, kmeansIterations: 3, new StageTimings(0, 1, 0, 0, 0, 1, 0.5), plot, model: null);
    }

    public static JobRunner Runner(int concurrent = 1, int queue = 8)
        => new(Options.Create(new SegmenterOptions { MaxConcurrentJobs = concurrent, MaxQueueLength = queue }), NullLogger<JobRunner>.Instance);

    /// <summary>A session on the real engine; give it a tiny image (<see cref="Image"/>) so a run takes well under a second.</summary>
    public static TestSession Session(JobRunner? runner = null, SegmenterOptions? options = null)
        => TestSession.Create(runner, options);

    /// <summary>Holds every job of <paramref name="runner"/> in its slot until <paramref name="release"/> completes or the job is cancelled.</summary>
    public static void HoldJobs(JobRunner runner, Task release)
        => runner.BeforeWork = (_, ct) => release.WaitAsync(ct);

    /// <summary>A bUnit context with MudBlazor's services and loose JS interop (MudBlazor and Plotly call JS).</summary>
    public static BunitContext Context()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(new SampleImages());
        ctx.Services.AddSingleton(Options.Create(new SegmenterOptions()));
        return ctx;
    }
}
