namespace Segmenter.Bench.Tests.Support;

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
        // The bench's own child-process runner: one way to run a program and collect its output.
        var run = Segmenter.Bench.ChildProcess.Run(Host, [Dll, .. args], timeout, AppContext.BaseDirectory);
        if (run.TimedOut)
            throw new TimeoutException($"Segmenter.Bench {string.Join(' ', args)} did not finish within {timeout}.\n{run.Stdout}\n{run.Stderr}");
        return new CliRun(run.ExitCode, run.Stdout, run.Stderr, run.Seconds);
    }

    public static CliRun Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);
}
