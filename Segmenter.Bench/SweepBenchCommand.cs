using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Web.Api;
using Segmenter.Web.Sweeps;

namespace Segmenter.Bench;

/// <summary>
/// <c>sweep [--workers 1,2] [--sweep AXES]</c>: the app in process with <c>Segmenter:MaxConcurrentJobs</c> = each
/// worker count; times one API run of the astronaut with the defaults, then a 3 × 3 sweep (default
/// <c>clusters=3,4,5;seed=1,2,3</c>: each run costs what a default run does) queued through the same API runs, and prints
/// the sweep's time as a multiple of the one run's, and the process's working set before and after the sweep (the
/// server keeps the runs' thumbnails and summaries in its store, not nine trained models).
/// </summary>
internal static class SweepBenchCommand
{
    public const string DefaultAxes = "clusters=3,4,5;seed=1,2,3";

    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("sweep", args, ["--workers", "--sweep"], []) is not { } cl) return Program.Ok;
        var levels = (cl.String("--workers") ?? "1,2").Split(',').Select(l => int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v
            : throw new UsageException($"--workers takes whole numbers ≥ 1 separated by commas; got '{cl.String("--workers")}'.")).ToArray();
        string axesText = cl.String("--sweep") ?? DefaultAxes;
        IReadOnlyList<SweepAxis> axes;
        try { axes = SweepAxes.Parse(axesText); }
        catch (ArgumentException e) { throw new UsageException($"--sweep: {e.Message}"); }
        byte[] astronaut = File.ReadAllBytes(Path.Combine(RepoPaths.RequireRoot(), "assets", "astronaut.png"));
        Console.WriteLine($"sweep: {SweepAxes.Count(axes)} runs ({axesText}) of the astronaut, fast preset defaults, {Environment.ProcessorCount} cores");
        Segmenter.Engine.TorchRuntime.Initialise();

        // CPU seconds beside the wall clock: on a machine shared with other work they move far less than the seconds do.
        Console.WriteLine("| workers | one run s | sweep s | sweep ÷ one run | one run CPU s | sweep CPU s | CPU ÷ | RSS before MB | RSS after MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (int workers in levels)
        {
            var data = Path.Combine(Path.GetTempPath(), "segmenter-sweep-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using var app = new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
                {
                    web.UseSetting("Segmenter:DataFolder", data);
                    web.UseSetting("Segmenter:MaxConcurrentJobs", workers.ToString(CultureInfo.InvariantCulture));
                    web.UseSetting("Segmenter:MaxSweepRuns", "1000");
                    web.UseSetting("Logging:LogLevel:Default", "Warning");
                });
                var runs = app.Services.GetRequiredService<ApiRuns>();
                var sweeps = app.Services.GetRequiredService<SweepRunner>();
                await OneRunAsync(runs, astronaut, """{"epochs":1}"""); // warm-up: native library, JIT, store
                var clock = Stopwatch.StartNew();
                var cpu = CpuSeconds();
                await OneRunAsync(runs, astronaut, "{}");
                double one = clock.Elapsed.TotalSeconds, oneCpu = CpuSeconds() - cpu;

                double before = Memory.SettledWorkingSetMb();
                clock.Restart();
                cpu = CpuSeconds();
                var accepted = await sweeps.StartAsync(new SweepRequest(astronaut, "astronaut.png", [], axes), CancellationToken.None);
                SweepStatus status;
                while ((status = (await sweeps.StatusAsync(accepted.Id, CancellationToken.None))!).State == SweepStatus.Running)
                    await Task.Delay(200);
                double sweep = clock.Elapsed.TotalSeconds, sweepCpu = CpuSeconds() - cpu;
                double after = Memory.SettledWorkingSetMb();
                if (status.Cells.FirstOrDefault(c => c.State != RunStates.Finished) is { } bad)
                    throw new InvalidOperationException($"A sweep run ended {bad.State}: {bad.Error}");
                Console.WriteLine($"| {workers} | {one:0.0} | {sweep:0.0} | {sweep / one:0.00} | {oneCpu:0.0} | {sweepCpu:0.0} | {sweepCpu / oneCpu:0.00} | {before:0} | {after:0} |");
            }
            finally
            {
                try { Directory.Delete(data, recursive: true); } catch (IOException) { }
            }
        }
        return Program.Ok;
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>One API run, submitted and awaited as a client polls it.</summary>
    private static async Task OneRunAsync(ApiRuns runs, byte[] image, string settings)
    {
        var run = await runs.SubmitAsync(new MemoryStream(image), "astronaut.png", settings, CancellationToken.None);
        while ((await runs.StatusAsync(run.Id, CancellationToken.None))?.State is RunStates.Queued or RunStates.Running) await Task.Delay(100);
        if (run.State != RunStates.Finished) throw new InvalidOperationException($"The run ended {run.State}: {run.Error}");
    }
}
