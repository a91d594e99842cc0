using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// The regions slider in a real browser: a short regions run from a link, then the slider re-cuts its merge tree and
/// the segmented image changes with no new run (no training epoch, no new trained row). Run with
/// <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~RegionsEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegionsEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);
    private const string Link = "/?sample=astronaut&k=3&epochs=2&seed=7&preset=fast&segments=regions";

    /// <summary>The SHA-256 of the bytes the segmented image shows now, fetched by the page itself.</summary>
    private static Task<string> SegmentedDigestAsync(SegmenterPage p)
        => p.Page.EvaluateAsync<string>(
            "async () => { const src = document.querySelector(\"[data-testid='segmented-image']\").src;" +
            " const bytes = await (await fetch(src)).arrayBuffer();" +
            " return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))).map(b => b.toString(16).padStart(2, '0')).join(''); }");

    [SkippableFact]
    public async Task Moving_the_regions_slider_changes_the_segmented_image_without_a_run()
    {
        fx.RequireBrowser();
        await using var p = await fx.OpenAsync(path: Link);
        try
        {
            await Expect(p.Field("epochs-input")).ToHaveValueAsync("2");
            await p.TrainAsync();
            await Expect(p.Id("history-table")).ToHaveAttributeAsync("data-rows", "1", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            await p.WaitForStageAsync("done", SegmenterPage.DefaultWait);

            var range = p.Id("regions-cut");
            await Expect(range).ToHaveAttributeAsync("data-cut", "3");
            int max = int.Parse((await range.GetAttributeAsync("data-max"))!, CultureInfo.InvariantCulture);
            Assert.True(max > 3, $"the tree has {max} leaves");
            await Expect(p.Id("distribution-chart")).ToHaveAttributeAsync("data-points", "3");
            int lossPoints = await p.PointsAsync("loss-chart");
            Assert.Equal(2, lossPoints);
            var before = await SegmentedDigestAsync(p);
            var srcBefore = await p.SegmentedImage.GetAttributeAsync("src");

            // One arrow key on the focused range input: one change event, one re-cut at 4 regions.
            var slider = p.Page.Locator("[data-testid='regions-slider'] input[type=range], input[type=range][data-testid='regions-slider']").First;
            await Expect(slider).ToHaveAttributeAsync("aria-label", "Regions");
            // "done" shows with the image; the run's job ends after its scores and storing, and the slider waits for it.
            await Expect(slider).ToBeEnabledAsync(new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            await slider.FocusAsync();
            await slider.PressAsync("ArrowRight");

            await Expect(range).ToHaveAttributeAsync("data-cut", "4", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            await p.WaitForStageAsync("done", SegmenterPage.DefaultWait);
            await Expect(p.Id("distribution-chart")).ToHaveAttributeAsync("data-points", "4");
            await Expect(p.SegmentedImage).Not.ToHaveAttributeAsync("src", srcBefore!);
            Assert.NotEqual(before, await SegmentedDigestAsync(p));
            Assert.Equal(lossPoints, await p.PointsAsync("loss-chart")); // no training
            await Expect(p.Id("history-table")).ToHaveAttributeAsync("data-rows", "2");
            await Expect(p.Id("history-row").Nth(1)).ToHaveAttributeAsync("data-reclustered", "true");
            await Expect(p.Id("history-row").Nth(1)).ToHaveAttributeAsync("data-clusters", "4");
            await Expect(p.Field("clusters-input")).ToHaveValueAsync("4");

            var axe = await range.RunAxe(new AxeRunOptions
            {
                RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            });
            var violations = axe.Violations.SelectMany(v => v.Nodes.Select(n => $"{v.Id}: {v.Help}: {string.Join(' ', n.Target)}")).ToList();
            Assert.True(violations.Count == 0, "axe-core on the slider:\n" + string.Join('\n', violations));
        }
        catch
        {
            await p.SaveEvidenceAsync("failed-regions-slider");
            output.WriteLine("Browser console errors:\n" + string.Join('\n', p.ConsoleErrors));
            output.WriteLine("Server log (tail):\n" + string.Join('\n', fx.Server.Log.Split('\n').TakeLast(60)));
            throw;
        }
    }
}
