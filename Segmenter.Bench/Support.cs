using System.Diagnostics;
using System.Globalization;
using System.Text;
using Segmenter.Engine.Imaging;

namespace Segmenter.Bench;

/// <summary>
/// The repository (found by walking up to Segmenter.sln), the synthetic fixtures it carries, and the read-only
/// ../shared folder beside it (only the Python peer lives there).
/// </summary>
internal static class RepoPaths
{
    public static string? Root { get; } = Find(AppContext.BaseDirectory) ?? Find(Directory.GetCurrentDirectory());

    public static string RequireRoot() =>
        Root ?? throw new UsageException("Segmenter.sln was not found above the program or the current directory; run the bench from inside the repository.");

    public static string Shared => Path.GetFullPath(Path.Combine(RequireRoot(), "..", "shared"));

    /// <summary>The synthetic fixtures with ground truth (NAME.png, NAME.gt.png, k.txt; see PROVENANCE.md there).</summary>
    public static string SyntheticFixtures => Path.Combine(RequireRoot(), "Segmenter.Engine.Tests", "Fixtures", "synthetic");

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Segmenter.sln"))) return dir.FullName;
        return null;
    }
}

internal static class Memory
{
    private const double MiB = 1024 * 1024;

    /// <summary>
    /// The process's peak resident set in MiB. On Linux .NET reads it from /proc (VmHWM); should that ever read 0,
    /// /proc/self/status is parsed directly.
    /// </summary>
    public static double PeakWorkingSetMb()
    {
        using var self = Process.GetCurrentProcess();
        long peak = self.PeakWorkingSet64;
        if (peak <= 0 && ReadStatusKb("VmHWM:") is { } kb) peak = kb * 1024;
        return peak / MiB;
    }

    /// <summary>Working set after a full collection (what a leak would keep).</summary>
    public static double SettledWorkingSetMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        // Aggressive: compact and give freed segments back to the OS, so the figure is what the process still holds
        // (a leak) rather than heap the GC keeps committed for the next large allocation.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / MiB;
    }

    private static long? ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}

internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr, double Seconds, bool TimedOut);

internal static class ChildProcess
{
    /// <summary>Runs a program to completion (or kills it after <paramref name="timeout"/>), collecting its output.</summary>
    public static ChildResult Run(string fileName, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
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
        bool finished = p.WaitForExit(timeout);
        if (!finished)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
        }
        p.WaitForExit(); // drains the asynchronous readers
        return new ChildResult(finished ? p.ExitCode : -1, stdout.ToString(), stderr.ToString(), clock.Elapsed.TotalSeconds, !finished);
    }

    /// <summary>This program as a child: the apphost directly, or `dotnet Segmenter.Bench.dll` when run through dotnet.</summary>
    public static (string File, string[] Prefix) Self()
    {
        string exe = Environment.ProcessPath ?? "dotnet";
        string dll = typeof(ChildProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? (exe, [dll])
            : (exe, []);
    }
}

/// <summary>Label maps (8-bit grayscale PNG, value = segment) read back through the engine's loader (gray → R = G = B).</summary>
internal static class LabelMaps
{
    public static int[] Read(string path) => ReadSized(path).Labels;

    /// <summary>The label map (8-bit, value = segment) at <paramref name="path"/> with its size.</summary>
    public static (int[] Labels, int Width, int Height) ReadSized(string path)
    {
        var image = ImageLoader.Load(path);
        var labels = new int[image.PixelCount];
        for (long i = 0; i < labels.Length; i++) labels[i] = image.Pixels[3 * i];
        return (labels, image.Width, image.Height);
    }
}
