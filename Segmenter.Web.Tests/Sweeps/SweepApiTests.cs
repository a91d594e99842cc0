using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using Segmenter.Web.Store;
using Segmenter.Web.Sweeps;
using static Segmenter.Web.Tests.ApiTests;

namespace Segmenter.Web.Tests.Sweeps;

/// <summary><c>/api/sweeps</c> as a script uses it: a grid queued as ordinary runs, polled until every cell is in, refusals before anything runs, cancel.</summary>
public sealed class SweepApiTests
{
    private static MultipartFormDataContent SweepUpload(string axes, string? settings = null, byte[]? truth = null)
    {
        var form = Upload(TwoTonePng, settings);
        form.Add(new StringContent(axes), SweepEndpoints.AxesPart);
        if (truth is not null) form.Add(new ByteArrayContent(truth), SweepEndpoints.TruthPart, "truth.png");
        return form;
    }

    /// <summary>The two-tone image's own split: left half segment 0, right half segment 1.</summary>
    private static byte[] TwoToneTruth()
    {
        var labels = new byte[64 * 48];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)(i % 64 < 32 ? 0 : 1);
        return ImageLoader.EncodeLabelPng(labels, 64, 48);
    }

    /// <summary>One slot and no queue place: a sweep's later runs wait in the sweep for room.</summary>
    private static ApiHost OneSlotNoQueue() => new(new Dictionary<string, string?>
    {
        ["Segmenter:MaxConcurrentJobs"] = "1",
        ["Segmenter:MaxQueueLength"] = "0",
    });

    private static Task<JsonNode> PollSweep(HttpClient client, string url, Func<string, bool> done) => PollUntil(client, url, done, TimeSpan.FromMinutes(3));

    [Fact]
    public async Task A_grid_larger_than_the_queue_runs_whole_and_every_cell_gets_its_scores()
    {
        await using var host = OneSlotNoQueue();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(AppUrls.SweepApiRoute,
            SweepUpload("""{"epochs":[1,2],"seed":{"from":1,"to":2,"step":1}}""", """{"clusters":2}""", TwoToneTruth()));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var accepted = await Json(posted);
        Assert.Equal(4, (int)accepted["count"]!);
        Assert.Equal(4, accepted["runIds"]!.AsArray().Count);
        Assert.NotNull((string?)accepted["runIds"]![0]);
        string url = posted.Headers.Location!.OriginalString;
        Assert.Equal(AppUrls.ApiSweep((string)accepted["id"]!), url);

        var status = await PollSweep(client, url, s => s != SweepStatus.Running);
        Assert.Equal(SweepStatus.Finished, (string)status["state"]!);
        Assert.True((bool)status["hasTruth"]!);
        var cells = status["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        // The first axis varies slowest.
        Assert.Equal([1, 1, 2, 2], cells.Select(c => (int)c!["values"]!["epochs"]!));
        Assert.Equal([1, 2, 1, 2], cells.Select(c => (int)c!["values"]!["seed"]!));
        foreach (var cell in cells)
        {
            Assert.True((string)cell!["state"]! == RunStates.Finished, cell.ToJsonString());
            Assert.NotNull((double?)cell["finalLoss"]);
            Assert.NotNull((double?)cell["rgbBaselineAri"]);
            Assert.InRange((double)cell["truthAri"]!, -1, 1);
            Assert.InRange((double)cell["truthMeanIoU"]!, 0, 1);
            string runId = (string)cell["runId"]!;
            Assert.Equal($"/runs/{runId}", (string)cell["link"]!);
            using var thumbnail = await client.GetAsync((string)cell["thumbnail"]!);
            Assert.Equal("image/png", thumbnail.Content.Headers.ContentType?.MediaType);
            // An ordinary run: its own status shows the truth scores the sweep gave it.
            var run = await Json(await client.GetAsync(ApiRuns.StatusUrl(runId)));
            Assert.Equal((double)cell["truthAri"]!, (double)run["result"]!["scores"]!["truthAri"]!);
        }
        // k = 2 on a two-tone image finds its two halves.
        Assert.All(cells, c => Assert.Equal(1.0, (double)c!["truthAri"]!, 6));
    }

    [Theory]
    [InlineData("""{"window":[1,4]}""", "The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 4.")]
    [InlineData("""{"colour":[1,2]}""", "Unknown setting \"colour\"; the settings are preset, clusters")]
    [InlineData("""{"heads":[]}""", "The sweep's list of \"heads\" values is empty")]
    [InlineData("""{"clusters":{"from":2,"to":102,"step":50}}""", "The number of clusters can be at most")]
    [InlineData("""{"clusters":[2,3,4],"seed":[1,2,3],"epochs":[1,2,3,4]}""", "The sweep has 36 runs; this server runs at most 27 in one sweep")]
    [InlineData("""{"window":[1,3],"maxPixels":[100]}""", "The working resolution's pixel limit must be 0")]
    public async Task Bad_axes_are_refused_with_the_settings_message_before_any_run_is_queued(string axes, string message)
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(AppUrls.SweepApiRoute, SweepUpload(axes));
        await AssertProblem(posted, HttpStatusCode.BadRequest, message);
        var runner = host.Services.GetRequiredService<JobRunner>();
        Assert.Equal((0, 0), (runner.Running, runner.Queued));
    }

    [Fact]
    public async Task Cancel_stops_the_sweep_and_keeps_the_runs_that_finished()
    {
        await using var host = OneSlotNoQueue();
        var client = host.CreateClient();
        // Every run after the first holds its slot until it is cancelled, so the sweep is mid-way on any machine (a refused
        // submission takes a job id too, so the second run's id is not known).
        host.Services.GetRequiredService<JobRunner>().BeforeWork = (job, ct) => job.Id == 1 ? Task.CompletedTask : Task.Delay(Timeout.Infinite, ct);
        using var posted = await client.PostAsync(AppUrls.SweepApiRoute, SweepUpload("""{"seed":[1,2,3,4]}""", """{"clusters":2,"epochs":1}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        string url = posted.Headers.Location!.OriginalString;
        await PollSweep(client, url, _ => true);
        var deadline = DateTime.UtcNow + TestData.HangGuard;
        JsonNode status;
        do
        {
            await Task.Delay(100);
            status = await Json(await client.GetAsync(url));
            Assert.True(DateTime.UtcNow < deadline, status.ToJsonString());
        } while ((string)status["cells"]![1]!["state"]! != RunStates.Running);

        using var cancel = await client.DeleteAsync(url);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        status = await PollSweep(client, url, s => s != SweepStatus.Running);
        Assert.Equal(SweepStatus.Cancelled, (string)status["state"]!);
        var states = status["cells"]!.AsArray().Select(c => (string)c!["state"]!).ToArray();
        Assert.Equal([RunStates.Finished, RunStates.Cancelled, SweepCellStates.Skipped, SweepCellStates.Skipped], states);
        Assert.NotNull(await host.Services.GetRequiredService<RunStore>().GetAsync((string)status["cells"]![0]!["runId"]!));
        using var unknown = await client.DeleteAsync(AppUrls.ApiSweep("AAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
