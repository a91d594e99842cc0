using System.Diagnostics;
using Segmenter.Web.Tests.EndToEnd;

namespace Segmenter.Web.Tests.Docs;

/// <summary>
/// The repository's files and the external tools the documentation tests run: Redocly's linter (npm, installed into
/// .tools by .ci/run) and Kiota (a dotnet local tool, restored by <c>dotnet tool restore</c>). A missing tool skips its
/// test with the command that installs it; under CI=true it fails instead.
/// </summary>
internal static class DocTools
{
    public const string RedoclyVersion = "2.77.0";
    public static readonly string InstallRedocly = $"npm install --prefix .tools --no-audit --no-fund @redocly/cli@{RedoclyVersion}";
    public const string RestoreKiota = "dotnet tool restore";

    public static string Root => AppServer.RepoRoot;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Redocly => PathOf(".tools", "node_modules", ".bin", "redocly");

    /// <summary>Skips (locally) or fails (CI=true) when <paramref name="available"/> is false.</summary>
    public static void Require(bool available, string what, string install)
    {
        if (available) return;
        var hint = $"{what} is not installed; from the repository root run: {install}";
        if (EndToEndFixture.IsCi) throw new InvalidOperationException($"CI=true and {hint} (.ci/run installs it).");
        Skip.If(true, hint);
    }

    public static bool KiotaAvailable() => Run("dotnet", ["tool", "run", "kiota", "--version"], Root, TimeSpan.FromMinutes(2)).ExitCode == 0;

    /// <summary>Runs a tool to its end (its own time bound is only a hang guard) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string workingDirectory, TimeSpan hangGuard,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(hangGuard))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within {hangGuard}.");
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
