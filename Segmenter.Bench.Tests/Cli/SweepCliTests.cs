using Segmenter.Engine.Imaging;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary><c>segment IMAGE --sweep …</c>, run as the real executable.</summary>
public sealed class SweepCliTests() : TemporaryFolderTest("segmenter-sweep-")
{
    private string SmallPng()
    {
        string path = Path.Combine(Dir, "small.png");
        var (image, truth) = SampleImages.Blocks(48, 32);
        using (var f = File.Create(path)) ImageLoader.SavePng(image, f);
        File.WriteAllBytes(Path.Combine(Dir, "truth.png"), ImageLoader.EncodeLabelPng(Array.ConvertAll(truth, t => (byte)t), 48, 32));
        return path;
    }

    [Fact]
    public void A_two_by_two_sweep_writes_a_folder_per_run_and_a_csv_with_every_runs_scores()
    {
        string output = Path.Combine(Dir, "out");
        var run = BenchCli.Run("segment", SmallPng(), "--sweep", "window=1,3;seed=1..2:1", "--clusters", "3", "--epochs", "2",
            "--truth", Path.Combine(Dir, "truth.png"), "--out", output);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        string[] folders = ["window-1_seed-1", "window-1_seed-2", "window-3_seed-1", "window-3_seed-2"];
        foreach (var folder in folders)
        foreach (var file in new[] { "labels.png", "segmented.png", "report.json" })
            Assert.True(File.Exists(Path.Combine(output, folder, file)), $"{folder}/{file}");
        var lines = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.StartsWith("window,seed,run_id,state,link,final_loss,silhouette,davies_bouldin,truth_ari,truth_mean_iou,rgb_baseline_ari,lab_baseline_ari,seconds", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("3,2,,finished,window-3_seed-2,", lines[4]);
        // Every run has its loss, silhouette, Davies–Bouldin, ARI and mean IoU against the truth, baseline agreement and seconds.
        Assert.All(lines[1..], l => Assert.Matches(@"^\d,\d,,finished,[^,]+(,[\d.E-]+){8}$", l));
    }

    [Theory]
    [InlineData("window=1,4", "The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 4.")]
    [InlineData("colour=1,2", "Unknown setting \"colour\"; the settings are preset, clusters")]
    [InlineData("heads=", "The sweep's list of \"heads\" values is empty")]
    [InlineData("epochs=0..10:5", "Epochs must be between 1 and")]
    public void Bad_axes_get_the_settings_message_and_exit_code_2_before_anything_runs(string sweep, string message)
    {
        string output = Path.Combine(Dir, "out");
        var run = BenchCli.Run("segment", SmallPng(), "--sweep", sweep, "--clusters", "3", "--out", output);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.False(Directory.Exists(output));
    }
}
