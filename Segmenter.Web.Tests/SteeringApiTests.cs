using System.Net;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using static Segmenter.Web.Tests.ApiTests;

namespace Segmenter.Web.Tests;

/// <summary>Steering's assessment through the HTTP API: a stability run's figure and the baselines' agreement in the run's JSON.</summary>
public sealed class SteeringApiTests
{
    [Fact]
    public async Task StabilitySeeds_trains_that_many_seeds_and_the_runs_JSON_carries_their_mean_pairwise_ARI()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":2,"seed":5,"stabilitySeeds":3}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(3));

        Assert.Equal(RunStates.Finished, (string)status["state"]!);
        var result = status["result"]!;
        double stability = (double)result["stability"]!;
        // Two flat tones: every seed finds the same two halves, so the seeds agree fully.
        Assert.Equal(1.0, stability, 6);
        Assert.Equal(stability, (double)result["scores"]!["stability"]!);
        Assert.InRange((double)result["scores"]!["rgbBaselineAri"]!, 0.99, 1.0);
        Assert.InRange((double)result["scores"]!["labBaselineAri"]!, -1.0, 1.0);
        // The parameters do not echo a setting that is not a model parameter.
        Assert.Null(result["parameters"]![StabilitySeeds.SettingName]);
    }

    [Fact]
    public async Task A_run_without_stabilitySeeds_has_no_stability_but_still_its_baselines()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        using var posted = await client.PostAsync(SegmentationApi.Route, Upload(TwoTonePng, """{"clusters":2,"epochs":1}"""));
        var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(1));
        Assert.Equal(RunStates.Finished, (string)status["state"]!);
        Assert.Null(status["result"]!["stability"]);
        Assert.NotNull(status["result"]!["scores"]!["rgbBaselineAri"]);
    }

    [Theory]
    [InlineData("""{"stabilitySeeds":1}""")]
    [InlineData("""{"stabilitySeeds":99}""")]
    [InlineData("""{"stabilitySeeds":"three"}""")]
    public async Task Out_of_range_stabilitySeeds_are_refused_with_the_range(string settings)
    {
        await using var host = new ApiHost();
        using var response = await host.CreateClient().PostAsync(SegmentationApi.Route, Upload(TwoTonePng, settings));
        await AssertProblem(response, HttpStatusCode.BadRequest, StabilitySeeds.Check(null)!);
    }
}
