using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Bench;

/// <summary>
/// <c>memory [--sessions 20] [--megapixels 40] [--epochs 2]</c>: the real app in process (its own services and
/// settings, a fresh store), one session per visitor as a circuit would have it: each uploads a generated
/// M-megapixel JPEG, trains, and shows its original and segmented images, as many at once as the app runs jobs
/// (<c>Segmenter:MaxConcurrentJobs</c>, one per core by default); then every session ends (the circuit closes). Prints the resident set (RSS) at start, after each session, while all are held, and after they leave.
/// Targets: ≤ 4096 MB while held (measured after each wave, once the app's post-run collection has run; the RSS as
/// the runs ended and the process peak while they ran are printed beside it), back within 300 MB of the start
/// within 10 s of the last session ending.
/// </summary>
internal static class MemoryCommand
{
    public const double HeldTargetMb = 4096, ReturnTargetMb = 300;
    public static readonly TimeSpan ReturnWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SettleMargin = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var cl = CommandLine.Parse(args, ["--sessions", "--megapixels", "--epochs", "--hold-seconds"], ["--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        int sessions = cl.Int("--sessions") ?? 20;
        double megapixels = cl.Double("--megapixels") ?? 40;
        int epochs = cl.Int("--epochs") ?? 2;
        // Keeps the sessions held this long after the last wave so a heap dump (dotnet-gcdump collect -p PID) can see what they hold.
        int holdSeconds = cl.Int("--hold-seconds") ?? 0;
        int width = (int)Math.Round(Math.Sqrt(megapixels * 1_000_000 * 8 / 5)), height = (int)(megapixels * 1_000_000 / width);

        var data = Path.Combine(Path.GetTempPath(), "segmenter-memory-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine($"memory: {sessions} sessions, each a {width}×{height} JPEG ({width * (long)height / 1e6:0.0} MP), fast preset, {epochs} epochs; store in {data}");
        byte[] jpeg = GenerateJpeg(width, height);
        Console.WriteLine($"  upload: {jpeg.Length / 1048576.0:0.0} MB JPEG");

        Segmenter.Engine.TorchRuntime.Initialise();
        await using var app = new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Segmenter:DataFolder", data);
            web.UseSetting("Segmenter:MaxUploadBytes", (64L * 1024 * 1024).ToString());
            web.UseSetting("Logging:LogLevel:Default", "Warning");
            web.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
        });
        var budget = app.Services.GetRequiredService<ResidentBudget>();
        int concurrent = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SegmenterOptions>>().Value.MaxConcurrentJobs;
        Console.WriteLine($"  {concurrent} run(s) at a time (Segmenter:MaxConcurrentJobs), default window {SegmentationParameters.ForPreset(Preset.Fast).Window}");
        double start = Memory.SettledWorkingSetMb();
        Console.WriteLine($"  start (settled): {start:0} MB RSS; resident budget {budget.BudgetBytes / 1048576.0:0} MB");

        var scopes = new List<IServiceScope>();
        var clock = Stopwatch.StartNew();
        double maxHeld = 0, maxAtEnd = 0;
        try
        {
            // Visitors arrive in waves as large as the app runs jobs at once (Segmenter:MaxConcurrentJobs), so the
            // runs' working sets overlap as they do on a busy server.
            for (int first = 1; first <= sessions; first += concurrent)
            {
                var wave = Enumerable.Range(first, Math.Min(concurrent, sessions - first + 1)).Select(i =>
                {
                    var scope = app.Services.CreateScope();
                    scopes.Add(scope);
                    return VisitAsync(i, scope.ServiceProvider, jpeg, epochs);
                }).ToArray();
                await Task.WhenAll(wave);
                double atEnd = RssMb();
                maxAtEnd = Math.Max(maxAtEnd, atEnd);
                // What the sessions hold once the app has done what it does a moment after every run (its one
                // compacting collection and malloc_trim, ResidentBudget.ReturnDelay later): the figure the target is on.
                await Task.Delay(ResidentBudget.ReturnDelay + SettleMargin);
                double rss = RssMb();
                maxHeld = Math.Max(maxHeld, rss);
                Console.WriteLine($"  sessions {first,2}–{first + wave.Length - 1,2}: {rss,6:0} MB RSS held ({atEnd,5:0} MB as the runs ended), managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0,5:0} MB, resident state {budget.TotalBytes / 1048576.0,5:0} MB, {clock.Elapsed.TotalSeconds,5:0} s");
            }
            double held = RssMb();
            maxHeld = Math.Max(maxHeld, held);
            if (holdSeconds > 0)
            {
                Console.WriteLine($"  holding for {holdSeconds} s (process {Environment.ProcessId}) before the sessions leave");
                await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
            }
            Console.WriteLine($"  all {sessions} held: {held:0} MB RSS (highest held after a wave: {maxHeld:0} MB; highest as a wave's runs ended: {maxAtEnd:0} MB; process peak, runs in flight: {Memory.PeakWorkingSetMb():0} MB)");
        }
        finally
        {
            // Every visitor leaves: their circuits close and the scopes (sessions) are disposed.
            foreach (var scope in scopes) scope.Dispose();
            scopes.Clear(); // a disposed scope still references what it resolved; the circuit registry drops its scopes too
        }
        var left = Stopwatch.StartNew();
        double after = RssMb();
        while (left.Elapsed < ReturnWait && after - start > ReturnTargetMb)
        {
            await Task.Delay(250);
            after = RssMb();
        }
        Console.WriteLine($"  after they left: {after:0} MB RSS ({after - start:+0;-0} MB vs start), managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:0} MB, {left.Elapsed.TotalSeconds:0.0} s after the last session ended");
        bool heldOk = maxHeld <= HeldTargetMb, returnOk = after - start <= ReturnTargetMb;
        Console.WriteLine($"held ≤ {HeldTargetMb} MB: {maxHeld:0} MB — {(heldOk ? "met" : "NOT MET")}; returned within {ReturnTargetMb} MB of start: {after - start:+0;-0} MB — {(returnOk ? "met" : "NOT MET")}");
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        return heldOk && returnOk ? Program.Ok : Program.Failed;
    }

