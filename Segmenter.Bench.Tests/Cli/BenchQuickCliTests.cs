using Segmenter.Engine.Clustering;
using System.Globalization;
using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>
/// `bench --quick` as the real executable: every value it prints in its tables is checked against the report.json of
/// the run it came from, bench-results.json, and (for the ARI) this test's own scoring of the run's label map.
/// </summary>
public sealed class BenchQuickCliTests() : TemporaryFolderTest("segmenter-bench-cli-")
{
    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    [Fact]
    public void Bench_quick_prints_the_values_its_runs_measured()
    {
        string outDir = Path.Combine(Dir, "bench");
        var run = BenchCli.Run(TimeSpan.FromMinutes(15), "bench", "--quick", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);

        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "bench-results.json")))!;
        Assert.Equal("quick", results["mode"]!.GetValue<string>());
        Assert.False(results["pythonPeers"]!.GetValue<bool>());

        // --quick: the astronaut with the fast preset and with its pixel model (window 1), and the first synthetic fixture
        // the repository carries, each run once.
        var (fixture, fixtureK) = SyntheticFixtures.All[0];
        var expectedRows = new[] { ("astronaut", "fast", 4), ("astronaut", "fast --window 1", 4), (fixture, "fast", fixtureK) };
        var printed = TableRows(run.Stdout, "| image | preset |");
        var rows = results["rows"]!.AsArray();
        Assert.Equal(expectedRows.Length, printed.Count);
        Assert.Equal(expectedRows.Length, rows.Count);

        for (int i = 0; i < expectedRows.Length; i++)
        {
            var (label, setup, k) = expectedRows[i];
            var cells = printed[i];
            var row = rows[i]!;
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(RunDir(outDir, label, setup), "report.json")))!;
            double T(string key) => report["timings"]![key]!.GetValue<double>();
            double N(string key) => report[key]!.GetValue<double>();

            Assert.Equal([label, setup, k.ToString(CultureInfo.InvariantCulture)], cells[..3]);
            Assert.Equal(label, row["image"]!.GetValue<string>());
            Assert.Equal(setup, row["setup"]!.GetValue<string>());
            Assert.Equal(setup == "fast" ? 3 : 1, report["parameters"]!["window"]!.GetValue<int>()); // the extra options reached the run
            Assert.Null(row["error"]);
            Assert.Equal(k, report["parameters"]!["clusters"]!.GetValue<int>());
            string[] timingKeys = ["decodeSeconds", "trainSeconds", "encodeSeconds", "clusterSeconds", "renderSeconds", "totalSeconds", "firstEpochSeconds"];
            Assert.Equal(timingKeys.Select(key => F(T(key), "0.00")), cells[3..10]);
            Assert.All(timingKeys, key => Assert.Equal(T(key), row[key]!.GetValue<double>()));
            Assert.Equal(F(N("peakWorkingSetMb"), "0"), cells[10]);
            Assert.Equal(F(N("finalLoss"), "0.000000"), cells[11]);
            Assert.Equal(F(N("inertia"), "0.###"), cells[12]);
            Assert.Equal(N("finalLoss"), row["finalLoss"]!.GetValue<double>());
            Assert.Equal(N("inertia"), row["inertia"]!.GetValue<double>());
            Assert.Equal(["–", "–", "–", "–"], cells[14..18]); // no Python peer in --quick

            if (label == fixture)
            {
                var labels = ImageLoader.Load(Path.Combine(RunDir(outDir, label, setup), "labels.png"));
                var predicted = Enumerable.Range(0, (int)labels.PixelCount).Select(p => (int)labels.Pixels[3 * p]).ToArray();
                double ari = Agreement.AdjustedRandIndex(SyntheticFixtures.Truth(fixture), predicted);
                Assert.Equal(F(ari, "0.000"), cells[13]);
                Assert.Equal(ari, row["ari"]!.GetValue<double>(), 12);
                Assert.Equal(Path.Combine(SyntheticFixtures.Directory, fixture + ".png"), report["image"]!.GetValue<string>());
            }
            else
            {
                Assert.Equal("–", cells[13]);
                Assert.Null(row["ari"]);
            }
        }

        // The targets table: each measured value is the row's, and "met" follows from it.
        var targets = TableRows(run.Stdout, "| target | goal |").ToDictionary(c => c[0]);
        var astronautReport = JsonNode.Parse(File.ReadAllText(Path.Combine(RunDir(outDir, "astronaut", "fast"), "report.json")))!["timings"]!;
        var pixelReport = JsonNode.Parse(File.ReadAllText(Path.Combine(RunDir(outDir, "astronaut", "fast --window 1"), "report.json")))!["timings"]!;
        double total = astronautReport["totalSeconds"]!.GetValue<double>(), firstEpoch = astronautReport["firstEpochSeconds"]!.GetValue<double>();
        double pixelTotal = pixelReport["totalSeconds"]!.GetValue<double>(), ratio = total / pixelTotal;
        Assert.Equal(["Fast astronaut total", "≤ 3 s", F(total, "0.00") + " s", total <= 3 ? "yes" : "**no**"], targets["Fast astronaut total"]);
        Assert.Equal(["Fast astronaut first epoch", "≤ 1 s", F(firstEpoch, "0.00") + " s", firstEpoch <= 1 ? "yes" : "**no**"], targets["Fast astronaut first epoch"]);
        Assert.Equal(["Fast astronaut vs its pixel model (window 1)", "≤ 2× its time", F(ratio, "0.00") + "×", ratio <= 2 ? "yes" : "**no**"],
            targets["Fast astronaut vs its pixel model (window 1)"]);
        Assert.Equal([F(pixelTotal, "0.00") + " s", pixelTotal <= 2.6 ? "yes" : "**no**"], targets["Pixel model astronaut total"][2..]);
        Assert.False(targets.ContainsKey("Fast astronaut final loss vs Python")); // not comparable since Fast reconstructs windows
        Assert.Equal(F(rows[2]!["ari"]!.GetValue<double>(), "0.000") + " vs skipped (--quick)", targets[$"Fast ARI, {fixture}"][2]);
        Assert.Equal(targets.Count, results["targets"]!.AsArray().Count);
    }

    /// <summary>Where the bench keeps a row's (first) run, by its own naming rule.</summary>
    private static string RunDir(string outDir, string label, string setup) =>
        Path.Combine(outDir, "bench-out", Segmenter.Bench.BenchCommand.RunDirName(label, setup, round: 0));

    /// <summary>The cells of the Markdown table whose header starts with <paramref name="header"/> (header and rule skipped).</summary>
    private static List<string[]> TableRows(string stdout, string header)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.FindIndex(l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(start >= 0, $"no table '{header}' in:\n{stdout}");
        return lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToList();
    }
}
