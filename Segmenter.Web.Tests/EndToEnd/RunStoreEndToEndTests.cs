using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// Stored runs in a real browser: a run survives a reload, its link opens read-only in another browser context
/// (another visitor), whose own history stays empty, and "Open in the bench" continues from it. Run with
/// <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~RunStoreEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RunStoreEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    private static Task ExpectRowsAsync(SegmenterPage p, int n)
        => Expect(p.Id("history-table")).ToHaveAttributeAsync("data-rows", n.ToString(CultureInfo.InvariantCulture), new() { Timeout = (float)RunTimeout.TotalMilliseconds });

    private static Task ExpectImageLoadedAsync(ILocator image)
        => Expect(image).ToHaveJSPropertyAsync("complete", true).ContinueWith(async _ =>
            Assert.True(await image.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the image did not decode")).Unwrap();

    /// <summary>
    /// Both 3D plots of a stored run are drawn by plotly (its SVG layers and WebGL canvas in the chart) from the stored
    /// points: one trace per cluster holding all the stored points between them, plus the centres.
    /// </summary>
    private static async Task ExpectStoredPlotsDrawnAsync(IPage page, int clusters)
    {
        foreach (var id in new[] { "color-scatter", "code-scatter" })
        {
            await page.WaitForFunctionAsync("""
                id => {
                  const box = document.querySelector(`[data-testid='${id}']`), g = box && box.querySelector('.js-plotly-plot');
                  return !!g && g.dataset.drawn === box.dataset.revision && !!g.querySelector('.main-svg') && !!g.querySelector('canvas');
                }
                """, id, new() { Timeout = TestData.HangGuardMilliseconds });
            var drawn = await page.EvaluateAsync<string>("""
                id => {
                  const box = document.querySelector(`[data-testid='${id}']`), data = box.querySelector('.js-plotly-plot').data;
                  const points = data.filter(d => d.name.startsWith('cluster ')).reduce((n, d) => n + d.x.length, 0);
                  return `${data.map(d => d.name).join(',')};${points} of ${box.dataset.points}`;
                }
                """, id);
            var names = string.Join(',', Enumerable.Range(0, clusters).Select(c => $"cluster {c}").Append("centres"));
            var stored = await page.Locator($"[data-testid='{id}']").GetAttributeAsync("data-points");
            Assert.True(int.Parse(stored!, CultureInfo.InvariantCulture) > 0, $"{id} has no stored points");
            Assert.Equal($"{names};{stored} of {stored}", drawn);
        }
    }

    [SkippableFact]
    public async Task A_run_survives_a_reload_its_link_opens_elsewhere_and_open_in_the_bench_continues_from_it()
    {
        fx.RequireBrowser();
        var clock = Stopwatch.StartNew();
        await using var first = await fx.OpenAsync();
        SegmenterPage? second = null, bench = null;
        try
        {
            await first.SetEpochsAsync(2);
            await first.SetClustersAsync(3);
            await first.SetSeedAsync(7);
            await first.TrainAsync();
            await ExpectRowsAsync(first, 1);
            var row = first.Id("history-row").First;
            // The row lands with the result; its id once the run is scored beside its baselines and stored (seconds on a busy machine).
            await Expect(row).ToHaveAttributeAsync("data-run-id", new System.Text.RegularExpressions.Regex("^[A-Za-z0-9_-]{22}$"), new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            var runId = (await row.GetAttributeAsync("data-run-id"))!;
            output.WriteLine($"run {runId} stored after {clock.Elapsed.TotalSeconds:F1}s");

            // Reload: a new circuit and session, the same browser (cookie): the run is still in the history.
            await first.Page.ReloadAsync(new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 });
            await Expect(first.TrainButton).ToBeEnabledAsync(new() { Timeout = TestData.HangGuardMilliseconds });
            await ExpectRowsAsync(first, 1);
            await Expect(first.Id("history-row").First).ToHaveAttributeAsync("data-run-id", runId);

            // The link in another browser context: another visitor sees the run read-only, and not in their history.
            var href = (await first.Id("history-link").First.GetAttributeAsync("href"))!;
            Assert.Equal($"runs/{runId}", href);
            var otherContext = await fx.NewContextAsync();
            var runPage = await otherContext.NewPageAsync();
            await runPage.GotoAsync("/" + href);
            await Expect(runPage.Locator("[data-testid='run-page']")).ToBeVisibleAsync(new() { Timeout = TestData.HangGuardMilliseconds });
            await Expect(runPage.Locator("[data-testid='run-clusters']")).ToHaveTextAsync("3");
            await Expect(runPage.Locator("[data-testid='run-seed']")).ToHaveTextAsync("7");
            await Expect(runPage.Locator("[data-testid='run-loss-chart']")).ToHaveAttributeAsync("data-points", "2");
            await ExpectImageLoadedAsync(runPage.Locator("[data-testid='run-original']"));
            await ExpectImageLoadedAsync(runPage.Locator("[data-testid='run-segmented']"));
            await ExpectStoredPlotsDrawnAsync(runPage, clusters: 3);
            var labels = await runPage.APIRequest.GetAsync($"/runs/{runId}/labels.png");
            Assert.Equal(200, labels.Status);
            Assert.Equal("image/png", labels.Headers["content-type"]);

            // "Open in the bench": a new session with the run's image, settings and result; its history is its own.
            await runPage.Locator("[data-testid='open-in-bench']").ClickAsync();
            await runPage.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"\\?run={runId}$"));
            bench = await SegmenterPage.OpenAsync(runPage, ownsContext: true, path: $"/?run={runId}");
            await Expect(bench.Id("result-summary")).ToContainTextAsync("3 clusters", new() { Timeout = TestData.HangGuardMilliseconds });
            await Expect(bench.Field("seed-input")).ToHaveValueAsync("7");
            await Expect(bench.Field("epochs-input")).ToHaveValueAsync("2");
            await ExpectImageLoadedAsync(bench.SegmentedImage);
            await ExpectRowsAsync(bench, 0);

            // Continue: re-cluster with k = 5. The stored run kept no model, so the same model is trained again (same seed).
            await bench.SetClustersAsync(5);
            await Expect(bench.Id("recluster-button")).ToBeEnabledAsync();
            await bench.Id("recluster-button").ClickAsync();
            await ExpectRowsAsync(bench, 1);
            await Expect(bench.Id("result-summary")).ToContainTextAsync("5 clusters");
            await Expect(bench.Id("history-row").First).ToHaveAttributeAsync("data-clusters", "5");

            // The first browser's history did not grow.
            await first.Page.ReloadAsync(new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 });
            await Expect(first.TrainButton).ToBeEnabledAsync(new() { Timeout = TestData.HangGuardMilliseconds });
            await ExpectRowsAsync(first, 1);
            output.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1}s");
            foreach (var line in fx.Server.Log.Split('\n').Where(l => l.Contains("Published", StringComparison.Ordinal))) output.WriteLine(line.Trim());
        }
        catch
        {
            await first.SaveEvidenceAsync("failed-run-store-first");
            if (bench is not null) await bench.SaveEvidenceAsync("failed-run-store-bench");
            output.WriteLine("Server log (tail):\n" + string.Join('\n', fx.Server.Log.Split('\n').TakeLast(60)));
            throw;
        }
        finally
        {
            if (bench is not null) await bench.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
        }
    }
}
