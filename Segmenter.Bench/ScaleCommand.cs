using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Segmenter.Web.Api;

namespace Segmenter.Bench;

/// <summary>
/// <c>scale --postgres CONNECTION [--runs N] [--jobs-per-worker J]</c>: what workers add. Starts the real app as separate
/// processes on 127.0.0.1 against a fresh database of its own on the given PostgreSQL server: one web instance and one
/// worker, N API runs of the astronaut (Fast preset, k = 4) posted at once and timed from the first post to the last
/// finish; then a second worker and the same again; then one long run whose worker is killed (SIGKILL) once it runs,
/// timed from the kill to its finish on the other worker. The database is dropped at the end.
/// </summary>
internal static class ScaleCommand
{
    /// <summary>The killed run's epochs: three times the default's, so it is surely mid-run when its worker is killed.</summary>
    private const int KillEpochs = 60;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("scale", args, ["--postgres", "--runs", "--jobs-per-worker"], []) is not { } cl) return Program.Ok;
        var server = cl.String("--postgres") ?? Environment.GetEnvironmentVariable("SEGMENTER_TEST_POSTGRES")
            ?? throw new UsageException("scale needs a PostgreSQL server: --postgres \"Host=…;Username=…\" (a user that may create databases).");
        int runs = cl.Int("--runs") ?? 8;
        int jobs = cl.Int("--jobs-per-worker") ?? 1;
        if (runs < 1 || jobs < 1) throw new UsageException("--runs and --jobs-per-worker must be at least 1.");
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = "segmenter_scale_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        var image = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.RequireRoot(), "assets", "astronaut.png"));
        const string settings = """{"clusters":4}""";

        Console.WriteLine($"scale: {runs} API runs of the astronaut (fast preset, k=4) per row, {jobs} run(s) at a time per worker, " +
                          $"one web instance, {Environment.ProcessorCount} cores, PostgreSQL {new NpgsqlConnectionStringBuilder(server).Host}");
        var started = new List<AppProcess>();
        try
        {
            string[] shared = [$"--ConnectionStrings:Segmenter={connection}", $"--Segmenter:MaxQueueLength={runs + 8}"];
            string[] worker = [.. shared, "--Segmenter:Role=worker", $"--Segmenter:MaxConcurrentJobs={jobs}"];
            var web = await StartAsync([.. shared, "--Segmenter:Role=web"], started);
            var first = await StartAsync(worker, started);
            await RunOnceAsync(web, image, """{"clusters":4,"epochs":1}"""); // warm-up: each worker's first run loads torch's kernels
            Console.WriteLine("| workers | runs | wall s | runs per minute |");
            Console.WriteLine("|---|---|---|---|");
            await RowAsync(1, web, image, settings, runs);
            var second = await StartAsync(worker, started);
            await RunOnceAsync(web, image, """{"clusters":4,"epochs":1}""");
            await RowAsync(2, web, image, settings, runs);

            // The killed worker's run: long enough to be mid-run when killed; timed from the kill to its finish elsewhere.
            var id = await PostAsync(web, image, $$"""{"clusters":4,"epochs":{{KillEpochs}}}""");
            AppProcess? victim = null;
            while (victim is null)
            {
                var status = await StatusAsync(web, id);
                if (status.State == RunStates.Running && status.EpochLosses.Count > 0) victim = await WorkerOfAsync(connection, id, [first, second]);
                else await Task.Delay(100);
            }
            var killedAt = Stopwatch.StartNew();
            victim.Kill();
            // Taken up again: the other worker claims it (its row counts a second start).
            while (await AttemptsAsync(connection, id) < 2) await Task.Delay(100);
            double takenUp = killedAt.Elapsed.TotalSeconds;
            var end = await WaitEndedAsync(web, id);
            Console.WriteLine();
            Console.WriteLine($"killed worker: its run ({KillEpochs} epochs, killed after its first) was taken up by the other worker " +
                              $"{takenUp:0.0} s after the kill and {end.State} {killedAt.Elapsed.TotalSeconds:0.0} s after it (training again from the start)");
            return end.State == RunStates.Finished ? Program.Ok : Program.Failed;
        }
        finally
        {
            foreach (var p in started) await p.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connection).Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<AppProcess> StartAsync(string[] settings, List<AppProcess> started)
    {
        var app = await AppProcess.StartAsync(settings, TimeSpan.FromMinutes(2));
        started.Add(app);
        return app;
    }

    private static async Task RowAsync(int workers, AppProcess web, byte[] image, string settings, int runs)
    {
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        for (int i = 0; i < runs; i++) ids.Add(await PostAsync(web, image, settings));
        foreach (var id in ids)
        {
            var end = await WaitEndedAsync(web, id);
            if (end.State != RunStates.Finished) throw new InvalidOperationException($"run {id} {end.State}: {end.Error}");
        }
        double wall = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {workers} | {runs} | {wall:0.0} | {runs / wall * 60:0.0} |");
    }

    private static async Task RunOnceAsync(AppProcess web, byte[] image, string settings)
        => await WaitEndedAsync(web, await PostAsync(web, image, settings));

    private static async Task<string> PostAsync(AppProcess web, byte[] image, string settings)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(image), "image", "astronaut.png");
        form.Add(new StringContent(settings), "settings");
        using var response = await Http.PostAsync(web.BaseUrl + "api/segmentations", form);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SegmentationAccepted>(JsonSerializerOptions.Web))!.Id;
    }

    private static async Task<SegmentationStatus> StatusAsync(AppProcess web, string id)
        => (await Http.GetFromJsonAsync<SegmentationStatus>(web.BaseUrl + "api/segmentations/" + id, JsonSerializerOptions.Web))!;

    private static async Task<SegmentationStatus> WaitEndedAsync(AppProcess web, string id)
    {
        while (true)
        {
            var status = await StatusAsync(web, id);
            if (status.State is RunStates.Finished or RunStates.Failed or RunStates.Cancelled) return status;
            await Task.Delay(100);
        }
    }

    private static async Task<int> AttemptsAsync(string connection, string id)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Attempts" FROM queued_runs WHERE "Id" = @id AND "State" <> 'queued'""", db);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() is int attempts ? attempts : 0;
    }

    private static async Task<AppProcess?> WorkerOfAsync(string connection, string id, AppProcess[] workers)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Worker" FROM queued_runs WHERE "Id" = @id AND "State" = 'running'""", db);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() is string worker ? workers.FirstOrDefault(w => worker.EndsWith(":" + w.Id, StringComparison.Ordinal)) : null;
    }
}
