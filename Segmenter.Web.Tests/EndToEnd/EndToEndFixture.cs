using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>
/// Shared by every browser test: one headless Chromium (Debian's /usr/bin/chromium, driven by Playwright's bundled
/// node driver; `playwright install` is never run) and one app server with MaxConcurrentJobs=1. Tests that need
/// other settings start their own <see cref="AppServer"/>. Without Chromium the tests are skipped, except under
/// CI=true where that is a failure.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{

    private static readonly string[] ChromiumArgs = Segmenter.Bench.Chromium.Flags;

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private AppServer? _server;

    /// <summary>Why the tests are skipped (no browser here), or null.</summary>
    public string? SkipReason { get; private set; }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(SkipReason ?? "The browser was not started.");
    public AppServer Server => _server ?? throw new InvalidOperationException(SkipReason ?? "The server was not started.");

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        var chromium = Segmenter.Bench.Chromium.Find();
        if (chromium is null)
        {
            SkipReason = Segmenter.Bench.Chromium.NotFound();
            return;
        }
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
        _server = await AppServer.StartAsync(["--Segmenter:MaxConcurrentJobs=1", "--Segmenter:MaxQueueLength=8"]);
    }

    /// <summary>Skips the calling test when there is no browser; under CI=true a missing browser fails it instead.</summary>
    public void RequireBrowser()
    {
        if (SkipReason is null) return;
        if (IsCi) throw new InvalidOperationException($"CI=true and the end-to-end tests cannot run. {SkipReason}");
        Skip.If(true, SkipReason);
    }

    /// <summary>A fresh browser context (own cookies, own circuit) on 1400×1000, downloads allowed.</summary>
    public Task<IBrowserContext> NewContextAsync(AppServer? server = null)
        => Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (server ?? Server).BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            AcceptDownloads = true,
        });

    /// <summary>Opens the page in a new context and waits for the circuit (the astronaut sample is loaded on arrival).</summary>
    public async Task<SegmenterPage> OpenAsync(AppServer? server = null, string path = "/")
    {
        var context = await NewContextAsync(server);
        var page = await context.NewPageAsync();
        return await SegmenterPage.OpenAsync(page, ownsContext: true, path);
    }

    /// <summary>
    /// Runs a test body on a fresh page; on failure saves a screenshot and
    /// the HTML and writes the browser's console errors and the server log's tail to the test output.
    /// </summary>
    public async Task WithPageAsync(ITestOutputHelper output, string name, Func<SegmenterPage, Task> body, AppServer? server = null)
    {
        RequireBrowser();
        await using var page = await OpenAsync(server);
        try
        {
            await body(page);
        }
        catch
        {
            await page.SaveEvidenceAsync("failed-" + name);
            output.WriteLine("Browser console errors:\n" + string.Join('\n', page.ConsoleErrors));
            output.WriteLine("Server log (tail):\n" + string.Join('\n', (server ?? Server).Log.Split('\n').TakeLast(60)));
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "EndToEnd";
}
