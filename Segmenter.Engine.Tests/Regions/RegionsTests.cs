using System.IO.Compression;
using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Regions;

namespace Segmenter.Engine.Tests.Regions;

/// <summary>segments = regions: k connected regions cut from a merge tree built once per trained model.</summary>
public sealed class RegionsTests
{
    /// <summary>
    /// A 3 × 2 grid of noisy blocks in three colours, each colour in two blocks that do not touch (A B C / C A B): six
    /// connected regions, three colour classes.
    /// </summary>
    private static (RgbImage Image, int[] Blocks) Checkerboard(int w = 60, int h = 40, int seed = 5)
    {
        (byte, byte, byte)[] colours = [(220, 40, 40), (40, 200, 60), (30, 60, 220)];
        int[] colourOfBlock = [0, 1, 2, 2, 0, 1];
        var rng = new Random(seed);
        var px = new byte[w * h * 3];
        var blocks = new int[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, block = (y < h / 2 ? 0 : 3) + Math.Min(2, x * 3 / w);
                blocks[i] = block;
                var (r, g, b) = colours[colourOfBlock[block]];
                px[3 * i] = Jitter(r); px[3 * i + 1] = Jitter(g); px[3 * i + 2] = Jitter(b);
            }
        return (new RgbImage(w, h, px), blocks);

        byte Jitter(byte v) => (byte)Math.Clamp(v + rng.Next(-15, 16), 0, 255);
    }

