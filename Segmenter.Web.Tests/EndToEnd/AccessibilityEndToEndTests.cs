using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// axe-core's WCAG 2.0 and 2.1 level A and AA rules, run in Chromium on what a visitor sees after a run: the page in
/// its light and dark theme, the stroke panel with a brush chosen, and the run's own page (<c>/runs/{id}</c>) in both
/// themes. Every violation is listed with the elements it names.
/// Run with <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~AccessibilityEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class AccessibilityEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    [SkippableFact]
    public async Task The_page_after_a_run_and_the_runs_own_page_break_no_WCAG_A_or_AA_rule_in_either_theme()
    {
        await fx.WithPageAsync(output, nameof(The_page_after_a_run_and_the_runs_own_page_break_no_WCAG_A_or_AA_rule_in_either_theme), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetEpochsAsync(3);
            await p.TrainAsync();
            await p.WaitForStageAsync("done", RunTimeout);
            await WaitForChartsAsync(p.Page, "color-scatter", "code-scatter", "distribution-chart");
            var row = p.Id("history-row").First;
            await Expect(row).ToHaveAttributeAsync("data-run-id", new System.Text.RegularExpressions.Regex("^[A-Za-z0-9_-]{22}$"),
                new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            var runId = (await row.GetAttributeAsync("data-run-id"))!;

            var found = new List<string>();
            await SetThemeAsync(p, dark: false);
            found.AddRange(await ScanAsync(p.Page, "page after a run, light"));

            // The stroke panel with a brush chosen (its pressed state and outline) and the eraser's button beside it.
            await p.Page.Locator("[data-testid='brush'][data-brush='11']").ClickAsync();
            await Expect(p.Page.Locator("[data-testid='brush'][data-brush='11']")).ToHaveAttributeAsync("aria-pressed", "true");
            found.AddRange(await ScanAsync(p.Id("scribble-panel"), "stroke panel, light"));

            await SetThemeAsync(p, dark: true);
            found.AddRange(await ScanAsync(p.Page, "page after a run, dark"));
            found.AddRange(await ScanAsync(p.Id("scribble-panel"), "stroke panel, dark"));

            await p.Page.GotoAsync("/runs/" + runId);
            await Expect(p.Id("run-page")).ToBeVisibleAsync(new() { Timeout = TestData.HangGuardMilliseconds });
            await WaitForChartsAsync(p.Page, "color-scatter", "code-scatter");
            await SetThemeAsync(p, dark: false);
            found.AddRange(await ScanAsync(p.Page, "run page, light"));
            await SetThemeAsync(p, dark: true);
            found.AddRange(await ScanAsync(p.Page, "run page, dark"));

            Assert.True(found.Count == 0, $"axe-core found {found.Count} violation(s):\n{string.Join('\n', found)}");
        });
    }

    /// <summary>The theme toggle until the page says it shows <paramref name="dark"/>.</summary>
    private static async Task SetThemeAsync(SegmenterPage p, bool dark)
    {
        var toggle = p.Id("theme-toggle");
        var want = dark ? "dark" : "light";
        if (await toggle.GetAttributeAsync("data-theme") != want) await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("data-theme", want, new() { Timeout = TestData.HangGuardMilliseconds });
        await Expect(p.Page.Locator("html")).ToHaveAttributeAsync("data-theme", want, new() { Timeout = TestData.HangGuardMilliseconds });
        // MudBlazor's colours change with a CSS transition; axe-core reads the computed colours, so they must have settled.
        await p.Page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')", null, new() { Timeout = TestData.HangGuardMilliseconds });
    }

    private static async Task WaitForChartsAsync(IPage page, params string[] testIds)
    {
        foreach (var id in testIds)
            await page.WaitForFunctionAsync(
                "id => { const b = document.querySelector(`[data-testid='${id}']`), g = b && b.querySelector('.js-plotly-plot'); return !!g && g.dataset.drawn === b.dataset.revision; }",
                id, new() { Timeout = TestData.HangGuardMilliseconds });
    }

    private Task<List<string>> ScanAsync(IPage page, string what) => ReportAsync(page.RunAxe(WcagAa), what);

    private Task<List<string>> ScanAsync(ILocator region, string what) => ReportAsync(region.RunAxe(WcagAa), what);

    private async Task<List<string>> ReportAsync(Task<AxeResult> scan, string what)
    {
        var result = await scan;
        var lines = result.Violations
            .SelectMany(v => v.Nodes.Select(n => $"{what}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(' ', n.Target)} :: {Why(n)}"))
            .ToList();
        output.WriteLine($"{what}: {result.Passes.Length} rules passed, {result.Violations.Length} violated ({lines.Count} elements), {result.Incomplete.Length} for a person to check");
        foreach (var line in lines) output.WriteLine("  " + line);
        return lines;
    }

    /// <summary>What axe-core says is wrong with one element: its failed checks' messages.</summary>
    private static string Why(AxeResultNode node)
        => string.Join("; ", (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message));
}
