using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Api;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Segmenter.Web.Store;
using SixLabors.ImageSharp.Formats.Png;

namespace Segmenter.Web.Tests;

/// <summary>The HTTP API as a script uses it: the curl session of docs/api.md, refusals as problem details, the queue, cancelling.</summary>
public sealed class ApiTests
{
    internal static readonly byte[] TwoTonePng = TestImages.TwoTone(64, 48, new PngEncoder());

    internal static MultipartFormDataContent Upload(byte[] image, string? settings, string name = "two-tone.png")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", name);
        if (settings is not null) form.Add(new StringContent(settings), "settings");
        return form;
    }

    internal static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    internal static async Task<JsonNode> PollUntil(HttpClient client, string url, Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Json(await client.GetAsync(url));
            if (done((string)status["state"]!)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} still says {status.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.Contains(detail, (string)problem["detail"]!);
    }

    [Fact]
    public async Task Post_poll_and_fetch_the_three_files()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();

        using var posted = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":3,"seed":7}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var accepted = await Json(posted);
        string id = (string)accepted["id"]!;
        Assert.Equal($"{SegmentationApi.Route}/{id}", posted.Headers.Location!.OriginalString);
        Assert.Contains((string)accepted["state"]!, new[] { RunStates.Queued, RunStates.Running });
        Assert.Equal($"/runs/{id}", (string)accepted["link"]!);

        var status = await PollUntil(client, posted.Headers.Location.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(2));
        Assert.Equal(RunStates.Finished, (string)status["state"]!);
        Assert.Equal(3, status["epochLosses"]!.AsArray().Count);
        var result = status["result"]!;
        Assert.Equal(64, (int)result["width"]!);
        Assert.Equal(2, (int)result["parameters"]!["clusters"]!);
        Assert.Equal(7, (int)result["parameters"]!["seed"]!);
        Assert.Equal(64 * 48, result["clusters"]!.AsArray().Sum(c => (long)c!["pixelCount"]!));

        using var labels = await client.GetAsync((string)result["files"]!["labels"]!);
        Assert.Equal("image/png", labels.Content.Headers.ContentType?.MediaType);
        var labelMap = ImageLoader.Load(new MemoryStream(await labels.Content.ReadAsByteArrayAsync()));
        Assert.Equal((64, 48), (labelMap.Width, labelMap.Height));
        // Left half red, right half blue: two clusters, split down the middle.
        Assert.NotEqual(labelMap.Pixels[0], labelMap.Pixels[3 * 63]);

        using var segmented = await client.GetAsync((string)result["files"]!["segmented"]!);
        Assert.Equal("image/png", segmented.Content.Headers.ContentType?.MediaType);
        Assert.Equal((64, 48), Size(await segmented.Content.ReadAsByteArrayAsync()));

        using var report = await client.GetAsync((string)result["files"]!["report"]!);
        var reportJson = await Json(report);
        Assert.Equal(2, (int)reportJson["parameters"]!["clusters"]!);
        Assert.Equal(3, reportJson["epochLosses"]!.AsArray().Count);
    }

    private static (int, int) Size(byte[] png)
    {
        var image = ImageLoader.Load(new MemoryStream(png));
        return (image.Width, image.Height);
    }

    [Fact]
    public async Task Random_bytes_are_refused_with_the_loaders_message_as_problem_details()
    {
        await using var host = new ApiHost();
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route, Upload(bytes, null, "noise.png"));
        await AssertProblem(response, HttpStatusCode.BadRequest, ImageLoader.NotAnImageMessage);
    }

    [Fact]
    public async Task An_upload_over_MaxUploadBytes_is_refused_with_the_loaders_message()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Segmenter:MaxUploadBytes"] = "1000" });
        var big = TestImages.TwoTone(200, 200, new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder()); // 120 KB, uncompressed
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route, Upload(big, null, "big.bmp"));
        await AssertProblem(response, HttpStatusCode.BadRequest, "The file is larger than the");
    }

    [Theory]
    [InlineData("""{"clusters":65}""", "The number of clusters can be at most 64; got 65.")]
    [InlineData("""{"lr":5}""", "The learning rate must be between 0.000001 and 1.")]
    [InlineData("""{"clusters":"four"}""", "The setting \"clusters\" must be a whole number; got \"four\".")]
    [InlineData("""{"colour":true}""", "Unknown setting \"colour\"")]
    [InlineData("""[1,2]""", "The settings must be a JSON object")]
    [InlineData("""{"clusters":""", "The settings are not valid JSON")]
    public async Task Settings_are_checked_with_the_pages_messages(string settings, string message)
    {
        await using var host = new ApiHost();
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route, Upload(TwoTonePng, settings));
        await AssertProblem(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task A_request_without_an_image_part_is_told_what_to_send()
    {
        await using var host = new ApiHost();
        var form = new MultipartFormDataContent { { new StringContent("{}"), "settings" } };
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route, form);
        await AssertProblem(response, HttpStatusCode.BadRequest, "no file part named \"image\"");
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_DELETE_cancels_the_running_run()
    {
        await using var host = new ApiHost(new Dictionary<string, string?>
        {
            ["Segmenter:MaxConcurrentJobs"] = "1",
            ["Segmenter:MaxQueueLength"] = "0",
        });
        var client = host.CreateClient();
        // The first run holds its slot until it is cancelled, so it is running for every request below on any
        // machine (200 epochs of a small image can end before them on a fast one); the runs after it go through.
        host.Services.GetRequiredService<JobRunner>().BeforeWork = (job, ct) => job.Id == 1 ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
        using var first = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":200}"""));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        string url = first.Headers.Location!.OriginalString;
        await PollUntil(client, url, s => s == RunStates.Running, TestData.HangGuard);
        await AssertProblem(await client.GetAsync(url + "/labels.png"), HttpStatusCode.Conflict, "is running; its files appear when it finishes");

        using var second = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2}"""));
        await AssertProblem(second, HttpStatusCode.ServiceUnavailable, ServerBusyException.BusyMessage);
        Assert.Equal(TimeSpan.FromSeconds(ApiProblem.BusyRetrySeconds), second.Headers.RetryAfter?.Delta);

        using var cancel = await client.DeleteAsync(url);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        var status = await PollUntil(client, url, s => s != RunStates.Running, TestData.HangGuard);
        Assert.Equal(RunStates.Cancelled, (string)status["state"]!);
        Assert.True(status["epochLosses"]!.AsArray().Count < 200);

        // The slot is free again.
        using var third = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":1}"""));
        Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        await PollUntil(client, third.Headers.Location!.OriginalString, s => s == RunStates.Finished, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task DELETE_removes_a_finished_run_and_an_unknown_id_is_404()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":1}"""));
        string url = posted.Headers.Location!.OriginalString;
        await PollUntil(client, url, s => s == RunStates.Finished, TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(url)).StatusCode);
        await AssertProblem(await client.GetAsync(url), HttpStatusCode.NotFound, "There is no run");
        await AssertProblem(await client.GetAsync(url + "/labels.png"), HttpStatusCode.NotFound, "There is no run");
        await AssertProblem(await client.DeleteAsync(url), HttpStatusCode.NotFound, "There is no run");
    }

    [Fact]
    public async Task FromRun_applies_a_stored_runs_model_without_training_and_reproduces_its_labels()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var trained = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":2,"seed":3}"""));
        string trainedUrl = trained.Headers.Location!.OriginalString;
        var first = await PollUntil(client, trainedUrl, s => s == RunStates.Finished, TimeSpan.FromMinutes(1));
        string firstId = (string)first["id"]!;

        using var applied = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, $$"""{"fromRun":"{{firstId}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, applied.StatusCode);
        string appliedUrl = applied.Headers.Location!.OriginalString;
        var second = await PollUntil(client, appliedUrl, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(1));
        Assert.True((string)second["state"]! == RunStates.Finished, second.ToJsonString());
        Assert.Equal(0, (double)second["result"]!["timings"]!["trainSeconds"]!);

        Assert.Equal(await client.GetByteArrayAsync(trainedUrl + "/labels.png"), await client.GetByteArrayAsync(appliedUrl + "/labels.png"));
        var report = await Json(await client.GetAsync(appliedUrl + "/report.json"));
        Assert.Equal(firstId, (string)report["fromRun"]!);
        Assert.Equal(3, (int)report["parameters"]!["seed"]!);

        await AssertProblem(await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, $$"""{"fromRun":"{{firstId}}","epochs":5}""")),
            HttpStatusCode.BadRequest, "\"fromRun\" applies the stored run's model with its own settings; \"epochs\" cannot change them.");
        await AssertProblem(await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"fromRun":"AAAAAAAAAAAAAAAAAAAAAA"}""")),
            HttpStatusCode.BadRequest, "There is no stored run \"AAAAAAAAAAAAAAAAAAAAAA\" with a trained model to apply.");
    }

    [Fact]
    public async Task A_browsers_stored_run_can_be_read_but_not_deleted_through_the_API()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        var store = host.Services.GetRequiredService<RunStore>();
        string id = RunCodec.NewId();
        var result = TestData.Result(2, 64, 48);
        await store.SaveAsync(RunSnapshot.Of(id, "some-browser", "page.png", TwoTonePng, result, new RunQuality(0.5, 0.8, 10)));

        var status = await Json(await client.GetAsync($"{SegmentationApi.Route}/{id}"));
        Assert.Equal(RunStates.Finished, (string)status["state"]!);
        await AssertProblem(await client.DeleteAsync($"{SegmentationApi.Route}/{id}"), HttpStatusCode.Forbidden, "deleted only from its page");
        Assert.NotNull(await store.GetAsync(id));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_routes_and_the_reference_page_serves_its_own_assets()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        var document = await Json(await client.GetAsync(SegmentationApi.OpenApiPath));
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/api/segmentations", "/api/segmentations/{id}", "/api/segmentations/{id}/labels.png",
                                     "/api/segmentations/{id}/segmented.png", "/api/segmentations/{id}/report.json" })
            Assert.True(paths.ContainsKey(path), $"{path} missing from {string.Join(", ", paths.Select(p => p.Key))}");
        Assert.NotNull(paths["/api/segmentations"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]);
        Assert.NotNull(paths["/api/segmentations/{id}"]!["delete"]);

        var page = await client.GetStringAsync(SegmentationApi.ReferencePath);
        Assert.Contains(SegmentationApi.OpenApiPath.TrimStart('/'), page); // relative to the page, so a path base works
        Assert.DoesNotContain("cdn.jsdelivr", page);
        var scripts = System.Text.RegularExpressions.Regex.Matches(page, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var src in scripts)
        {
            Assert.False(Uri.TryCreate(src, UriKind.Absolute, out var abs) && abs.Scheme.StartsWith("http"), $"{src} is not served by the app");
            using var asset = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, SegmentationApi.ReferencePath + "/"), src));
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
    }

    [Fact]
    public async Task With_API_keys_configured_a_request_needs_one()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Segmenter:ApiKeys:0"] = "team-secret" });
        var client = host.CreateClient();
        await AssertProblem(await client.GetAsync(SegmentationApi.Route + "/AAAAAAAAAAAAAAAAAAAAAA"), HttpStatusCode.Unauthorized, SegmentationApi.ApiKeyHeader);
        client.DefaultRequestHeaders.Add(SegmentationApi.ApiKeyHeader, "team-secret");
        await AssertProblem(await client.GetAsync(SegmentationApi.Route + "/AAAAAAAAAAAAAAAAAAAAAA"), HttpStatusCode.NotFound, "There is no run");
    }
}
