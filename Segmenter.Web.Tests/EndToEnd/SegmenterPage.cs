using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>The page through its data-testid hooks. Every wait is bounded.</summary>
public sealed class SegmenterPage : IAsyncDisposable
{
    /// <summary>
    /// How long any wait for the page (actions, expectations, stages) gives up after: the tests' hang guard, no speed
    /// claim. A page update the circuit sends at once can still take seconds on a loaded 2-core machine.
    /// </summary>
    public static readonly TimeSpan DefaultWait = TestData.HangGuard;

    static SegmenterPage() => SetDefaultExpectTimeout((float)DefaultWait.TotalMilliseconds);
    private readonly bool _ownsContext;

    private SegmenterPage(IPage page, bool ownsContext)
    {
        Page = page;
        _ownsContext = ownsContext;
    }

    public IPage Page { get; }
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Every response with status 400 or more and every request that failed outright ("404 GET http://…").</summary>
    public List<string> FailedRequests { get; } = [];

    /// <summary>Opens <paramref name="path"/> (a query-string link, say) and waits for the circuit and the astronaut sample.</summary>
    public static async Task<SegmenterPage> OpenAsync(IPage page, bool ownsContext, string path = "/")
    {
        page.SetDefaultTimeout((float)DefaultWait.TotalMilliseconds);
        var p = new SegmenterPage(page, ownsContext);
        page.Console += (_, m) => { if (m.Type == "error") lock (p.ConsoleErrors) p.ConsoleErrors.Add(m.Location is { Length: > 0 } at ? $"{m.Text} ({at})" : m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) lock (p.FailedRequests) p.FailedRequests.Add($"{r.Status} {r.Request.Method} {r.Url}"); };
        page.RequestFailed += (_, r) => { lock (p.FailedRequests) p.FailedRequests.Add($"failed ({r.Failure}) {r.Method} {r.Url}"); };
        await page.GotoAsync(path);
        // No prerendering: the controls appear once the circuit is up, and the astronaut sample loads on arrival.
        await Expect(p.ImageInfo).ToContainTextAsync("astronaut", new() { Timeout = TestData.HangGuardMilliseconds });
        await Expect(p.TrainButton).ToBeEnabledAsync(new() { Timeout = TestData.HangGuardMilliseconds });
        // The page makes its 3D scenes as soon as it is up, in short steps: tests start after that, so their timings
        // measure what they test.
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.scenesReady === 'true'", null, new() { Timeout = 60_000 });
        return p;
    }

    public ILocator Id(string testId) => Page.Locator($"[data-testid='{testId}']");

    public ILocator TrainButton => Id("train-button");
    public ILocator CancelButton => Id("cancel-button");
    public ILocator Stage => Id("stage");
    public ILocator Progress => Id("progress");
    public ILocator LossChart => Id("loss-chart");
    public ILocator ErrorMessage => Id("error-message");
    public ILocator ImageInfo => Id("image-info");
    public ILocator OriginalImage => Id("original-image");
    public ILocator SegmentedImage => Id("segmented-image");
    public ILocator UploadInput => Page.Locator("[data-testid='upload-input'] input[type=file], input[type=file][data-testid='upload-input']").First;

    /// <summary>The validation message shown under a field (MudBlazor's error helper text), if any.</summary>
    public ILocator FieldError(string testId)
        => Page.Locator($".mud-input-control:has([data-testid='{testId}']) .mud-input-helper-text.mud-input-error, [data-testid='{testId}'] .mud-input-helper-text.mud-input-error, .mud-input-control:has(> [data-testid='{testId}']) .mud-input-error");

    /// <summary>The text input of a numeric field (its data-testid sits on the input itself).</summary>
    public ILocator Field(string testId) => Page.Locator($"[data-testid='{testId}'] input, input[data-testid='{testId}']").First;

    public async Task ChooseSampleAsync(string name)
    {
        await Id($"sample-{name}").ClickAsync();
        await Expect(ImageInfo).ToContainTextAsync(name, new() { Timeout = TestData.HangGuardMilliseconds });
    }

    public Task SetClustersAsync(int k) => FillAsync("clusters-input", k.ToString());
    public Task SetEpochsAsync(int n) => FillAsync("epochs-input", n.ToString());
    public Task SetSeedAsync(int n) => FillAsync("seed-input", n.ToString());
    // The field reformats what it parses ("1e30" shows as 1000…000), so its text is not compared.
    public Task SetLearningRateAsync(string lr) => FillAsync("lr-input", lr, verify: false);

    public async Task FillAsync(string testId, string value, bool verify = true)
    {
        var input = Field(testId);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        if (verify) await Expect(input).ToHaveValueAsync(value);
    }

    /// <summary>Picks a preset ("Fast (default)" or "Original") from the MudSelect's popover.</summary>
    public async Task ChoosePresetAsync(string label)
    {
        await Id("preset-select").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = label }).First.ClickAsync();
        await Expect(Id("preset-select")).ToContainTextAsync(label);
    }

    public async Task TrainAsync()
    {
        await Expect(TrainButton).ToBeEnabledAsync();
        await TrainButton.ClickAsync();
    }

    public async Task<string> StageTextAsync() => (await Stage.InnerTextAsync()).Trim();

    public async Task<int> PointsAsync(string testId)
        => int.Parse(await Id(testId).GetAttributeAsync("data-points") ?? "-1");

    public Task WaitForStageAsync(string text, TimeSpan timeout)
        => Expect(Stage).ToHaveTextAsync(new Regex("^\\s*" + Regex.Escape(text)), new() { Timeout = (float)timeout.TotalMilliseconds });

    /// <summary>Closes the error alert if shown. Dispatched, not clicked: error snackbars may cover the close icon.</summary>
    public async Task DismissErrorAsync()
    {
        if (await ErrorMessage.CountAsync() == 0) return;
        await ErrorMessage.Locator("button.mud-alert-close-button").DispatchEventAsync("click");
        await Expect(ErrorMessage).ToHaveCountAsync(0);
    }

    public Task UploadAsync(string path) => UploadInput.SetInputFilesAsync(path);

    /// <summary>Writes a screenshot and the page's HTML under TestResults/e2e (for a failing test).</summary>
    public async Task SaveEvidenceAsync(string name)
    {
        try
        {
            var dir = ArtifactsDir;
            await Page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = true, Timeout = 10_000 });
            await File.WriteAllTextAsync(Path.Combine(dir, name + ".html"), await Page.ContentAsync());
        }
        catch (PlaywrightException) { }
    }

    public static string ArtifactsDir
    {
        get
        {
            var dir = Path.Combine(AppServer.RepoRoot, "TestResults", "e2e");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ownsContext) await Page.Context.CloseAsync();
            else await Page.CloseAsync();
        }
        catch (PlaywrightException) { }
    }
}
