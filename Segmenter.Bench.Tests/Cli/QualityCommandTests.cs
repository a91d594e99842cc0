using System.Globalization;
using System.Text.Json.Nodes;
using Segmenter.Bench.Quality;
using Segmenter.Bench.Scenes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>`quality` run as the real executable on one small generated scene and one small annotated photo.</summary>
public sealed class QualityCommandTests() : TemporaryFolderTest("segmenter-quality-")
{
    [Fact]
    public void Scores_every_method_and_prints_exactly_what_it_writes_to_json()
    {
        // One generated scene, on disk in the fixtures' layout.
        var scene = SceneGenerator.Generate("noisy_regions");
        string scenes = SceneFolder.Save([scene], Path.Combine(Dir, "scenes"));

        // A "photo" with two annotators: one draws the three blocks, the other merges two of them.
        string photos = Directory.CreateDirectory(Path.Combine(Dir, "photos", "images")).FullName;
        var (photo, photoTruth) = SampleImages.Blocks(40, 30, seed: 3);
        Save(photo, Path.Combine(photos, "p1.png"));
        SaveLabels(photoTruth, 40, 30, Path.Combine(photos, "p1.gt.0.png"));
        SaveLabels(photoTruth.Select(t => Math.Min(t, 1)).ToArray(), 40, 30, Path.Combine(photos, "p1.gt.1.png"));

        string outDir = Path.Combine(Dir, "out");
        var run = BenchCli.Run("quality", "--scenes", scenes, "--photos", Path.Combine(Dir, "photos"),
            "--methods", "default,pixel,rgb-kmeans,blurred-lab-kmeans,original-python",
            "--peers", Path.Combine(Dir, "no-peers"), "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains($"note: {Path.Combine(Dir, "no-peers", "original_pipeline.py")} not found", run.Stdout);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, QualityCommand.ResultsFile)))!;
        var sceneRows = json["scenes"]!["rows"]!.AsArray();
        Assert.Equal(["default", "pixel", "rgb-kmeans", "blurred-lab-kmeans"], sceneRows.Select(r => r!["method"]!.GetValue<string>()));
        // The pixel row reuses the default's runs exactly when their parameters are equal.
        bool pixelIsDefault = QualityMethods.DefaultParameters(scene.K, 42) == QualityMethods.DefaultParameters(scene.K, 42) with { Window = 1 };
        Assert.Equal(pixelIsDefault ? "default" : null, sceneRows[1]!["sameAs"]?.GetValue<string>());

        foreach (var row in sceneRows)
        {
            double ari = row!["perInput"]![scene.Name]!["ari"]!.GetValue<double>();
            Assert.Equal(ari, row["meanAri"]!.GetValue<double>(), 12); // one scene: the mean is that scene
            AssertPrinted(run.Stdout, row["label"]!.GetValue<string>(),
                [F(ari), F(ari), F(row["meanSeconds"]!.GetValue<double>(), "0.00")]);
        }
        // Measured with this command (scene seed 1, method seed 42): RGB k-means 0.947, blurred Lab 0.989.
        // Under σ 20 noise the 9×9 average must help the colour clustering.
        Assert.True(Ari(sceneRows, "blurred-lab-kmeans") > 0.95, $"blurred Lab ARI {Ari(sceneRows, "blurred-lab-kmeans")}");
        Assert.True(Ari(sceneRows, "blurred-lab-kmeans") > Ari(sceneRows, "rgb-kmeans"));

        var photoTable = json["photos"]!;
        Assert.Equal(3, photoTable["inputs"]![0]!["clusters"]!.GetValue<int>()); // annotators' counts 3 and 2 → median 2.5 → 3
        foreach (var row in photoTable["rows"]!.AsArray())
        {
            var cell = row!["perInput"]!["p1"]!;
            Assert.InRange(cell["pri"]!.GetValue<double>(), 0, 1);
            AssertPrinted(run.Stdout, row["label"]!.GetValue<string>(),
                [F(row["meanAri"]!.GetValue<double>()), F(row["meanPri"]!.GetValue<double>()), F(row["meanSeconds"]!.GetValue<double>(), "0.00")]);
        }
    }

    [Fact]
    public void Unknown_method_is_refused_with_the_list_of_methods()
    {
        var run = BenchCli.Run("quality", "--scenes", "none", "--methods", "default,magic", "--out", Dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown method 'magic' in --methods. Methods: default, pixel,", run.Stderr);
    }

    private static double Ari(JsonArray rows, string method) =>
        rows.Single(r => r!["method"]!.GetValue<string>() == method)!["meanAri"]!.GetValue<double>();

    /// <summary>The Markdown row starting with the label (or the label plus "(= …)") holds exactly these cells after it.</summary>
    private static void AssertPrinted(string stdout, string label, string[] cells)
    {
        var lines = stdout.Split('\n').Where(l => l.StartsWith("| " + label, StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Split('|', StringSplitOptions.TrimEntries)[2..^1].SequenceEqual(cells));
    }

    private static string F(double v, string format = "0.000") => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Save(RgbImage image, string path)
    {
        using var f = File.Create(path);
        ImageLoader.SavePng(image, f);
    }

    private static void SaveLabels(int[] labels, int w, int h, string path)
    {
        using var f = File.Create(path);
        ImageLoader.SaveLabelPng(labels.Select(l => (byte)l).ToArray(), w, h, f);
    }
}
