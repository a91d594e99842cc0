using System.Net;
using Segmenter.Web.Api;
using static Segmenter.Web.Tests.ApiTests;

namespace Segmenter.Web.Tests;

/// <summary>The Advanced settings through the HTTP API: the architecture and k-means settings in the settings JSON reach the run.</summary>
public sealed class ArchitectureApiTests
{
    [Fact]
    public async Task Architecture_and_kmeans_settings_are_trained_with_and_echoed_in_the_runs_parameters()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng,
            """{"clusters":2,"epochs":1,"codeSize":16,"hiddenWidth":32,"encoderDepth":2,"activation":"gelu","kmeansInit":"random","kmeansRestarts":3}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(2));

        Assert.Equal(RunStates.Finished, (string)status["state"]!);
        var parameters = status["result"]!["parameters"]!;
        Assert.Equal(16, (int)parameters["codeSize"]!);
        Assert.Equal(32, (int)parameters["hiddenWidth"]!);
        Assert.Equal(2, (int)parameters["encoderDepth"]!);
        Assert.Equal("gelu", ((string)parameters["activation"]!).ToLowerInvariant());
        Assert.Equal("random", ((string)parameters["kmeansInit"]!).ToLowerInvariant());
        Assert.Equal(3, (int)parameters["kmeansRestarts"]!);
    }

    [Fact]
    public async Task A_hidden_width_the_heads_do_not_divide_is_refused_with_the_engines_message()
    {
        await using var host = new ApiHost();
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route,
            Upload(TwoTonePng, """{"clusters":2,"heads":8,"hiddenWidth":60}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Hidden width 60 is not divisible by 8 heads", await response.Content.ReadAsStringAsync());
    }
}
