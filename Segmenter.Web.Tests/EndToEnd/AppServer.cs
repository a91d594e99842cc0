using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Segmenter.Web.Tests.EndToEnd;

/// <summary>What /healthz says.</summary>
public sealed record Health(string Status, int Running, int Queued);

/// <summary>
/// The real app as a child process on 127.0.0.1 and a free port. It is started as
/// <c>dotnet Segmenter.Web.dll</c> from this test project's output folder (the ProjectReference copies it there) with
/// the Development environment and <c>--contentRoot</c> pointing at the Segmenter.Web source folder: static web assets
/// (blazor.web.js, MudBlazor's and Plotly.Blazor's files under <c>_content/</c>) are only mapped from the build's
/// <c>*.staticwebassets.runtime.json</c> manifest in Development; in Production they would need a `dotnet publish`.
/// Settings travel as command-line arguments (<c>--Segmenter:MaxConcurrentJobs=1</c>).
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly TemporaryDataFolder _dataFolder;

    private AppServer(Process process, int port, TemporaryDataFolder dataFolder)
    {
        _process = process;
        _dataFolder = dataFolder;
        BaseUrl = $"http://127.0.0.1:{port}/";
    }

    public string BaseUrl { get; }

    /// <summary>The server's own run store folder (a fresh temp folder unless the settings name one), removed on dispose.</summary>
    public string DataFolder => _dataFolder.Path;
    public bool HasExited => _process.HasExited;
    public string Log => string.Join('\n', _log);

    public static async Task<AppServer> StartAsync(IEnumerable<string> settings, TimeSpan? timeout = null)
    {
        int port = Segmenter.Bench.AppProcess.FreePort();
        var dataFolder = new TemporaryDataFolder("segmenter-e2e-");
        var psi = Segmenter.Bench.AppProcess.StartInfo(port, dataFolder.Path, settings);

        var server = new AppServer(new Process { StartInfo = psi, EnableRaisingEvents = true }, port, dataFolder);
        var process = Segmenter.Bench.AppProcess.Launch(server._process, server._log);

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before /healthz answered:\n{server.Log}");
            if (await server.TryHealthAsync() is { Status: "healthy" }) return server;
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The app did not answer /healthz within {timeout ?? TimeSpan.FromSeconds(60)}:\n{server.Log}");
    }

    public async Task<Health?> TryHealthAsync()
    {
        try
        {
            var json = await Http.GetStringAsync(BaseUrl + "healthz");
            return JsonSerializer.Deserialize<Health>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException) { return null; }
    }

    public async Task<Health> HealthAsync()
        => await TryHealthAsync() ?? throw new InvalidOperationException($"/healthz did not answer (exited: {HasExited}):\n{Log}");

    /// <summary>Polls /healthz until <paramref name="ok"/> holds; returns the last answer either way.</summary>
    public async Task<Health?> WaitForHealthAsync(Func<Health, bool> ok, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Health? last = null;
        do
        {
            last = await TryHealthAsync();
            if (last is not null && ok(last)) return last;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        await Segmenter.Bench.AppProcess.StopAsync(_process);
        _dataFolder.Dispose();
    }

    /// <summary>The folder holding Segmenter.sln.</summary>
    public static string RepoRoot => Segmenter.Engine.Tests.Support.TestPaths.RepoRoot;
}
