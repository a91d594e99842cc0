using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// The tuning features in a real browser: run history and compare, the CSV, Suggest k and apply, re-cluster
/// without training, query-string links and the attention insight. Short runs (Fast preset, 2–3 epochs) on the
/// shared server. Run with <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~TuningEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class TuningEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    private async Task WithPageAsync(string name, Func<SegmenterPage, Task> body, string path = "/")
    {
        fx.RequireBrowser();
        var clock = Stopwatch.StartNew();
        await using var page = await fx.OpenAsync(path: path);
        try
        {
            await body(page);
            output.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:F1}s");
        }
        catch
        {
            await page.SaveEvidenceAsync("failed-" + name);
            output.WriteLine("Browser console errors:\n" + string.Join('\n', page.ConsoleErrors));
            output.WriteLine("Failed requests:\n" + string.Join('\n', page.FailedRequests));
            output.WriteLine("Server log (tail):\n" + string.Join('\n', fx.Server.Log.Split('\n').TakeLast(60)));
            throw;
        }
    }

    /// <summary>Trains with the form as it is and waits for "done" with the run recorded in the history.</summary>
    private async Task TrainToDoneAsync(SegmenterPage p)
    {
        var clock = Stopwatch.StartNew();
        var before = int.Parse((await p.Id("history-table").GetAttributeAsync("data-rows"))!, CultureInfo.InvariantCulture);
        await p.TrainAsync();
        // A finished earlier run also reads "done": the new history row says this one ended.
        await Expect(p.Id("history-table")).ToHaveAttributeAsync("data-rows", (before + 1).ToString(CultureInfo.InvariantCulture),
            new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        await p.WaitForStageAsync("done", SegmenterPage.DefaultWait);
        output.WriteLine($"  run done in {clock.Elapsed.TotalSeconds:F1}s");
    }

    /// <summary>Clicks Re-cluster and waits for the re-clustered result to be done.</summary>
    private async Task ReclusterToDoneAsync(SegmenterPage p)
    {
        var clock = Stopwatch.StartNew();
        await p.Id("recluster-button").ClickAsync();
        await Expect(p.Id("reclustered-chip")).ToBeVisibleAsync(new() { Timeout = TestData.HangGuardMilliseconds });
        await p.WaitForStageAsync("done", TimeSpan.FromSeconds(30));
        output.WriteLine($"  re-clustered in {clock.Elapsed.TotalSeconds:F1}s");
    }

    private static ILocator Rows(SegmenterPage p) => p.Id("history-row");

    private static Task ExpectRowsAsync(SegmenterPage p, int n)
        => Expect(p.Id("history-table")).ToHaveAttributeAsync("data-rows", n.ToString(CultureInfo.InvariantCulture));

    private static Task WaitForTracesAsync(SegmenterPage p, string testId, int traces)
        => p.Page.WaitForFunctionAsync(
            $"() => {{ const g = document.querySelector(\"[data-testid='{testId}'] .js-plotly-plot\"); return !!(g && g.data && g.data.length === {traces}); }}",
            null, new() { Timeout = TestData.HangGuardMilliseconds });

    [SkippableFact]
    public async Task Two_runs_appear_in_the_history_compare_side_by_side_and_download_as_csv()
    {
        await WithPageAsync(nameof(Two_runs_appear_in_the_history_compare_side_by_side_and_download_as_csv), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetEpochsAsync(3);
            await p.SetClustersAsync(3);
            await TrainToDoneAsync(p);
            await ExpectRowsAsync(p, 1);
            await p.SetClustersAsync(5);
            await TrainToDoneAsync(p);
            await ExpectRowsAsync(p, 2);

            await Expect(Rows(p).Nth(0)).ToHaveAttributeAsync("data-clusters", "3");
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-clusters", "5");
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-reclustered", "false");

            await Expect(p.Id("compare-button")).ToBeDisabledAsync();
            await p.Id("history-select").Nth(0).CheckAsync();
            await p.Id("history-select").Nth(1).CheckAsync();
            await Expect(p.Id("compare-button")).ToBeEnabledAsync();
            await p.Id("compare-button").ClickAsync();

            var view = p.Id("compare-view");
            await Expect(view).ToHaveAttributeAsync("data-runs", "2");
            await Expect(view.Locator("[data-testid='compare-image']")).ToHaveCountAsync(2);
            foreach (var img in await view.Locator("[data-testid='compare-image'] img").AllAsync())
                Assert.True(await img.EvaluateAsync<bool>("el => el.complete && el.naturalWidth > 0"), "a compare thumbnail did not load");
            await Expect(p.Id("compare-loss-chart")).ToHaveAttributeAsync("data-traces", "2");
            await WaitForTracesAsync(p, "compare-loss-chart", 2);
            await Expect(p.Id("compare-loss-chart-caption")).ToContainTextAsync("run #1 (k=3) 3 epochs");
            await Expect(p.Id("compare-loss-chart-caption")).ToContainTextAsync("run #2 (k=5) 3 epochs");

            // The metrics table: one row per metric, one value column per run, every value a number.
            var metrics = p.Id("compare-metrics");
            await Expect(metrics.Locator("thead th")).ToHaveCountAsync(3);
            await Expect(metrics.Locator("thead")).ToContainTextAsync("k=3");
            await Expect(metrics.Locator("thead")).ToContainTextAsync("k=5");
            var rows = metrics.Locator("tbody tr");
            string[] expected = ["Final loss", "Inertia", "Silhouette", "Davies–Bouldin", "Seconds"];
            await Expect(rows).ToHaveCountAsync(expected.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                var cells = await rows.Nth(i).Locator("td").AllInnerTextsAsync();
                output.WriteLine("  " + string.Join(" | ", cells));
                Assert.StartsWith(expected[i], cells[0]);
                Assert.Equal(3, cells.Count);
                Assert.All(cells.Skip(1), v => Assert.True(double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d), $"{expected[i]}: '{v}'"));
            }

            // The CSV: a header and one line per run.
            var download = await p.Page.RunAndWaitForDownloadAsync(() => p.Id("history-csv").ClickAsync(), new() { Timeout = TestData.HangGuardMilliseconds });
            Assert.Null(await download.FailureAsync());
            Assert.EndsWith("-history.csv", download.SuggestedFilename);
            var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            output.WriteLine("  CSV:\n  " + string.Join("\n  ", lines));
            Assert.Equal(3, lines.Length);
            Assert.Contains("clusters", lines[0], StringComparison.OrdinalIgnoreCase);
            var header = lines[0].Split(',');
            Assert.All(lines.Skip(1), l => Assert.Equal(header.Length, l.Split(',').Length));
        });
    }

    [SkippableFact]
    public async Task Suggest_k_draws_the_sweep_and_apply_reclusters_without_training()
    {
        await WithPageAsync(nameof(Suggest_k_draws_the_sweep_and_apply_reclusters_without_training), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetEpochsAsync(3);
            await p.SetClustersAsync(3);
            await TrainToDoneAsync(p);
            var lossPoints = await p.PointsAsync("loss-chart");
            Assert.Equal(3, lossPoints);

            // Dark mode switched on before the sweep exists: the sweep's chart (drawn by Plotly.Blazor) starts dark,
            // in the same font colour as the loss chart that was re-themed by the switch.
            const string FontOf = "id => document.querySelector(`[data-testid='${id}'] .js-plotly-plot`).layout.font.color";
            var lightFont = await p.Page.EvaluateAsync<string>(FontOf, "loss-chart");
            await p.Id("theme-toggle").ClickAsync();
            await p.Page.WaitForFunctionAsync($"() => ({FontOf})('loss-chart') !== '{lightFont}'", null);
            var darkFont = await p.Page.EvaluateAsync<string>(FontOf, "loss-chart");

            var clock = Stopwatch.StartNew();
            await p.Id("suggest-k-button").ClickAsync();
            var chart = p.Id("k-sweep-chart");
            await Expect(chart).ToHaveAttributeAsync("data-points", "11", new() { Timeout = 60_000 });
            await WaitForTracesAsync(p, "k-sweep-chart", 3);
            output.WriteLine($"  sweep drawn in {clock.Elapsed.TotalSeconds:F1}s");
            await p.Page.WaitForFunctionAsync($"() => ({FontOf})('k-sweep-chart') === '{darkFont}'", null);
            var k = int.Parse((await chart.GetAttributeAsync("data-suggested-k"))!, CultureInfo.InvariantCulture);
            Assert.InRange(k, 2, 12);
            await Expect(p.Id("k-sweep-chart-caption")).ToContainTextAsync($"suggested k = {k}");
            var suggestion = p.Id("k-suggestion");
            await Expect(suggestion).ToHaveAttributeAsync("data-k", k.ToString(CultureInfo.InvariantCulture));
            var reason = (await suggestion.InnerTextAsync()).Trim();
            output.WriteLine($"  suggestion: {reason}");
            Assert.Contains(k.ToString(CultureInfo.InvariantCulture), reason);
            Assert.True(reason.Length > "Suggested: k = 10".Length, $"no reason given: '{reason}'");
            await Expect(p.Id("apply-k-button")).ToContainTextAsync($"k = {k}");
            await p.WaitForStageAsync("done", SegmenterPage.DefaultWait);

            await p.Id("apply-k-button").ClickAsync();
            await Expect(p.Field("clusters-input")).ToHaveValueAsync(k.ToString(CultureInfo.InvariantCulture));
            await Expect(p.Id("reclustered-chip")).ToBeVisibleAsync(new() { Timeout = TestData.HangGuardMilliseconds });
            await p.WaitForStageAsync("done", TimeSpan.FromSeconds(30));
            await Expect(p.Id("distribution-chart")).ToHaveAttributeAsync("data-points", k.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(lossPoints, await p.PointsAsync("loss-chart")); // no new training
            await ExpectRowsAsync(p, 2);
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-reclustered", "true");
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-clusters", k.ToString(CultureInfo.InvariantCulture));
        });
    }

    [SkippableFact]
    public async Task Recluster_button_changes_k_without_training()
    {
        await WithPageAsync(nameof(Recluster_button_changes_k_without_training), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetEpochsAsync(3);
            await p.SetClustersAsync(3);
            await Expect(p.Id("recluster-button")).ToBeDisabledAsync(); // nothing trained yet
            await TrainToDoneAsync(p);
            Assert.Equal(3, await p.PointsAsync("loss-chart"));
            await Expect(p.Id("reclustered-chip")).ToHaveCountAsync(0);

            // A training setting changed: re-clustering is refused until it is put back.
            // (10 s: right after a run the browser is busy drawing the 3D scatters, and the re-render waits for it.)
            await p.SetEpochsAsync(4);
            await Expect(p.Id("recluster-button")).ToBeDisabledAsync();
            await p.SetEpochsAsync(3);
            await p.SetClustersAsync(6);
            await Expect(p.Id("recluster-button")).ToBeEnabledAsync();

            await ReclusterToDoneAsync(p);
            await Expect(p.Id("result-summary")).ToContainTextAsync("6 clusters");
            await Expect(p.Id("distribution-chart")).ToHaveAttributeAsync("data-points", "6");
            Assert.Equal(3, await p.PointsAsync("loss-chart"));
            await ExpectRowsAsync(p, 2);
            await Expect(Rows(p).Nth(0)).ToHaveAttributeAsync("data-reclustered", "false");
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-reclustered", "true");
            await Expect(Rows(p).Nth(1)).ToHaveAttributeAsync("data-clusters", "6");
        });
    }

    [SkippableFact]
    public async Task Query_string_link_prefills_the_form_and_trains()
    {
        const string Link = "/?sample=astronaut&k=4&epochs=7&heads=2&window=3&seed=42&preset=fast";
        await WithPageAsync(nameof(Query_string_link_prefills_the_form_and_trains), async p =>
        {
            await Expect(p.ImageInfo).ToContainTextAsync("astronaut");
            await Expect(p.Field("clusters-input")).ToHaveValueAsync("4");
            await Expect(p.Field("epochs-input")).ToHaveValueAsync("7");
            await Expect(p.Field("seed-input")).ToHaveValueAsync("42");
            await Expect(p.Id("window-select")).ToContainTextAsync("3×3");
            await Expect(p.Id("heads-select")).ToContainTextAsync("2");
            await Expect(p.Id("preset-select")).ToContainTextAsync("Fast");
            await Expect(p.Id("link-problem")).ToHaveCountAsync(0);

            await TrainToDoneAsync(p);
            Assert.Equal(7, await p.PointsAsync("loss-chart"));
            await ExpectRowsAsync(p, 1);
            var row = Rows(p).Nth(0);
            await Expect(row).ToHaveAttributeAsync("data-clusters", "4");
            await Expect(row).ToHaveAttributeAsync("data-seed", "42");
            await Expect(p.Id("attention-view")).ToHaveAttributeAsync("data-window", "3");
        }, Link);
    }

    [SkippableFact]
    public async Task Clicking_the_original_after_a_window_3_run_shows_one_attention_map_per_head()
    {
        // The form is set through a link: the heads and window selects need no popover clicks.
        await WithPageAsync(nameof(Clicking_the_original_after_a_window_3_run_shows_one_attention_map_per_head), async p =>
        {
            await TrainToDoneAsync(p);
            var view = p.Id("attention-view");
            await Expect(view).ToHaveAttributeAsync("data-window", "3");
            await Expect(view).ToHaveAttributeAsync("data-heads", "0");
            await Expect(p.Id("attention-explanation")).ToHaveCountAsync(0);

            var img = p.OriginalImage;
            await img.EvaluateAsync("el => el.complete && el.naturalWidth > 0 ? true : new Promise(ok => { el.onload = () => ok(true); el.onerror = () => ok(false); })");
            var box = (await img.BoundingBoxAsync())!;
            await img.ClickAsync(new() { Position = new() { X = box.Width / 2, Y = box.Height / 4 } });

            await Expect(view).ToHaveAttributeAsync("data-heads", "4");
            await Expect(p.Id("attention-head")).ToHaveCountAsync(4);
            await Expect(p.Id("attention-pixel")).ToBeVisibleAsync();
            var (x, y) = (int.Parse((await p.Id("attention-pixel").GetAttributeAsync("data-x"))!), int.Parse((await p.Id("attention-pixel").GetAttributeAsync("data-y"))!));
            output.WriteLine($"  clicked pixel ({x}, {y})");
            Assert.InRange(x, 200, 312); // astronaut is 512×512: the middle column, the upper quarter
            Assert.InRange(y, 90, 170);
            // Each head's 3×3 map is a distribution over the window.
            foreach (var head in await p.Id("attention-head").AllAsync())
            {
                var weights = await head.Locator("[data-weight]").EvaluateAllAsync<double[]>("els => els.map(e => parseFloat(e.dataset.weight))");
                Assert.Equal(9, weights.Length);
                Assert.InRange(weights.Sum(), 0.99, 1.01);
            }
        }, "/?sample=astronaut&k=3&epochs=2&heads=4&window=3&seed=7&preset=fast");
    }
}
