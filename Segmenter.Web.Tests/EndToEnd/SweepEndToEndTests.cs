using System.Globalization;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// The sweep panel in a real browser: the run count before anything starts, the refusal beyond the server's limit, a
/// small grid filling in with real runs, a cell opening its run, and the sweep's link opening the grid again. Run with
/// <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~SweepEndToEnd"</c>; the page's smoothness while a
/// 3 × 3 grid fills is measured only with <c>SEGMENTER_PAGE_TIMINGS=1</c> (see <see cref="The_longest_main_thread_task_while_a_three_by_three_grid_fills"/>).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SweepEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private const string Link = "/?sample=astronaut&k=3&epochs=1&seed=7&preset=fast";
    private static readonly float Wait = (float)SegmenterPage.DefaultWait.TotalMilliseconds;

    private static Task ValuesAsync(SegmenterPage p, int axis, string values)
        => p.Page.Locator("input[data-testid='sweep-axis-values']").Nth(axis).FillAsync(values);

    [SkippableFact]
    public async Task A_small_grid_fills_in_its_cells_open_their_runs_and_its_link_opens_it_again()
    {
        fx.RequireBrowser();
        await using var p = await fx.OpenAsync(path: Link);
        try
        {
            var panel = p.Id("sweep-panel");
            await Expect(panel).ToBeVisibleAsync();
            await Expect(p.Id("sweep-count")).ToHaveAttributeAsync("data-count", "9");

            // Beyond Segmenter:MaxSweepRuns (27): refused with the message, nothing starts.
            await ValuesAsync(p, 0, "1,3,5,7");
            await ValuesAsync(p, 1, "1,2,4,8");
            await p.Id("sweep-add-axis").ClickAsync();
            await Expect(p.Id("sweep-count")).ToHaveAttributeAsync("data-count", "32");
            await Expect(p.Id("sweep-problem")).ToContainTextAsync("The sweep has 32 runs; this server runs at most 27 in one sweep");
            await Expect(p.Id("sweep-run-button")).ToBeDisabledAsync();

            await p.Page.Locator("[data-testid='sweep-axis'] button[aria-label='Remove this setting']").Nth(2).ClickAsync();
            await ValuesAsync(p, 0, "1,3");
            await ValuesAsync(p, 1, "1,2");
            await Expect(p.Id("sweep-count")).ToHaveAttributeAsync("data-count", "4");
            await Expect(p.Id("sweep-problem")).ToHaveCountAsync(0);
            await p.Id("sweep-run-button").ClickAsync();

            var grid = p.Id("sweep-grid");
            await Expect(grid).ToHaveAttributeAsync("data-cells", "4", new() { Timeout = Wait });
            await Expect(grid).ToHaveAttributeAsync("data-finished", "4", new() { Timeout = 4 * Wait });
            await Expect(grid).ToHaveAttributeAsync("data-state", "finished", new() { Timeout = Wait });
            await Expect(p.Page.Locator("a[data-testid='sweep-cell']")).ToHaveCountAsync(4);
            await Expect(p.Page.Locator("[data-testid='sweep-cell'][data-best='true']")).ToHaveCountAsync(1);
            var sweepLink = await p.Id("sweep-link").GetAttributeAsync("href");

            var cell = p.Page.Locator("a[data-testid='sweep-cell']").First;
            string runId = (await cell.GetAttributeAsync("data-run-id"))!;
            await cell.ClickAsync();
            await Expect(p.Id("run-page")).ToHaveAttributeAsync("data-run-id", runId, new() { Timeout = Wait });

            await p.Page.GotoAsync(sweepLink!);
            await Expect(p.Id("sweep-page")).ToBeVisibleAsync(new() { Timeout = Wait });
            await Expect(p.Id("sweep-grid")).ToHaveAttributeAsync("data-finished", "4", new() { Timeout = Wait });
            await Expect(p.Page.Locator($"a[data-testid='sweep-cell'][data-run-id='{runId}']")).ToHaveCountAsync(1);
        }
        catch
        {
            await p.SaveEvidenceAsync("failed-sweep");
            output.WriteLine("Browser console errors:\n" + string.Join('\n', p.ConsoleErrors));
            output.WriteLine("Server log (tail):\n" + string.Join('\n', fx.Server.Log.Split('\n').TakeLast(60)));
            throw;
        }
    }

    /// <summary>
    /// A measurement of this machine, not a verdict on the code, run only when asked:
    /// <c>SEGMENTER_PAGE_TIMINGS=1 dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~SweepEndToEndTests.The_longest" --logger "console;verbosity=detailed"</c>.
    /// Every main-thread task over 50 ms (Chromium's long tasks) from the click on Run until the 3 × 3 grid is full.
    /// </summary>
    [SkippableFact]
    public async Task The_longest_main_thread_task_while_a_three_by_three_grid_fills()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("SEGMENTER_PAGE_TIMINGS") == "1",
            "A measurement of the page's speed, run only with SEGMENTER_PAGE_TIMINGS=1 (see the test).");
        fx.RequireBrowser();
        await using var p = await fx.OpenAsync(path: Link);
        await Expect(p.Id("sweep-count")).ToHaveAttributeAsync("data-count", "9");
        await p.Page.EvaluateAsync("""
            () => {
              const t = window.__sweepTiming = { longTasks: [] };
              new PerformanceObserver(list => { for (const e of list.getEntries()) t.longTasks.push(e.duration); })
                .observe({ type: 'longtask', buffered: false });
              document.querySelector("[data-testid='sweep-run-button']").click();
            }
            """);
        await Expect(p.Id("sweep-grid")).ToHaveAttributeAsync("data-finished", "9", new() { Timeout = 10 * Wait });
        await p.Page.WaitForTimeoutAsync(2000); // the last cell's thumbnail loads and renders
        var tasks = await p.Page.EvaluateAsync<double[]>("() => window.__sweepTiming.longTasks");
        double longest = tasks.DefaultIfEmpty(0).Max();
        output.WriteLine($"grid of 9 filled: {tasks.Length} long tasks (> 50 ms), longest {longest.ToString("0", CultureInfo.InvariantCulture)} ms; " +
                         $"all: {string.Join(", ", tasks.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))}");
    }
}
