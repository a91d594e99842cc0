using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    public int ProcessId => _process.Id;

    /// <summary>SIGKILL, as a crash or an out-of-memory kill would end it: no shutdown, no finally blocks.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }
    public string Log => string.Join('\n', _log);

    public static async Task<AppServer> StartAsync(IEnumerable<string> settings, TimeSpan? timeout = null)
    {
        int port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Segmenter.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Segmenter.Web.dll is not in the test output folder", dll);
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", Path.Combine(RepoRoot, "Segmenter.Web") })
            psi.ArgumentList.Add(a);
        var dataFolder = new TemporaryDataFolder("segmenter-e2e-");
        psi.ArgumentList.Add($"--Segmenter:DataFolder={dataFolder.Path}"); // a later setting of the same key wins
        foreach (var s in settings) psi.ArgumentList.Add(s);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        // Plain log lines, one per event, so a failing test can show what the server said.
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new AppServer(process, port, dataFolder);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue("ERR " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

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
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();
        _dataFolder.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>The dotnet host running these tests (so the app gets the same runtime), else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }

    /// <summary>The folder holding Segmenter.sln.</summary>
    public static string RepoRoot => Segmenter.Engine.Tests.Support.TestPaths.RepoRoot;
}
