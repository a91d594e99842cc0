using System.Text.Json.Nodes;
using System.Net;
using System.Net.Http.Headers;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using static Segmenter.Web.Tests.ApiTests;

namespace Segmenter.Web.Tests;

/// <summary>Strokes through the HTTP API: the optional `scribbles` part steers the run's labels; a bad one is a 400 with its message.</summary>
public sealed class ScribblesApiTests
{
    private const int W = 64, H = 48; // the size of ApiTests.TwoTonePng: left half red, right half blue

    private static MultipartFormDataContent WithScribbles(byte[] scribblesPng, string settings)
    {
        var form = Upload(TwoTonePng, settings);
        var part = new ByteArrayContent(scribblesPng);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, SegmentationApi.ScribblesPart, "scribbles.png");
        return form;
    }

    /// <summary>Brush 1 on the red half's top rows, brush 2 on its bottom rows, brush 3 on the blue half.</summary>
    private static byte[] ThreeBrushes(out byte[] brushOfPixel)
    {
        brushOfPixel = new byte[W * H];
        for (int x = 4; x < 20; x++)
        {
            brushOfPixel[2 * W + x] = 1;
            brushOfPixel[(H - 3) * W + x] = 2;
            brushOfPixel[(H / 2) * W + W / 2 + x] = 3;
        }
        return ImageLoader.EncodeLabelPng(brushOfPixel, W, H);
    }

    [Fact]
    public async Task Strokes_decide_the_labels_even_two_brushes_on_one_colour()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(SegmentationApi.Route, WithScribbles(ThreeBrushes(out var brushes), """{"clusters":2,"epochs":2,"seed":3}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(2));
        Assert.True(RunStates.Finished == (string)status["state"]!, status.ToJsonString());

        // Three brushes at k = 2: one cluster per brush.
        Assert.Equal(3, (int)status["result"]!["parameters"]!["clusters"]!);
        using var labelsPng = await client.GetAsync((string)status["result"]!["files"]!["labels"]!);
        var labels = ImageLoader.Load(new MemoryStream(await labelsPng.Content.ReadAsByteArrayAsync()));
        int LabelAt(int i) => labels.Pixels[3 * i];
        var clusterOfBrush = new Dictionary<int, int>();
        for (int i = 0; i < brushes.Length; i++)
        {
            if (brushes[i] == 0) continue;
            if (!clusterOfBrush.TryAdd(brushes[i], LabelAt(i))) Assert.Equal(clusterOfBrush[brushes[i]], LabelAt(i));
        }
        // Brushes 1 and 2 lie on the same red: only the strokes can tell them apart.
        Assert.Equal(3, clusterOfBrush.Values.Distinct().Count());
    }

    [Fact]
    public async Task A_run_keeps_its_strokes_and_they_replay_to_the_same_labels()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        const string settings = """{"clusters":2,"epochs":2,"seed":3}""";
        async Task<JsonNode> RunAsync(MultipartFormDataContent form)
        {
            using var posted = await client.PostAsync(SegmentationApi.Route, form);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(2));
            Assert.True(RunStates.Finished == (string)status["state"]!, status.ToJsonString());
            return status["result"]!;
        }
        async Task<byte[]> GetBytesAsync(string url)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsByteArrayAsync();
        }

        var first = await RunAsync(WithScribbles(ThreeBrushes(out var brushes), settings));
        string strokesUrl = (string)first["files"]!["strokes"]!;
        var kept = Scribbles.ReadLabelPng(new MemoryStream(await GetBytesAsync(strokesUrl)), W, H);
        Assert.Equal(brushes, kept.BrushOfPixel);
        var report = JsonNode.Parse(await GetBytesAsync((string)first["files"]!["report"]!))!;
        Assert.Equal([1, 2, 3], report["strokes"]!["brushes"]!.AsArray().Select(b => (int)b!));
        Assert.Equal(brushes.Count(b => b != 0), (long)report["strokes"]!["strokedPixels"]!);

        // The downloaded strokes, posted again with the same settings, give the same labels.
        var replayed = await RunAsync(WithScribbles(await GetBytesAsync(strokesUrl), settings));
        Assert.Equal(await GetBytesAsync((string)first["files"]!["labels"]!), await GetBytesAsync((string)replayed["files"]!["labels"]!));

        // A run without strokes has no strokes file.
        var plain = await RunAsync(Upload(TwoTonePng, settings));
        Assert.Null(plain["files"]!["strokes"]);
        using var missing = await client.GetAsync(((string)plain["files"]!["labels"]!).Replace("labels.png", "strokes.png"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Scribbles_of_another_size_are_refused_with_the_scribbles_message()
    {
        await using var host = new ApiHost();
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route,
            WithScribbles(ImageLoader.EncodeLabelPng(new byte[10 * 10], 10, 10), """{"clusters":2,"epochs":1}"""));
        await AssertProblem(response, HttpStatusCode.BadRequest, $"The scribbles are 10×10 but the image is {W}×{H}");
    }

    [Fact]
    public async Task A_value_that_is_no_brush_or_no_stroke_at_all_is_refused()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        var strokes = new byte[W * H];
        strokes[W + 1] = Scribbles.MaxBrushes + 1;
        using var tooHigh = await client.PostAsync(SegmentationApi.Route, WithScribbles(ImageLoader.EncodeLabelPng(strokes, W, H), """{"clusters":2,"epochs":1}"""));
        await AssertProblem(tooHigh, HttpStatusCode.BadRequest, $"Scribble value {Scribbles.MaxBrushes + 1} at pixel (1, 1) is not a brush");

        using var empty = await client.PostAsync(SegmentationApi.Route, WithScribbles(ImageLoader.EncodeLabelPng(new byte[W * H], W, H), """{"clusters":2,"epochs":1}"""));
        await AssertProblem(empty, HttpStatusCode.BadRequest, "The scribbles hold no stroke");
    }
}
