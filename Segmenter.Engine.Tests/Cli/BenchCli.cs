using System.Diagnostics;
using System.Text;

namespace Segmenter.Engine.Tests.Cli;

public sealed record CliRun(int ExitCode, string Stdout, string Stderr, double Seconds);

/// <summary>Runs the Segmenter.Bench executable (copied into the test output by the project reference) as a real child process.</summary>
public static class BenchCli
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "Segmenter.Bench.dll");

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string Host { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";

    public static CliRun Run(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(Host)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"Segmenter.Bench {string.Join(' ', args)} did not finish within {timeout}.\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        return new CliRun(p.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed.TotalSeconds);
    }

    public static CliRun Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);
}
