using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Api;
using Segmenter.Web.Store;
using Segmenter.Web.Sweeps;
using static Segmenter.Web.Tests.ApiTests;

namespace Segmenter.Web.Tests.Sweeps;

/// <summary>A sweep's runs share the work on their image alone; each still gives what an ordinary run with its settings gives.</summary>
public sealed class SweepSharedWorkTests
{
    /// <summary>Colour blocks, one of them striped, with a little seeded noise: something for the codes, colours and textures to tell apart.</summary>
    private static byte[] Patchwork()
    {
        const int w = 64, h = 48;
        var rng = new Random(11);
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                (int r, int g, int b) = x < 32 ? (y < 24 ? (200, 60, 50) : (40, 150, 70)) : (y / 2 % 2 == 0 ? (230, 230, 220) : (40, 40, 60));
                int o = (y * w + x) * 3, n = rng.Next(-12, 13);
                px[o] = (byte)Math.Clamp(r + n, 0, 255); px[o + 1] = (byte)Math.Clamp(g + n, 0, 255); px[o + 2] = (byte)Math.Clamp(b + n, 0, 255);
            }
        return ImageLoader.EncodePng(new RgbImage(w, h, px));
    }

    [Fact]
    public async Task A_sweeps_runs_give_the_labels_and_scores_of_ordinary_runs_with_the_same_settings()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        var store = host.Services.GetRequiredService<RunStore>();
        var image = Patchwork();
        // Two epochs counts at each of two seeds: the runs at one seed share the colour baselines as well as the image's blur and energies.
        var form = Upload(image, """{"clusters":3}""", "patchwork.png");
        form.Add(new StringContent("""{"seed":[3,4],"epochs":[1,2]}"""), SweepEndpoints.AxesPart);
        using var posted = await client.PostAsync(AppUrls.SweepApiRoute, form);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var status = await PollUntil(client, posted.Headers.Location!.OriginalString, s => s != SweepStatus.Running, TimeSpan.FromMinutes(3));
        Assert.Equal(SweepStatus.Finished, (string)status["state"]!);

        foreach (var cell in status["cells"]!.AsArray())
        {
            int seed = (int)cell!["values"]!["seed"]!, epochs = (int)cell["values"]!["epochs"]!;
            using var alone = await client.PostAsync(SegmentationApi.Route, Upload(image, $$"""{"clusters":3,"seed":{{seed}},"epochs":{{epochs}}}""", "patchwork.png"));
            var ordinary = await PollUntil(client, alone.Headers.Location!.OriginalString, s => s is not (RunStates.Queued or RunStates.Running), TimeSpan.FromMinutes(2));
            Assert.Equal(RunStates.Finished, (string)ordinary["state"]!);
            string sweepRun = (string)cell["runId"]!, ordinaryRun = (string)ordinary["id"]!;
            Assert.Equal(await store.GetLabelsAsync(ordinaryRun), await store.GetLabelsAsync(sweepRun));
            var scores = ordinary["result"]!["scores"]!;
            Assert.Equal((double)scores["rgbBaselineAri"]!, (double)cell["rgbBaselineAri"]!);
            Assert.Equal((double)scores["labBaselineAri"]!, (double)cell["labBaselineAri"]!);
            Assert.Equal((double)ordinary["result"]!["finalLoss"]!, (double)cell["finalLoss"]!);
        }
    }
}
