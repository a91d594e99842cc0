using System.Globalization;
using Microsoft.Playwright;
using Segmenter.Bench.Corpus;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// The steering panel in a real browser: a 3-seed stability run shows its map and figure, a ground-truth upload
/// shows its score, the baselines are one click away. A small two-tone upload keeps the three trainings short.
/// Run with <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~SteeringEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SteeringEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private const int W = 64, H = 48;

    [SkippableFact]
    public async Task A_three_seed_run_shows_its_map_and_figure_and_a_truth_upload_shows_its_score()
    {
        fx.RequireBrowser();
        var folder = Directory.CreateTempSubdirectory("steering-e2e").FullName;
        try
        {
            string imagePath = Path.Combine(folder, "two-tone.png"), truthPath = Path.Combine(folder, "truth.png");
            await File.WriteAllBytesAsync(imagePath, TestImages.TwoTone(W, H, new PngEncoder()));
            using (var truth = new Image<L8>(W, H))
            {
                for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) truth[x, y] = new L8(x < W / 2 ? (byte)0 : (byte)1);
                await truth.SaveAsPngAsync(truthPath);
            }

            await fx.WithPageAsync(output, "steering", async p =>
            {
                await p.UploadAsync(imagePath);
                await Expect(p.ImageInfo).ToContainTextAsync("two-tone.png", new() { Timeout = TestData.HangGuardMilliseconds });
                await p.SetClustersAsync(2);
                await p.SetEpochsAsync(2);
                await Expect(p.Id("stability-button")).ToContainTextAsync("Run 3 seeds");
                // Dispatched, not clicked: a form field's tooltip may still cover the panel (as for the error alert's close).
                await Expect(p.Id("stability-button")).ToBeEnabledAsync();
                await p.Id("stability-button").DispatchEventAsync("click");

                var map = p.Id("stability-map");
                await Expect(map).ToBeVisibleAsync(new() { Timeout = 120_000 });
                await p.Page.WaitForFunctionAsync("() => { const i = document.querySelector(\"[data-testid='stability-map']\"); return i && i.complete && i.naturalWidth === " + W + "; }");
                double stability = double.Parse((await p.Id("stability-figure").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
                Assert.InRange(stability, -1.0, 1.0);
                await Expect(p.Id("history-stability").First).Not.ToHaveTextAsync("–");
                output.WriteLine($"stability {stability}");

                await p.Page.Locator("[data-testid='gt-upload'] input[type=file], input[type=file][data-testid='gt-upload']").First.SetInputFilesAsync(truthPath);
                await Expect(p.Id("gt-score")).ToContainTextAsync("ARI", new() { Timeout = TestData.HangGuardMilliseconds });
                double ari = double.Parse((await p.Id("gt-score").GetAttributeAsync("data-ari"))!, CultureInfo.InvariantCulture);
                Assert.InRange(ari, -1.0, 1.0);
                await Expect(p.Id("history-truth-ari").First).Not.ToHaveTextAsync("–");
                output.WriteLine($"truth ARI {ari}");

                await p.Id("baseline-view").First.ClickAsync();
                await Expect(p.Id("baseline-image")).ToBeVisibleAsync();
                await p.Page.WaitForFunctionAsync("() => { const i = document.querySelector(\"[data-testid='baseline-image']\"); return i && i.complete && i.naturalWidth === " + W + "; }");
            });
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
