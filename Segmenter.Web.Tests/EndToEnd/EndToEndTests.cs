using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// The real app in a real (headless) browser. Run with
/// <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~EndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class EndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private const string BusyMessage = "The server is busy; try again in a minute";

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Runs a test body on a fresh page; on failure saves a screenshot, the HTML and the server log.</summary>
    private async Task WithPageAsync(string name, Func<SegmenterPage, Task> body, AppServer? server = null)
    {
        fx.RequireBrowser();
        await using var page = await fx.OpenAsync(server);
        try
        {
            await body(page);
        }
        catch
        {
            await page.SaveEvidenceAsync("failed-" + name);
            output.WriteLine("Browser console errors:\n" + string.Join('\n', page.ConsoleErrors));
            output.WriteLine("Server log (tail):\n" + Tail((server ?? fx.Server).Log));
            throw;
        }
    }

    private static string Tail(string log, int lines = 60) => string.Join('\n', log.Split('\n').TakeLast(lines));

    private static Task<string> PlotTypeAsync(SegmenterPage p, string testId, int trace = 0)
        => p.Page.EvaluateAsync<string>(
            $"() => {{ const g = document.querySelector(\"[data-testid='{testId}'] .js-plotly-plot\"); return g && g.data && g.data[{trace}] ? g.data[{trace}].type : null; }}");

    private static async Task WaitForPlotAsync(SegmenterPage p, string testId, string type)
        => await p.Page.WaitForFunctionAsync(
            $"() => {{ const g = document.querySelector(\"[data-testid='{testId}'] .js-plotly-plot\"); return !!(g && g.data && g.data[0] && g.data[0].type === '{type}'); }}",
            null, new() { Timeout = 20_000 });

    [SkippableFact]
    public async Task Sample_run_shows_loss_while_training_then_results_and_downloads()
    {
        await WithPageAsync(nameof(Sample_run_shows_loss_while_training_then_results_and_downloads), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetClustersAsync(3);
            await p.SetEpochsAsync(5);
            var clock = Stopwatch.StartNew();
            await p.TrainAsync();

            // Poll stage and loss points together (one evaluation, so they are consistent) until the run ends.
            int maxWhileTraining = 0, maxPlottedWhileTraining = 0;
            string stage = "";
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                var snap = await p.Page.EvaluateAsync<string>("""
                    () => {
                      const s = document.querySelector("[data-testid='stage']").innerText.trim();
                      const n = document.querySelector("[data-testid='loss-chart']").dataset.points;
                      const g = document.querySelector("[data-testid='loss-chart'] .js-plotly-plot");
                      const x = g && g.data && g.data[0] && g.data[0].x ? g.data[0].x.length : 0;
                      return s + '|' + n + '|' + x;
                    }
                    """);
                var parts = snap.Split('|');
                stage = parts[0];
                if (stage == "training")
                {
                    maxWhileTraining = Math.Max(maxWhileTraining, int.Parse(parts[1]));
                    maxPlottedWhileTraining = Math.Max(maxPlottedWhileTraining, int.Parse(parts[2]));
                }
                if (stage is "done" or "failed" or "cancelled") break;
                await Task.Delay(40);
            }
            output.WriteLine($"Run ended as '{stage}' after {clock.Elapsed.TotalSeconds:F1}s; {maxWhileTraining} loss points seen while training ({maxPlottedWhileTraining} plotted).");
            Assert.Equal("done", stage);
            Assert.True(maxWhileTraining >= 2, $"only {maxWhileTraining} loss point(s) were visible while training");
            Assert.True(maxPlottedWhileTraining >= 2, $"only {maxPlottedWhileTraining} loss point(s) reached the chart while training");
            Assert.Equal("5", await p.LossChart.GetAttributeAsync("data-points"));

            // Results: both images load, the bar chart and both 3D scatters are drawn.
            foreach (var img in new[] { p.OriginalImage, p.SegmentedImage })
            {
                await Expect(img).ToBeVisibleAsync();
                await img.EvaluateAsync("el => el.complete && el.naturalWidth > 0 ? true : new Promise((ok, no) => { el.onload = () => ok(true); el.onerror = () => no('image failed'); })");
                Assert.True(await img.EvaluateAsync<int>("el => el.naturalWidth") > 0);
            }
            await WaitForPlotAsync(p, "distribution-chart", "bar");
            await WaitForPlotAsync(p, "color-scatter", "scatter3d");
            await WaitForPlotAsync(p, "code-scatter", "scatter3d");
            Assert.Equal("3", await p.Id("distribution-chart").GetAttributeAsync("data-points"));
            Assert.True(await p.PointsAsync("color-scatter") > 0);
            Assert.True(await p.PointsAsync("code-scatter") > 0);

            // Downloads.
            var report = await DownloadAsync(p, "download-report");
            using (var json = JsonDocument.Parse(report))
            {
                var losses = json.RootElement.GetProperty("epochLosses");
                Assert.Equal(5, losses.GetArrayLength());
                Assert.All(losses.EnumerateArray(), l => Assert.True(double.IsFinite(l.GetDouble())));
                Assert.Equal(3, json.RootElement.GetProperty("parameters").GetProperty("clusters").GetInt32());
            }
            foreach (var id in new[] { "download-segmented", "download-labels" })
            {
                var png = await DownloadAsync(p, id);
                Assert.True(png.AsSpan().StartsWith(PngSignature), $"{id} is not a PNG");
            }
        });
    }

    private static async Task<byte[]> DownloadAsync(SegmenterPage p, string testId)
    {
        var download = await p.Page.RunAndWaitForDownloadAsync(() => p.Id(testId).ClickAsync(), new() { Timeout = 15_000 });
        var path = await download.PathAsync();
        Assert.Null(await download.FailureAsync());
        return await File.ReadAllBytesAsync(path!);
    }
}
