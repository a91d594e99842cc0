using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Segmenter.Bench;

/// <summary>
/// The built Segmenter.Web as a separate process on 127.0.0.1 and a free port, so a browser measures the app as a
/// visitor meets it and the bench's own work does not share its process. It runs <c>dotnet Segmenter.Web.dll</c> from
/// this program's folder (the ProjectReference copies it here) in the Development environment with
/// <c>--contentRoot</c> at the Segmenter.Web source folder: static web assets (blazor.web.js, the packages' files
/// under <c>_content/</c>) are mapped from the build's manifest only in Development. A fresh store folder is removed
/// on dispose.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _dataFolder;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private AppProcess(Process process, int port, string dataFolder)
    {
        _process = process;
        _dataFolder = dataFolder;
        BaseUrl = $"http://127.0.0.1:{port}/";
    }

    public string BaseUrl { get; }
    public int Id => _process.Id;
    public string Log => string.Join('\n', _log);

    /// <summary>Starts the app with <paramref name="settings"/> (<c>--Segmenter:Name=value</c>) and waits for /healthz.</summary>
    public static async Task<AppProcess> StartAsync(IEnumerable<string> settings, TimeSpan timeout)
    {
        int port = FreePort();
        var data = Directory.CreateTempSubdirectory("segmenter-bench-app-").FullName;
        var psi = StartInfo(port, data, settings);
        var app = new AppProcess(new Process { StartInfo = psi }, port, data);
        var process = Launch(app._process, app._log);

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before /healthz answered:\n{app.Log}");
            try
            {
                if ((await Http.GetAsync(app.BaseUrl + "healthz")).IsSuccessStatusCode) return app;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"The app did not answer /healthz within {timeout}:\n{app.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        try { Directory.Delete(_dataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// How to start the app beside this program on <paramref name="port"/> with its store in <paramref name="dataFolder"/>;
    /// a later setting of the same key in <paramref name="settings"/> wins. Its log lines are plain, one per event.
    /// </summary>
    public static ProcessStartInfo StartInfo(int port, string dataFolder, IEnumerable<string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Segmenter.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Segmenter.Web.dll is not beside this program; build the project that references Segmenter.Web", dll);
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", Path.Combine(RepoPaths.RequireRoot(), "Segmenter.Web"), $"--Segmenter:DataFolder={dataFolder}" })
            psi.ArgumentList.Add(a);
        foreach (var s in settings) psi.ArgumentList.Add(s);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        return psi;
    }

    /// <summary>Starts <paramref name="process"/>, its output and error lines (the latter marked ERR) collected in <paramref name="log"/>.</summary>
    public static Process Launch(Process process, ConcurrentQueue<string> log)
    {
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue("ERR " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Ends the app with its child processes, waiting up to 10 s, and disposes the handle.</summary>
    public static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException) { }
        process.Dispose();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>The dotnet host running this program when it is one, else DOTNET_ROOT's, else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}
