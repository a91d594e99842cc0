using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>In a real browser: the Advanced section's architecture and k-means settings.</summary>
public sealed partial class TuningEndToEndTests
{
    [SkippableFact]
    public async Task Advanced_code_size_and_activation_reach_the_report_and_history_and_restarts_only_recluster()
    {
        await WithPageAsync(nameof(Advanced_code_size_and_activation_reach_the_report_and_history_and_restarts_only_recluster), async p =>
        {
            await p.ChooseSampleAsync("astronaut");
            await p.SetEpochsAsync(2);
            await p.SetClustersAsync(3);

            // Collapsed by default: open it, then a code of 16 numbers and GELU.
            await Expect(p.Id("code-size-input")).Not.ToBeVisibleAsync();
            await p.Id("advanced-toggle").Locator(".mud-expand-panel-header").ClickAsync();
            await Expect(p.Field("code-size-input")).ToBeVisibleAsync();
            await p.FillAsync("code-size-input", "16");
            await p.Id("activation-select").ClickAsync();
            await p.Page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "Gelu" }).First.ClickAsync();
            await Expect(p.Id("activation-select")).ToContainTextAsync("Gelu");
            await Expect(p.Id("advanced-error")).ToHaveCountAsync(0);

            await TrainToDoneAsync(p);
            Assert.Equal(2, await p.PointsAsync("loss-chart"));
            await Expect(Rows(p).Nth(0).Locator("[data-testid='history-model']")).ToHaveTextAsync("code 16 · h64 · 1+1 · gelu");

            // The run report says what was trained.
            var download = await p.Page.RunAndWaitForDownloadAsync(() => p.Id("download-report").ClickAsync(), new() { Timeout = TestData.HangGuardMilliseconds });
            Assert.Null(await download.FailureAsync());
            var report = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
            var parameters = report["parameters"]!;
            output.WriteLine("  report parameters: " + parameters.ToJsonString());
            Assert.Equal(16, (int)parameters["codeSize"]!);
            Assert.Equal("gelu", (string)parameters["activation"]!);

            // Restarts are a clustering setting: re-cluster is allowed and nothing retrains.
            var restartsBefore = (int)parameters["kmeansRestarts"]!;
            int restarts = restartsBefore + 3;
            await p.FillAsync("kmeans-restarts-input", restarts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(p.TrainButton).ToBeEnabledAsync();
            await Expect(p.Id("recluster-button")).ToBeEnabledAsync();
            await ReclusterToDoneAsync(p);
            Assert.Equal(2, await p.PointsAsync("loss-chart")); // no new epoch losses
            await ExpectRowsAsync(p, 2);
            var row = Rows(p).Nth(1);
            await Expect(row).ToHaveAttributeAsync("data-reclustered", "true");
            await Expect(row.Locator("[data-testid='history-kmeans']")).ToContainTextAsync($"×{restarts} ");
            await Expect(row.Locator("[data-testid='history-model']")).ToHaveTextAsync("code 16 · h64 · 1+1 · gelu");
        });
    }
}