    private static SegmentationParameters Regions(int k) =>
        SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k, Epochs = 2, Seed = 3, Segments = Segments.Regions };

    /// <summary>How many 4-connected pieces each label has (flood fill).</summary>
    private static Dictionary<int, int> PiecesPerLabel(byte[] labels, int w, int h)
    {
        var seen = new bool[labels.Length];
        var pieces = new Dictionary<int, int>();
        var stack = new Stack<int>();
        for (int start = 0; start < labels.Length; start++)
        {
            if (seen[start]) continue;
            int label = labels[start];
            pieces[label] = pieces.GetValueOrDefault(label) + 1;
            seen[start] = true;
            stack.Push(start);
            while (stack.TryPop(out int i))
            {
                int x = i % w, y = i / w;
                foreach (int j in (ReadOnlySpan<int>)[x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1, y + 1 < h ? i + w : -1])
                    if (j >= 0 && !seen[j] && labels[j] == label) { seen[j] = true; stack.Push(j); }
            }
        }
        return pieces;
    }

    [Fact]
    public void Every_cut_of_a_region_tree_gives_exactly_that_many_connected_regions()
    {
        var (image, _) = Checkerboard();
        // Lab colours as the features: the tree needs no trained model.
        int n = (int)image.PixelCount;
        var features = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            var (l, a, b) = CieLabConversion.FromRgb(image.Pixels[3 * i], image.Pixels[3 * i + 1], image.Pixels[3 * i + 2]);
            features[3 * i] = (float)l; features[3 * i + 1] = (float)a; features[3 * i + 2] = (float)b;
        }
        var tree = RegionTree.Build(image, features, dims: 3, codeDims: 3, atLeast: 12);
        Assert.InRange(tree.MaxCount, 12, SegmentationParameters.MaxClusters);
        for (int count = SegmentationParameters.MinClusters; count <= tree.MaxCount; count++)
        {
            var labels = tree.Cut(count);
            var pieces = PiecesPerLabel(labels, image.Width, image.Height);
            Assert.Equal(Enumerable.Range(0, count), pieces.Keys.Order());
            Assert.All(pieces, p => Assert.Equal(1, p.Value));
        }
        Assert.Throws<ArgumentException>(() => tree.Cut(1));
        Assert.Throws<ArgumentException>(() => tree.Cut(tree.MaxCount + 1));
    }

    [Fact]
    public void A_run_with_regions_finds_the_six_blocks_that_three_clusters_cannot_tell_apart()
    {
        var (image, blocks) = Checkerboard();
        var result = SegmentationPipeline.Run(image, Regions(6));
        using var model = result.Model;

        var pieces = PiecesPerLabel(result.Labels, image.Width, image.Height);
        Assert.Equal(6, pieces.Count);
        Assert.All(pieces, p => Assert.Equal(1, p.Value));
        Assert.Equal(1.0, Segmenter.Engine.Clustering.Agreement.AdjustedRandIndex(blocks, Array.ConvertAll(result.Labels, l => (int)l)), 2);
        Assert.Equal(0, result.KMeansIterations);
        Assert.Equal(6, result.Clusters.Count);
        Assert.NotNull(result.RegionsAvailable);
    }

    [Fact]
    public void A_recut_at_the_runs_own_count_reproduces_its_labels_byte_for_byte_and_other_counts_stay_connected()
    {
        var (image, _) = Checkerboard();
        var run = SegmentationPipeline.Run(image, Regions(4));
        using var model = run.Model!;

        var again = model.Cluster(run.Parameters);
        Assert.Equal(run.Labels, again.Labels);
        Assert.Equal(run.Centres, again.Centres);
        Assert.True(again.Reclustered);

        foreach (int count in new[] { 2, 6, run.RegionsAvailable!.Value })
        {
            var cut = model.Cluster(run.Parameters with { Clusters = count });
            var pieces = PiecesPerLabel(cut.Labels, image.Width, image.Height);
            Assert.Equal(count, pieces.Count);
            Assert.All(pieces, p => Assert.Equal(1, p.Value));
            Assert.Equal(count, cut.Parameters.Clusters);
        }
    }

    [Fact]
    public void The_report_says_which_count_was_cut_and_how_far_the_tree_goes()
    {
        var (image, _) = Checkerboard();
        var run = SegmentationPipeline.Run(image, Regions(5));
        using var model = run.Model;

        var report = RunReport.Create(run);
        Assert.Equal("regions", (string?)report["parameters"]!["segments"]);
        Assert.Equal(5, (int)report["regions"]!["cut"]!);
        Assert.Equal(run.RegionsAvailable, (int)report["regions"]!["available"]![1]!);

        var clusters = model!.Cluster(run.Parameters with { Segments = Segments.Clusters });
        Assert.Null(RunReport.Create(clusters)["regions"]);
    }

    [Theory]
    [InlineData("blobs")]
    [InlineData("3")]
    public void A_bad_segments_value_gets_the_settings_message(string value)
    {
        var field = SettingFields.Find("segments")!;
        var text = Assert.Throws<ArgumentException>(() => field.ReadText(value));
        Assert.Equal($"The setting \"segments\" must be one of \"clusters\", \"regions\"; got \"{value}\".", text.Message);
        var json = Assert.Throws<ArgumentException>(() => ReportParameters.Read(new JsonObject { ["segments"] = value }));
        Assert.Equal(text.Message, json.Message);
        var number = Assert.Throws<ArgumentException>(() => ReportParameters.Read(new JsonObject { ["segments"] = 1 }));
        Assert.Equal("The setting \"segments\" must be one of \"clusters\", \"regions\"; got 1.", number.Message);
    }

    [Fact]
    public void An_undefined_segments_value_is_refused_by_validation()
    {
        var e = Assert.Throws<ArgumentException>(() => (SegmentationParameters.ForPreset(Preset.Fast) with { Segments = (Segments)7 }).Validate(100));
        Assert.Equal("The segments must be one of Clusters, Regions; got 7.", e.Message);
    }

    [Fact]
    public void Segments_travel_in_links_the_cli_and_json_under_one_name()
    {
        var field = SettingFields.Find("segments")!;
        Assert.Equal("--segments", field.Option);
        Assert.Equal("segments", field.LinkKey);
        Assert.Equal(Segments.Regions, field.ReadText("regions"));
        Assert.Equal(Segments.Regions, ReportParameters.Read(new JsonObject { ["segments"] = "regions" }).Segments);
        Assert.Same(field, Assert.Single(SettingFields.All, f => f.Name == "segments"));
    }

    [Fact]
    public void A_saved_regions_model_keeps_its_cut_count_and_reproduces_its_labels()
    {
        var (image, _) = Checkerboard();
        var run = SegmentationPipeline.Run(image, Regions(5));
        using var trained = run.Model;
        using var file = new MemoryStream();
        SavedModel.Save(run, file);

        file.Position = 0;
        using (var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true))
        using (var manifest = zip.GetEntry("model.json")!.Open())
        {
            var parameters = JsonNode.Parse(manifest)!["parameters"]!;
            Assert.Equal("regions", (string?)parameters["segments"]);
            Assert.Equal(5, (int)parameters["clusters"]!);
        }
        file.Position = 0;
        using var saved = SavedModel.Load(file);
        Assert.Equal(run.Parameters, saved.Parameters);
        var applied = saved.Apply(image);
        Assert.Equal(run.Labels, applied.Labels);
        Assert.Equal(5, PiecesPerLabel(applied.Labels, image.Width, image.Height).Count);
    }

    [Fact]
    public void Regions_work_on_a_copy_within_their_pixel_limit()
    {
        var fast = SegmentationParameters.ForPreset(Preset.Fast);
        Assert.Equal(fast.MaxPixels, fast.WorkingPixelLimit);
        Assert.Equal(SegmentationParameters.MaxRegionPixels, (fast with { Segments = Segments.Regions }).WorkingPixelLimit);
        Assert.Equal(SegmentationParameters.MaxRegionPixels, (fast with { Segments = Segments.Regions, MaxPixels = 0 }).WorkingPixelLimit);
        Assert.Equal(5_000, (fast with { Segments = Segments.Regions, MaxPixels = 5_000 }).WorkingPixelLimit);

        var (image, _) = Checkerboard(120, 80);
        var run = SegmentationPipeline.Run(image, Regions(6) with { MaxPixels = 4_800 });
        using var model = run.Model;
        Assert.Equal((120, 80), (run.Width, run.Height));
        Assert.Equal((84, 56), run.WorkingSize);
        Assert.Equal(6, run.Clusters.Count(c => c.PixelCount > 0));
    }
}
