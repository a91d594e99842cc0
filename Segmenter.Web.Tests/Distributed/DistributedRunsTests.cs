using System.Net;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Api;
using Segmenter.Web.Jobs;
using Segmenter.Web.Tests.EndToEnd;

namespace Segmenter.Web.Tests.Distributed;

/// <summary>
/// API runs on the shared job engine, across real processes: posted to one web instance, answered by the other, run by
/// whichever worker takes them, surviving a worker killed with SIGKILL mid-run, and cancelled from another instance.
/// No verdict depends on speed: every wait is for an event and gives up only after the hang guard without progress.
/// </summary>
[Collection(nameof(DistributedCollection))]
public sealed class DistributedRunsTests(DistributedCluster cluster)
{
    private static readonly byte[] Cat = File.ReadAllBytes(Path.Combine(AppServer.RepoRoot, "assets", "chelsea.png"));

    /// <summary>The run killed mid-way trains this many epochs: far more than pass between seeing it run and the kill.</summary>
    private const int LongEpochs = 150;

    [SkippableFact]
    public async Task Eight_runs_posted_to_one_web_instance_all_finish_once_though_a_worker_and_that_instance_are_killed()
    {
        Skip.IfNot(cluster.Available, $"Distributed tests skipped: set {Store.PostgresRunStoreTests.ServerVariable} to a PostgreSQL server (.ci/run does).");
        // The long run first, so a worker is busy with it while the other takes the short ones.
        var victim = await cluster.PostAsync(cluster.Web1, Cat, $$"""{"clusters":3,"epochs":{{LongEpochs}},"seed":1}""");
        var ids = new List<string> { victim };
        for (int i = 0; i < 7; i++) ids.Add(await cluster.PostAsync(cluster.Web1, Cat, $$"""{"clusters":3,"epochs":3,"seed":{{i + 2}}}"""));

        // Killed once it runs (seen on the second web instance) with most of its epochs still ahead.
        string killedWorker = "";
        await WaitAsync(async () =>
        {
            var status = await cluster.StatusAsync(cluster.Web2, victim);
            if (status.State != RunStates.Running || status.EpochLosses.Count == 0) return false;
            var row = await cluster.RowAsync(victim);
            if (row is not { State: RunStates.Running } || cluster.WorkerOf(row.Value.Worker) is not { } worker) return false;
            worker.Kill();
            killedWorker = row.Value.Worker!;
            return true;
        }, "the long run to run on a worker");
        Assert.Equal(RunStates.Running, (await cluster.RowAsync(victim))!.Value.State); // killed mid-run, not after

        // The web instance that accepted them crashes and comes back: the runs it accepted are in the database, not in it.
        await cluster.RestartWeb1Async();
        foreach (var id in ids) await cluster.StatusAsync(cluster.Web1, id);

        // Every run finishes; all are polled on the second web instance, which accepted none of them.
        var last = new Dictionary<string, string>();
        await WaitForProgressAsync(async () =>
        {
            var seen = new List<string>();
            foreach (var id in ids)
            {
                var status = await cluster.StatusAsync(cluster.Web2, id);
                Assert.True(status.State is RunStates.Queued or RunStates.Running or RunStates.Finished,
                    $"run {id} is {status.State}: {status.Error}\n{cluster.Logs}");
                seen.Add($"{status.State}/{status.EpochLosses.Count}");
            }
            return (string.Join(",", seen), seen.All(s => s.StartsWith(RunStates.Finished, StringComparison.Ordinal)));
        }, "all eight runs to finish");

        var victimRow = (await cluster.RowAsync(victim))!.Value;
        Assert.Equal(RunStates.Finished, victimRow.State);
        Assert.True(victimRow.Attempts >= 2, $"the killed run was started {victimRow.Attempts} time(s)");
        Assert.NotEqual(killedWorker, victimRow.Worker); // finished by the worker that lives

        var stored = await cluster.StoredCountsAsync(ids);
        Assert.Equal(ids.Order(), stored.Keys.Order());
        Assert.All(stored.Values, count => Assert.Equal(1, count));

        foreach (var id in ids)
        {
            var finished = await cluster.StatusAsync(cluster.Web1, id);
            Assert.Equal(RunStates.Finished, finished.State);
            Assert.NotEmpty(finished.EpochLosses);
            byte[]? first = null;
            foreach (var web in new[] { cluster.Web1, cluster.Web2 })
            {
                using var labels = await cluster.GetAsync(web, finished.Result!.Files.Labels);
                Assert.Equal(HttpStatusCode.OK, labels.StatusCode);
                var bytes = await labels.Content.ReadAsByteArrayAsync();
                var map = ImageLoader.Load(new MemoryStream(bytes));
                Assert.Equal((finished.Result.Width, finished.Result.Height), (map.Width, map.Height));
                if (first is null) first = bytes;
                else Assert.Equal(first, bytes);
            }
        }
    }

