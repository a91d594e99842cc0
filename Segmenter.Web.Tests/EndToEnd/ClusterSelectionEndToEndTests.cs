using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// Cluster selection and edits in a real browser: two clicks on the segmented image select the clusters under them, Merge joins
/// them (one cluster fewer), Undo brings back the trained run's clusters and its segmented image, pixel for pixel.
/// The image is four flat quadrants in far-apart colours, so k = 4 gives each quadrant its own cluster.
/// Run with <c>dotnet test Segmenter.Web.Tests --filter "FullyQualifiedName~ClusterSelectionEndToEnd"</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ClusterSelectionEndToEndTests(EndToEndFixture fx, ITestOutputHelper output)
{
    private const int W = 64, H = 48, K = 4;
    private static readonly Rgb24[] Quadrants = [new(220, 30, 30), new(30, 180, 40), new(30, 40, 210), new(240, 240, 240)];

    [SkippableFact]
    public async Task Clicking_two_regions_then_merge_drops_one_cluster_and_undo_restores_the_image()
    {
        fx.RequireBrowser();
        var folder = Directory.CreateTempSubdirectory("selection-e2e").FullName;
        try
        {
            string imagePath = Path.Combine(folder, "quadrants.png");
            using (var image = new Image<Rgb24>(W, H))
            {
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) image[x, y] = Quadrants[(y < H / 2 ? 0 : 2) + (x < W / 2 ? 0 : 1)];
                await image.SaveAsPngAsync(imagePath);
            }

            await fx.WithPageAsync(output, "cluster-selection", async p =>
            {
                await p.UploadAsync(imagePath);
                await Expect(p.ImageInfo).ToContainTextAsync("quadrants.png", new() { Timeout = TestData.HangGuardMilliseconds });
                await p.SetClustersAsync(K);
                await p.SetEpochsAsync(3);
                await p.TrainAsync();
                await p.WaitForStageAsync("done", TimeSpan.FromSeconds(90));

                var boxes = p.Id("edit-cluster");
                var selection = p.Id("cluster-selection");
                await Expect(boxes).ToHaveCountAsync(K);
                await Expect(selection).ToHaveAttributeAsync("data-selected", "");
                var trained = await SegmentedPixelsAsync(p);

                // The top-left and top-right quadrants, clicked where the image is shown (scaled to the page's layout).
                await ClickSegmentedAsync(p, 0.25, 0.25);
                await Expect(selection).ToHaveAttributeAsync("data-selected", new Regex(@"^\d+$"));
                await ClickSegmentedAsync(p, 0.75, 0.25);
                await Expect(selection).ToHaveAttributeAsync("data-selected", new Regex(@"^\d+, \d+$"));
                output.WriteLine($"selected by clicking: {await selection.GetAttributeAsync("data-selected")}");
                await Expect(p.Id("merge-button")).ToContainTextAsync("Merge 2");

                string trainedSrc = (await p.SegmentedImage.GetAttributeAsync("src"))!;
                await Expect(p.Id("merge-button")).ToBeEnabledAsync();
                await p.Id("merge-button").ClickAsync();
                await Expect(boxes).ToHaveCountAsync(K - 1, new() { Timeout = TestData.HangGuardMilliseconds });
                await Expect(selection).ToHaveAttributeAsync("data-selected", ""); // the merge renumbered the clusters
                await Expect(p.SegmentedImage).Not.ToHaveAttributeAsync("src", trainedSrc);
                string mergedSrc = (await p.SegmentedImage.GetAttributeAsync("src"))!;
                var merged = await SegmentedPixelsAsync(p);
                Assert.NotEqual(trained, merged);

                await Expect(p.Id("undo-button")).ToBeEnabledAsync();
                await p.Id("undo-button").ClickAsync();
                await Expect(boxes).ToHaveCountAsync(K, new() { Timeout = TestData.HangGuardMilliseconds });
                await Expect(p.SegmentedImage).Not.ToHaveAttributeAsync("src", mergedSrc);
                Assert.Equal(trained, await SegmentedPixelsAsync(p));
                await Expect(p.Id("redo-button")).ToBeEnabledAsync();
            });
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>Clicks the shown segmented image at a fraction of its width and height.</summary>
    private static async Task ClickSegmentedAsync(SegmenterPage p, double across, double down)
    {
        await p.SegmentedImage.ScrollIntoViewIfNeededAsync();
        var box = (await p.SegmentedImage.BoundingBoxAsync())!;
        await p.SegmentedImage.ClickAsync(new() { Position = new() { X = (float)(box.Width * across), Y = (float)(box.Height * down) } });
    }

    /// <summary>The segmented image the page shows now, fetched by the page from its own src and decoded.</summary>
    private static async Task<Rgb24[]> SegmentedPixelsAsync(SegmenterPage p)
    {
        await p.Page.WaitForFunctionAsync("() => { const i = document.querySelector(\"[data-testid='segmented-image']\"); return i && i.complete && i.naturalWidth === " + W + "; }");
        string base64 = await p.Page.EvaluateAsync<string>(
            "async () => { const r = await fetch(document.querySelector(\"[data-testid='segmented-image']\").src); const b = new Uint8Array(await r.arrayBuffer()); let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }");
        using var image = Image.Load<Rgb24>(Convert.FromBase64String(base64));
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }
}
