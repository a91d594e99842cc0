using Segmenter.Engine.Imaging;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>`segment` over a folder and with saved models, run as the real executable.</summary>
public sealed class BatchCliTests() : TemporaryFolderTest("segmenter-batch-")
{
    private string Png(string folder, string name, int seed, int w = 48, int h = 32)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        var (image, _) = SampleImages.Blocks(w, h, seed);
        using var f = File.Create(path);
        ImageLoader.SavePng(image, f);
        return path;
    }

    [Fact]
    public void A_folder_of_three_images_gives_three_outputs_a_progress_line_each_and_a_summary_csv()
    {
        string input = Path.Combine(Dir, "frames");
        Png(input, "a.png", 1);
        Png(input, "b.png", 2);
        Png(input, "=c.png", 3); // a name a spreadsheet would run as a formula
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not an image: skipped");
        string output = Path.Combine(Dir, "out");

        var run = BenchCli.Run("segment", input, "--clusters", "3", "--epochs", "2", "--out", output);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        foreach (var (n, name) in new[] { (1, "=c.png"), (2, "a.png"), (3, "b.png") })
            Assert.Contains($"[{n}/3] {name}: 48×32, k=3", run.Stdout);
        foreach (var stem in new[] { "a", "b", "=c" })
        foreach (var file in new[] { "labels.png", "segmented.png", "report.json" })
            Assert.True(File.Exists(Path.Combine(output, stem, file)), $"{stem}/{file}");
        var lines = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.Equal("image,status,output,width,height,clusters,final_loss,inertia,total_seconds,message", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.All(lines[1..], l => Assert.Contains(",ok,", l));
        Assert.Contains(lines, l => l.Contains(",ok,'=c,48,32,3,", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_image_in_a_batch_is_reported_and_the_others_still_segment()
    {
        string good = Png(Path.Combine(Dir, "in"), "good.png", 1);
        string bad = Path.Combine(Dir, "in", "bad.png");
        File.WriteAllBytes(bad, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        string output = Path.Combine(Dir, "out");

        var run = BenchCli.Run("segment", bad, good, "--clusters", "2", "--epochs", "1", "--out", output);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("[1/2] bad.png: failed: ", run.Stdout);
        Assert.Contains("[2/2] good.png: 48×32", run.Stdout);
        Assert.True(File.Exists(Path.Combine(output, "good", "labels.png")));
        var lines = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.Contains(",failed,", lines[1]);
        Assert.Contains(",ok,good,", lines[2]);
    }

    [Fact]
    public void A_saved_model_applied_to_a_second_image_and_back_to_the_first_reproduces_the_first_runs_labels()
    {
        string first = Png(Dir, "first.png", 1), second = Png(Dir, "second.png", 2, 40, 24);
        string model = Path.Combine(Dir, "model.segmenter");

        var train = BenchCli.Run("segment", first, "--clusters", "3", "--epochs", "3", "--save-model", model, "--out", Path.Combine(Dir, "trained"));
        Assert.True(train.ExitCode == 0, train.Stdout + train.Stderr);
        Assert.Contains($"saved the model to {model}", train.Stdout);

        var other = BenchCli.Run("segment", second, "--model", model, "--out", Path.Combine(Dir, "second-out"));
        Assert.True(other.ExitCode == 0, other.Stdout + other.Stderr);
        Assert.Contains("no training", other.Stdout);
        Assert.DoesNotContain("  epoch ", other.Stdout); // no training progress lines
        Assert.Equal((40, 24), Size(Path.Combine(Dir, "second-out", "labels.png")));

        var again = BenchCli.Run("segment", first, "--model", model, "--out", Path.Combine(Dir, "first-again"));
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, "trained", "labels.png")), File.ReadAllBytes(Path.Combine(Dir, "first-again", "labels.png")));
    }

    [Theory]
    [InlineData("--epochs", "--model applies the saved model with its own settings; --epochs cannot change them.")]
    [InlineData("--save-model", "nothing new for --save-model to save")]
    public void Model_options_that_contradict_each_other_exit_2(string option, string expected)
    {
        string image = Png(Dir, "x.png", 1);
        var run = BenchCli.Run("segment", image, "--model", Path.Combine(Dir, "m"), option, "5", "--out", Path.Combine(Dir, "o"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
    }

    [Fact]
    public void A_file_that_is_not_a_model_exits_2_with_a_message()
    {
        string image = Png(Dir, "x.png", 1), model = Path.Combine(Dir, "model.segmenter");
        File.WriteAllText(model, "{}");
        var run = BenchCli.Run("segment", image, "--model", model, "--out", Path.Combine(Dir, "o"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("This is not a usable saved model", run.Stderr);
    }

    private static (int, int) Size(string png)
    {
        var image = ImageLoader.Load(png);
        return (image.Width, image.Height);
    }
}