    /// <summary>One visitor: uploads, trains, and looks at the original and the segmented image, as the page does.</summary>
    private static async Task VisitAsync(int i, IServiceProvider session, byte[] jpeg, int epochs)
    {
        // The session's parts as the page's panels get them; its memory (the budget's view of it) is there from the start, as the circuit's handler makes it.
        session.GetRequiredService<SessionMemory>();
        var image = session.GetRequiredService<SessionImage>();
        var settings = session.GetRequiredService<SessionSettings>();
        var jobs = session.GetRequiredService<SessionJobs>();
        var files = session.GetRequiredService<SessionFiles>();
        var error = session.GetRequiredService<SessionChanges>();
        await session.GetRequiredService<RunHistory>().AttachAsync(RunCodec.NewId());
        if (!await image.LoadUploadAsync(new MemoryStream(jpeg, writable: false), $"visitor-{i}.jpg"))
            throw new InvalidOperationException($"session {i}: the upload was refused: {error.Error}");
        settings.Form.Epochs = epochs;
        settings.Form.Clusters = 6;
        if (!await session.GetRequiredService<SessionRuns>().StartAsync()) throw new InvalidOperationException($"session {i}: the run was refused: {error.Error}");
        while (jobs.State is not (SessionState.Finished or SessionState.Failed or SessionState.Cancelled)) await Task.Delay(100);
        if (jobs.State != SessionState.Finished) throw new InvalidOperationException($"session {i}: the run ended {jobs.State}: {error.Error}");
        _ = files.GetImageFile(ResultImage.Original);
        _ = files.GetImageFile(ResultImage.Segmented);
    }

    /// <summary>A photo-like test image: smooth regions with noise (many distinct colours), as a quality-90 JPEG.</summary>
    private static byte[] GenerateJpeg(int width, int height)
    {
        var rgb = SyntheticImages.Regions(width, height, regions: 6, noise: 6, seed: 40);
        using var image = Image.LoadPixelData<Rgb24>(rgb.Pixels, width, height);
        using var ms = new MemoryStream();
        image.Save(ms, new JpegEncoder { Quality = 90 });
        return ms.ToArray();
    }

    private static double RssMb()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024.0 * 1024.0);
    }
}
