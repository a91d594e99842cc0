using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>A process killed (SIGKILL) in the middle of saving a run leaves a store that lists only whole runs.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly TemporaryDataFolder _folder = new("segmenter-crash-");

    [Fact]
    public async Task A_writer_killed_mid_save_leaves_only_whole_runs_listed()
    {
        // Each run: 16-megapixel labels and a 4 MB original, so a save writes many pages and can be interrupted.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Segmenter.Bench.dll"), "store-writer", "--data", _folder.Path, "--runs", "50", "--megapixels", "16" })
            start.ArgumentList.Add(a);
        using var writer = Process.Start(start)!;
        var saved = new List<(int Index, string Id)>();
        int killedDuring = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline && await writer.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "saved") saved.Add((int.Parse(parts[1]), parts[2]));
            if (parts[0] == "writing" && int.Parse(parts[1]) == 3)
            {
                // Killed once the third save's transaction writes to the write-ahead log (nothing else writes to it
                // between saves): inside the save on any machine, however fast it writes.
                var wal = Path.Combine(_folder.Path, RunStoreSetup.SqliteFileName + "-wal");
                var before = File.GetLastWriteTimeUtc(wal);
                while (File.GetLastWriteTimeUtc(wal) == before && !writer.HasExited) await Task.Delay(1);
                writer.Kill(); // SIGKILL on Linux: no finally blocks, no flush
                killedDuring = 3;
                break;
            }
        }
        await writer.WaitForExitAsync();
        Assert.True(killedDuring == 3, $"the writer never reached its third save: {await writer.StandardError.ReadToEndAsync()}");
        Assert.Equal([1, 2], saved.Where(s => s.Index <= 2).Select(s => s.Index));

        await using var reader = await StoreHost.StartAsync(_folder.Settings);
        var listed = await reader.Store.ListAsync("store-writer");
        // The two saved runs, and the third only if its save ended before the kill; every one listed whole.
        Assert.Subset(listed.Select(r => r.Id).ToHashSet(), saved.Select(s => s.Id).ToHashSet());
        Assert.InRange(listed.Count, 2, 3);
        foreach (var run in listed)
        {
            // Whole: every payload reads back and the labels are the ones the writer generated for that seed.
            int seed = run.Details.Parameters.Seed;
            Assert.Equal(Segmenter.Bench.SyntheticRuns.Labels(seed, run.Width * run.Height, run.Details.Parameters.Clusters), await reader.Store.GetLabelsAsync(run.Id));
            Assert.NotNull(await reader.Store.GetFileAsync(run.Id, RunFile.Original));
            Assert.NotNull(await reader.Store.GetFileAsync(run.Id, RunFile.Segmented));
        }
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder.Path, RunStoreSetup.SqliteFileName)}");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
    }

    public void Dispose() => _folder.Dispose();
}