    [SkippableFact]
    public async Task A_cancel_posted_to_the_other_web_instance_stops_the_run_on_its_worker()
    {
        Skip.IfNot(cluster.Available, $"Distributed tests skipped: set {Store.PostgresRunStoreTests.ServerVariable} to a PostgreSQL server (.ci/run does).");
        var id = await cluster.PostAsync(cluster.Web1, Cat, """{"clusters":3,"epochs":1000,"seed":3}""");
        await WaitAsync(async () => await cluster.StatusAsync(cluster.Web2, id) is { State: RunStates.Running, EpochLosses.Count: > 0 },
            "the run to run on a worker");

        using var cancel = await cluster.DeleteAsync(cluster.Web2, id);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);

        SegmentationStatus status = null!;
        await WaitAsync(async () => (status = await cluster.StatusAsync(cluster.Web1, id)).State == RunStates.Cancelled, "the run to be cancelled");
        Assert.True(status.EpochLosses.Count < 1000, "the run trained every epoch: the cancel did not stop it");
        var row = (await cluster.RowAsync(id))!.Value;
        Assert.Equal(RunStates.Cancelled, row.State);
        Assert.Contains($"API run {id}: cancel seen", cluster.WorkerOf(row.Worker)!.Log);
        Assert.Empty(await cluster.StoredCountsAsync([id])); // a cancelled run is not stored

        using var files = await cluster.GetAsync(cluster.Web2, $"api/segmentations/{id}/labels.png");
        Assert.Equal(HttpStatusCode.NotFound, files.StatusCode);
    }

    [SkippableFact]
    public async Task A_worker_serves_only_its_health_which_checks_torch_the_store_and_the_job_storage()
    {
        Skip.IfNot(cluster.Available, $"Distributed tests skipped: set {Store.PostgresRunStoreTests.ServerVariable} to a PostgreSQL server (.ci/run does).");
        var worker = cluster.Workers.First(w => !w.HasExited);
        using var health = await cluster.GetAsync(worker, "healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var checks = System.Text.Json.Nodes.JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!.AsObject();
        Assert.Equal(["jobs", "store", "torch"], checks.Select(c => c.Key).Order());
        Assert.All(checks, c => Assert.Equal("healthy", (string?)c.Value!["status"]));
        foreach (var path in new[] { "", "api/segmentations/x", "openapi/v1.json" })
        {
            using var other = await cluster.GetAsync(worker, path);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }
        using var page = await cluster.GetAsync(cluster.Web2, "");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the web role serves the page
    }

    /// <summary>Polls until <paramref name="done"/> holds, giving up after the hang guard.</summary>
    private async Task WaitAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TestData.HangGuard;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still waiting after {TestData.HangGuard.TotalSeconds:F0} s for {what}\n{cluster.Logs}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Polls until done, giving up only when nothing changed for the hang guard plus the job engine's invisibility
    /// timeout (the time a killed worker's job waits, by design, before another worker may take it).
    /// </summary>
    private async Task WaitForProgressAsync(Func<Task<(string State, bool Done)>> poll, string what)
    {
        var patience = TestData.HangGuard + JobEngine.InvisibilityTimeout;
        var lastChange = DateTime.UtcNow;
        string last = "";
        while (true)
        {
            var (state, done) = await poll();
            if (done) return;
            if (state != last) { last = state; lastChange = DateTime.UtcNow; }
            else if (DateTime.UtcNow - lastChange > patience)
                throw new TimeoutException($"No progress for {patience.TotalSeconds:F0} s while waiting for {what}: {state}\n{cluster.Logs}");
            await Task.Delay(250);
        }
    }
}

[CollectionDefinition(nameof(DistributedCollection))]
public sealed class DistributedCollection : ICollectionFixture<DistributedCluster>;
