using Segmenter.Bench.Corpus;
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

    private Task WithPageAsync(string name, Func<SegmenterPage, Task> body, AppServer? server = null)
        => fx.WithPageAsync(output, name, body, server);

    private static string Tail(string log, int lines = 60) => string.Join('\n', log.Split('\n').TakeLast(lines));

    private static Task<string> PlotTypeAsync(SegmenterPage p, string testId, int trace = 0)
        => p.Page.EvaluateAsync<string>(
            $"() => {{ const g = document.querySelector(\"[data-testid='{testId}'] .js-plotly-plot\"); return g && g.data && g.data[{trace}] ? g.data[{trace}].type : null; }}");

    private static async Task WaitForPlotAsync(SegmenterPage p, string testId, string type)
        => await p.Page.WaitForFunctionAsync(
            $"() => {{ const g = document.querySelector(\"[data-testid='{testId}'] .js-plotly-plot\"); return !!(g && g.data && g.data[0] && g.data[0].type === '{type}'); }}",
            null, new() { Timeout = TestData.HangGuardMilliseconds });

    /// <summary>
    /// The Original preset's epochs take about a second each on the astronaut, long enough for a 40 ms poll to see the
    /// loss chart grow while the stage still reads "training": an intermediate count (1 ≤ c &lt; epochs), then a larger one.
    /// </summary>
    [SkippableFact]
    public async Task Sample_run_shows_loss_while_training_then_results_and_downloads()
    {
        const int epochs = 4;
        await WithPageAsync(nameof(Sample_run_shows_loss_while_training_then_results_and_downloads), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.ChoosePresetAsync("Original");
            await p.SetClustersAsync(3);
            await p.SetEpochsAsync(epochs);
            var clock = Stopwatch.StartNew();
            await p.TrainAsync();

            // Poll stage and loss points together (one evaluation, so they are consistent) until the run ends, and
            // keep every count seen while training: the points in the element's data and the points Plotly drew.
            var countsWhileTraining = new List<int>();
            var plottedWhileTraining = new List<int>();
            string stage = "";
            while (clock.Elapsed < TimeSpan.FromSeconds(180))
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
                    countsWhileTraining.Add(int.Parse(parts[1]));
                    plottedWhileTraining.Add(int.Parse(parts[2]));
                }
                if (stage is "done" or "failed" or "cancelled") break;
                await Task.Delay(40);
            }
            output.WriteLine($"Run ended as '{stage}' after {clock.Elapsed.TotalSeconds:F1}s; loss points seen while training: " +
                             $"{string.Join(",", countsWhileTraining.Distinct())} (plotted: {string.Join(",", plottedWhileTraining.Distinct())}).");
            Assert.Equal("done", stage);
            Assert.True(GrewLive(countsWhileTraining, epochs), $"the loss chart's data did not grow while training: {string.Join(",", countsWhileTraining.Distinct())}");
            Assert.True(GrewLive(plottedWhileTraining, epochs), $"the drawn loss chart did not grow while training: {string.Join(",", plottedWhileTraining.Distinct())}");
            Assert.Equal(epochs.ToString(), await p.LossChart.GetAttributeAsync("data-points"));

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
                Assert.Equal(epochs, losses.GetArrayLength());
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

    /// <summary>Some count c with 1 ≤ c &lt; epochs was seen, and later a larger one: points arrived one epoch at a time.</summary>
    private static bool GrewLive(List<int> counts, int epochs)
    {
        int first = counts.FindIndex(c => c >= 1 && c < epochs);
        return first >= 0 && counts.Skip(first + 1).Any(c => c > counts[first]);
    }

    private static async Task<byte[]> DownloadAsync(SegmenterPage p, string testId)
    {
        var download = await p.Page.RunAndWaitForDownloadAsync(() => p.Id(testId).ClickAsync(), new() { Timeout = TestData.HangGuardMilliseconds });
        var path = await download.PathAsync();
        Assert.Null(await download.FailureAsync());
        return await File.ReadAllBytesAsync(path!);
    }

    [SkippableFact]
    public async Task Text_file_named_png_shows_an_error_and_the_page_stays_usable()
    {
        await WithPageAsync(nameof(Text_file_named_png_shows_an_error_and_the_page_stays_usable), async p =>
        {
            var dir = Directory.CreateTempSubdirectory("segmenter-e2e-");
            try
            {
                var fake = Path.Combine(dir.FullName, "holiday.png");
                await File.WriteAllTextAsync(fake, "Dear diary, this is not a picture.\n");
                await p.UploadAsync(fake);
                await Expect(p.ErrorMessage).ToBeVisibleAsync();
                var message = (await p.ErrorMessage.InnerTextAsync()).Trim();
                output.WriteLine("Error shown: " + message);
                Assert.False(string.IsNullOrWhiteSpace(message));
                await Expect(p.ImageInfo).ToContainTextAsync("astronaut"); // the previous image is kept

                await p.ChooseSampleAsync("chelsea");
                await Expect(p.ErrorMessage).ToHaveCountAsync(0);
                await p.SetEpochsAsync(2);
                await p.TrainAsync();
                await p.WaitForStageAsync("done", TimeSpan.FromSeconds(90));
                await Expect(p.SegmentedImage).ToBeVisibleAsync();
            }
            finally { dir.Delete(recursive: true); }
        });
    }

    [SkippableFact]
    public async Task Cancel_during_a_long_run_returns_the_page_and_the_server_to_idle()
    {
        await WithPageAsync(nameof(Cancel_during_a_long_run_returns_the_page_and_the_server_to_idle), async p =>
        {
            await p.ChoosePresetAsync("Original");
            await p.SetEpochsAsync(200);
            await p.TrainAsync();
            await p.WaitForStageAsync("training", TimeSpan.FromSeconds(30));
            await Expect(p.TrainButton).ToBeDisabledAsync();

            // The page says "cancelled" and the server runs nothing; how soon is printed here and measured by the
            // bench (`cancel`, target ≤ 1 s), not asserted: a loaded machine is slower, not wrong.
            var clock = Stopwatch.StartNew();
            await p.CancelButton.ClickAsync();
            await p.WaitForStageAsync("cancelled", TestData.HangGuard);
            var stopped = clock.Elapsed;
            var health = await fx.Server.WaitForHealthAsync(h => h.Running == 0, TestData.HangGuard);
            var idle = clock.Elapsed;
            await Expect(p.TrainButton).ToBeEnabledAsync();
            await Expect(p.CancelButton).ToBeDisabledAsync();
            output.WriteLine($"Page said cancelled after {stopped.TotalMilliseconds:F0} ms; server idle after {idle.TotalMilliseconds:F0} ms");
            Assert.Equal(0, health?.Running);
        });
    }

    [SkippableFact]
    public async Task Screenshot_of_a_finished_page()
    {
        await WithPageAsync(nameof(Screenshot_of_a_finished_page), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetClustersAsync(4);
            await p.SetEpochsAsync(10);
            await p.TrainAsync();
            await p.WaitForStageAsync("done", TimeSpan.FromSeconds(120));
            await WaitForPlotAsync(p, "distribution-chart", "bar");
            await WaitForPlotAsync(p, "color-scatter", "scatter3d");
            await WaitForPlotAsync(p, "code-scatter", "scatter3d");
            foreach (var img in new[] { p.OriginalImage, p.SegmentedImage })
                await img.EvaluateAsync("el => el.complete && el.naturalWidth > 0 ? true : new Promise(ok => { el.onload = () => ok(true); el.onerror = () => ok(false); })");
            // From the top: a full-page shot of a scrolled page draws the fixed app bar over the middle of it.
            await p.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await p.Page.Mouse.MoveAsync(0, 0); // no hover tooltips in the picture
            await p.Page.WaitForTimeoutAsync(500); // let plotly finish its transitions

            var path = Path.Combine(SegmenterPage.ArtifactsDir, "finished-page.png");
            await p.Page.ScreenshotAsync(new() { Path = path, FullPage = true });
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.AsSpan().StartsWith(PngSignature));
            output.WriteLine($"Screenshot: {path} ({bytes.Length} bytes)");
            if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOT") == "1")
            {
                var docs = Path.Combine(AppServer.RepoRoot, "docs");
                Directory.CreateDirectory(docs);
                File.Copy(path, Path.Combine(docs, "screenshot.png"), overwrite: true);
                output.WriteLine("Copied to docs/screenshot.png");
            }
        });
    }

    [SkippableFact]
    public async Task Hostile_uploads_each_load_or_fail_cleanly_and_the_server_survives()
    {
        await WithPageAsync(nameof(Hostile_uploads_each_load_or_fail_cleanly_and_the_server_survives), async p =>
        {
            var dir = Directory.CreateTempSubdirectory("segmenter-hostile-");
            try
            {
                var files = HostileCorpus.Write(dir.FullName);
                Assert.True(files.Count >= 30);
                var problems = new List<string>();
                foreach (var f in files)
                {
                    // Dismiss the previous error so a repeated message is still seen as new.
                    await p.DismissErrorAsync();
                    var clock = Stopwatch.StartNew();
                    await p.UploadAsync(Path.Combine(dir.FullName, f.Name));
                    // Loaded: the caption names the file. Refused: the error alert appears.
                    var outcome = await p.Page.WaitForFunctionAsync(
                        "name => document.querySelector(\"[data-testid='error-message']\") ? 'error' : ((document.querySelector(\"[data-testid='image-info']\")?.innerText ?? '').startsWith(name + ' ') ? 'loaded' : null)",
                        f.Name, new() { Timeout = (float)TestData.HangGuard.TotalMilliseconds, PollingInterval = 25 });
                    var took = clock.Elapsed;
                    var result = await outcome.JsonValueAsync<string>();
                    var detail = result == "error" ? (await p.ErrorMessage.InnerTextAsync()).Trim() : (await p.ImageInfo.InnerTextAsync()).Trim();
                    output.WriteLine($"{f.Name,-34} {result,-6} {took.TotalMilliseconds,6:F0} ms  {detail}");
                    var expected = f.Expected == HostileOutcome.Loads ? "loaded" : "error";
                    if (result != expected) problems.Add($"{f.Name}: {result}, expected {expected} ({f.Why}): {detail}");
                    // How long each file takes is printed above; the decode's target (2 s a file) is the bench's `hostile`.
                    if (result == "error" && (detail.Length < 15 || detail.Contains("Exception", StringComparison.Ordinal)))
                        problems.Add($"{f.Name}: unclear message \"{detail}\"");
                    Assert.False(fx.Server.HasExited, $"the server died on {f.Name}:\n{Tail(fx.Server.Log)}");
                }
                Assert.True(problems.Count == 0, string.Join('\n', problems));

                // Still usable: a sample loads and trains.
                await p.DismissErrorAsync();
                await p.ChooseSampleAsync("chelsea");
                await p.SetEpochsAsync(2);
                await p.TrainAsync();
                await p.WaitForStageAsync("done", TimeSpan.FromSeconds(90));
                Assert.Equal("healthy", (await fx.Server.HealthAsync()).Status);
            }
            finally { dir.Delete(recursive: true); }
        });
    }

    [SkippableFact]
    public async Task Closing_the_tab_mid_training_cancels_its_job_and_the_next_in_line_starts()
    {
        fx.RequireBrowser();
        // One job at a time, and a disconnect grace longer than the test: B can start only if closing A's tab cancels
        // A's 200-epoch run there and then, on any machine.
        await using var server = await AppServer.StartAsync(["--Segmenter:MaxConcurrentJobs=1", "--Segmenter:MaxQueueLength=8", "--Segmenter:DisconnectGraceSeconds=600"]);
        var a = await fx.OpenAsync(server);
        await using var b = await fx.OpenAsync(server);
        try
        {
            await a.ChoosePresetAsync("Original");
            await a.SetEpochsAsync(200);
            await a.TrainAsync();
            await a.WaitForStageAsync("training", TimeSpan.FromSeconds(30));

            await b.ChooseSampleAsync("chelsea");
            await b.SetEpochsAsync(30);
            await b.TrainAsync();
            await b.WaitForStageAsync("queued (place 1 in line)", SegmenterPage.DefaultWait);
            await Expect(b.Progress).ToContainTextAsync("Waiting for a free slot: place 1 in line.");
            var before = await server.HealthAsync();
            Assert.Equal((1, 1), (before.Running, before.Queued));

            var clock = Stopwatch.StartNew();
            await a.Page.CloseAsync(new() { RunBeforeUnload = true });
            await Expect(b.Stage).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("starting|training"), new() { Timeout = (float)TestData.HangGuard.TotalMilliseconds });
            var started = clock.Elapsed;
            var health = await server.WaitForHealthAsync(h => h.Running == 1 && h.Queued == 0, TestData.HangGuard);
            output.WriteLine($"B started {started.TotalMilliseconds:F0} ms after A's tab closed; health {health}");
            Assert.Equal(new Health("healthy", 1, 0), health);

            await b.CancelButton.ClickAsync();
            await b.WaitForStageAsync("cancelled", TestData.HangGuard);
        }
        catch
        {
            await b.SaveEvidenceAsync("failed-tab-close-b");
            output.WriteLine("Server log (tail):\n" + Tail(server.Log));
            throw;
        }
        finally { await a.DisposeAsync(); }
    }

    [SkippableFact]
    public async Task Twelve_simultaneous_runs_each_complete_or_are_told_the_server_is_busy()
    {
        fx.RequireBrowser();
        await using var server = await AppServer.StartAsync(["--Segmenter:MaxConcurrentJobs=1", "--Segmenter:MaxQueueLength=4"]);
        var pages = new List<SegmenterPage>();
        try
        {
            // Twelve visitors, each with the small chelsea sample and 2 epochs, ready to press Train.
            foreach (var _ in Enumerable.Range(0, 12)) pages.Add(await fx.OpenAsync(server));
            foreach (var p in pages)
            {
                await p.ChooseSampleAsync("chelsea");
                await p.SetEpochsAsync(2);
            }
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(pages.Select(p => p.TrainButton.ClickAsync()));

            // Each ends as done or busy; none may hang (one bound for the lot).
            var outcomes = await Task.WhenAll(pages.Select(p => p.Page.WaitForFunctionAsync(
                "busy => { const e = document.querySelector(\"[data-testid='error-message']\"); if (e) return e.innerText.includes(busy) ? 'busy' : 'error: ' + e.innerText; const s = document.querySelector(\"[data-testid='stage']\").innerText.trim(); return s === 'done' || s === 'failed' || s === 'cancelled' ? s : null; }",
                BusyMessage, new() { Timeout = 150_000, PollingInterval = 200 })));
            var results = new List<string>();
            foreach (var o in outcomes) results.Add(await o.JsonValueAsync<string>());
            output.WriteLine($"After {clock.Elapsed.TotalSeconds:F1}s: " + string.Join(", ", results.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}")));
            Assert.All(results, r => Assert.True(r is "done" or "busy", r));
            Assert.True(results.Count(r => r == "done") >= 5, "one running and four queued runs should all complete");
            Assert.Contains("busy", results);

            // "done" shows as soon as the result is published; the job then scores it (silhouette, the colour
            // baselines) and stores it, so the last job may still run for seconds on a loaded machine. What must
            // hold is that it ends and the server returns to idle, not how fast (that is the bench's business).
            var idle = await server.WaitForHealthAsync(h => h.Running == 0 && h.Queued == 0, TimeSpan.FromSeconds(30));
            Assert.Equal(new Health("healthy", 0, 0), idle);
        }
        catch
        {
            if (pages.Count > 0) await pages[^1].SaveEvidenceAsync("failed-load-last-page");
            output.WriteLine("Server log (tail):\n" + Tail(server.Log));
            throw;
        }
        finally
        {
            foreach (var p in pages) await p.DisposeAsync();
        }

        // Afterwards the server still serves a fresh run.
        await WithPageAsync("load-fresh-run", async p =>
        {
            await p.ChooseSampleAsync("chelsea");
            await p.SetEpochsAsync(2);
            await p.TrainAsync();
            await p.WaitForStageAsync("done", TimeSpan.FromSeconds(60));
        }, server);
        Assert.False(server.HasExited);
    }

    [SkippableFact]
    public async Task Every_invalid_field_shows_its_message_in_the_browser()
    {
        await WithPageAsync(nameof(Every_invalid_field_shows_its_message_in_the_browser), async p =>
        {
            (string Field, string Bad, string Good, string Message)[] cases =
            [
                ("clusters-input", "65", "4", "The number of clusters can be at most 64; got 65."),
                ("epochs-input", "0", "3", "Epochs must be between 1 and 1000; got 0."),
                ("batch-input", "0", "512", "The batch size must be between 1 and 65536; got 0."),
                ("lr-input", "5", "0.01", "The learning rate must be between 0.000001 and 1."),
                ("seed-input", "-1", "42", "The seed must be a whole number ≥ 0; got -1."),
            ];
            foreach (var (field, bad, good, message) in cases)
            {
                await p.FillAsync(field, bad, verify: false);
                await Expect(p.TrainButton).ToBeDisabledAsync();
                await Expect(p.FieldError(field)).ToContainTextAsync(message);
                await Expect(p.FieldError(field)).ToBeVisibleAsync();
                await p.FillAsync(field, good, verify: false);
                await Expect(p.FieldError(field)).ToHaveCountAsync(0);
                await Expect(p.TrainButton).ToBeEnabledAsync();
            }
        });
    }

    [SkippableFact]
    public async Task The_page_loads_without_failed_requests()
    {
        await WithPageAsync(nameof(The_page_loads_without_failed_requests), async p =>
        {
            // The browser asks for the icon after the load; give it a moment. Playwright reports no events for icon
            // requests, so a missing icon shows only as the console's "404 (Not Found)": check both, and the icon itself.
            await p.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await p.Page.WaitForTimeoutAsync(1_000);
            lock (p.FailedRequests) Assert.True(p.FailedRequests.Count == 0, "failed requests:\n" + string.Join('\n', p.FailedRequests));
            lock (p.ConsoleErrors) Assert.True(p.ConsoleErrors.Count == 0, "console errors:\n" + string.Join('\n', p.ConsoleErrors));

            var icon = await p.Page.Locator("link[rel=icon]").GetAttributeAsync("href");
            Assert.False(string.IsNullOrEmpty(icon), "the page declares no icon");
            var response = await p.Page.APIRequest.GetAsync(icon!);
            Assert.Equal(200, response.Status);
            Assert.StartsWith("image/", response.Headers["content-type"]);
        });
    }

    [SkippableFact]
    public async Task Absurd_learning_rate_is_refused_by_the_form()
    {
        await WithPageAsync(nameof(Absurd_learning_rate_is_refused_by_the_form), async p =>
        {
            await p.ChooseSampleAsync("chelsea");
            await p.SetLearningRateAsync("1e30");
            await Expect(p.TrainButton).ToBeDisabledAsync();
            // The field says why, with the allowed range, where the user is looking.
            var message = p.FieldError("lr-input");
            await Expect(message).ToBeVisibleAsync();
            await Expect(message).ToContainTextAsync("The learning rate must be between 0.000001 and 1.");
            output.WriteLine("Shown beside the field: " + (await message.InnerTextAsync()).Trim());

            await p.SetLearningRateAsync("0.004");
            await Expect(p.TrainButton).ToBeEnabledAsync();
            await Expect(message).ToHaveCountAsync(0);
        });
    }

    [SkippableFact]
    public async Task Diverging_training_shows_the_engines_message_and_the_next_run_works()
    {
        fx.RequireBrowser();
        // The default form refuses rates above 1, and at 1 Adam does not diverge; this server lets 1e30 through.
        await using var server = await AppServer.StartAsync(["--Segmenter:MaxLearningRate=1e30"]);
        await WithPageAsync(nameof(Diverging_training_shows_the_engines_message_and_the_next_run_works), async p =>
        {
            await p.ChooseSampleAsync("chelsea");
            await p.SetEpochsAsync(3);
            await p.SetLearningRateAsync("1e30");
            await p.TrainAsync();
            await p.WaitForStageAsync("failed", TimeSpan.FromSeconds(60));
            await Expect(p.ErrorMessage).ToContainTextAsync("Training diverged in epoch 1");
            await Expect(p.ErrorMessage).ToContainTextAsync("Lower the learning rate");
            output.WriteLine("Error shown: " + (await p.ErrorMessage.InnerTextAsync()).Trim());

            await p.SetLearningRateAsync("0.004");
            await p.SetEpochsAsync(2);
            await p.TrainAsync();
            await p.WaitForStageAsync("done", TimeSpan.FromSeconds(60));
            await Expect(p.ErrorMessage).ToHaveCountAsync(0);
            await Expect(p.SegmentedImage).ToBeVisibleAsync();
        }, server);
    }
}
