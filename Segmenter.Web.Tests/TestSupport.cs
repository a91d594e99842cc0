using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>An engine that never trains: it replays scripted events and returns a prebuilt result, or blocks until cancelled.</summary>
internal sealed class FakeEngine : ISegmentationEngine
{
    public Func<RgbImage, SegmentationParameters, Action<PipelineEvent>?, CancellationToken, SegmentationResult> Behaviour { get; set; }
        = (img, p, progress, ct) => TestData.Result(p.Clusters, img.Width, img.Height);

    public SegmentationResult Run(RgbImage image, SegmentationParameters parameters, Action<PipelineEvent>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref RunCalls);
        return Behaviour(image, parameters, progress, cancellationToken);
    }

    public int RunCalls, ReclusterCalls, SweepCalls;

    /// <summary>Re-clustering: by default a result with the new k that keeps the previous loss curve and is marked re-clustered.</summary>
    public Func<SegmentationResult, RgbImage, SegmentationParameters, CancellationToken, SegmentationResult> ReclusterBehaviour { get; set; }
        = (prev, img, p, ct) =>
        {
            var r = TestData.Result(p.Clusters, img.Width, img.Height);
            return new SegmentationResult(prev.Parameters with { Clusters = p.Clusters }, r.Width, r.Height, r.Labels, r.Clusters, prev.EpochLosses,
                r.Inertia, r.KMeansIterations, r.Timings, r.Plot, null) { Reclustered = true };
        };

    /// <summary>k sweep: by default silhouette peaks at k = 4, inertia falls as 1/k.</summary>
    public Func<int, int, IReadOnlyList<KSweepPoint>> SweepBehaviour { get; set; }
        = (from, to) => Enumerable.Range(from, to - from + 1).Select(k => new KSweepPoint(k, 100.0 / k, k == 4 ? 0.6 : 0.3, 1.0)).ToArray();

    public float[][]? Attention { get; set; }

    public SegmentationResult Recluster(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ReclusterCalls);
        return ReclusterBehaviour(previous, image, parameters, cancellationToken);
    }

    public IReadOnlyList<KSweepPoint> SweepK(SegmentationResult previous, int from, int to, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref SweepCalls);
        return SweepBehaviour(from, to);
    }

    public RunQuality Quality(SegmentationResult result, RgbImage image, int sampleSize) => new(0.5 - result.Clusters.Count / 100.0, 0.8, sampleSize);

    public float[][]? AttentionAt(SegmentationResult result, RgbImage image, int x, int y)
        => result.Parameters.Window == 1 ? null : Attention;

    /// <summary>A pixel's "code" is its colour (3 floats), so merge and split act on colours.</summary>
    public (float[] Codes, int Dims) PixelCodes(SegmentationResult result, RgbImage image, CancellationToken cancellationToken)
        => (Array.ConvertAll(image.Pixels, b => (float)b), 3);

    /// <summary>The edited labels with their pixel counts and mean colours; the previous run's losses and plot.</summary>
    public SegmentationResult Relabel(SegmentationResult previous, RgbImage image, SteeredClusters steered, float[] codes, int dims, CancellationToken cancellationToken)
    {
        var labels = Array.ConvertAll(steered.Labels, l => (byte)l);
        var sizes = steered.Sizes();
        var clusters = Enumerable.Range(0, steered.Count).Select(c =>
        {
            byte Mean(int ch) => sizes[c] == 0 ? (byte)0
                : (byte)Math.Round(Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Average(i => image.Pixels[3 * i + ch]));
            return new ClusterSummary(c, sizes[c], (double)sizes[c] / labels.Length, Mean(0), Mean(1), Mean(2));
        }).ToArray();
        return new SegmentationResult(previous.Parameters with { Clusters = steered.Count }, previous.Width, previous.Height, labels, clusters,
            previous.EpochLosses, previous.Inertia, 0, previous.Timings, previous.Plot, null) { Reclustered = true, Centres = steered.Centres };
    }
}

internal static class TestData
{
    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds, failing after 5 s.</summary>
    public static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException();
            await Task.Delay(10);
        }
    }

    /// <summary>Trains with the session's form as it is and waits until the run is finished and recorded in the history.</summary>
    public static async Task TrainAsync(SegmentationSession session)
    {
        int before = session.History.Count;
        Assert.True(await session.StartAsync());
        await Until(() => session.State == SessionState.Finished && session.History.Count == before + 1);
    }

    public static RgbImage Image(int w, int h) => new(w, h, new byte[w * h * 3]);

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

    /// <summary>A fake engine whose results carry the parameters they were run with (the history and report show them).</summary>
    public static FakeEngine EchoingEngine()
    {
        var engine = new FakeEngine();
        engine.Behaviour = (img, p, _, _) =>
        {
            var r = Result(p.Clusters, img.Width, img.Height);
            return new SegmentationResult(p, r.Width, r.Height, r.Labels, r.Clusters, r.EpochLosses, r.Inertia, r.KMeansIterations, r.Timings, r.Plot, null);
        };
        return engine;
    }

    public static SegmentationSession Session(JobRunner? runner = null, ISegmentationEngine? engine = null)
        => new(runner ?? Runner(), engine ?? new FakeEngine(), new SampleImages(), new SessionRegistry(),
            Options.Create(new SegmenterOptions()), NullLogger<SegmentationSession>.Instance);

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
