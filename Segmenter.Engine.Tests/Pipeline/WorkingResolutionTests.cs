using Segmenter.Bench;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// A run over more pixels than <see cref="SegmentationParameters.MaxPixels"/> works on an area-averaged copy and
/// hands back full-resolution labels (<see cref="WorkingResolution"/>); the limit is lowered here so small images
/// cross it.
/// </summary>
public class WorkingResolutionTests(ITestOutputHelper output)
{
    // 300×200 = 60,000 pixels over a limit of 15,000: worked on at 150×100.
    private static readonly RgbImage Regions = SyntheticImages.Regions(300, 200, regions: 4, noise: 6, seed: 4);
    private static readonly SegmentationParameters Downscaled = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 2, MaxPixels = 15_000 };

    [Fact]
    public void A_run_above_the_limit_works_on_a_copy_and_returns_full_resolution_labels()
    {
        var result = SegmentationPipeline.Run(Regions, Downscaled);
        using var model = result.Model!;
        Assert.Equal((150, 100), (model.Image.Width, model.Image.Height));
        Assert.Equal((300, 200), (result.Width, result.Height));
        Assert.Equal(Regions.PixelCount, result.Labels.Length);
        Assert.Equal(model.Image.PixelCount, result.CodeLabels.Length);
        Assert.Equal((150, 100), result.WorkingSize); // what the page says, from the result alone (also once stored)
        Assert.Equal(Regions.PixelCount, result.Clusters.Sum(c => c.PixelCount));
        Assert.Equal(4, result.Labels.Distinct().Count());
        Assert.NotNull(model.AttentionAt(299, 199)); // a full-resolution pixel maps into the copy
        Assert.Throws<ArgumentException>(() => model.AttentionAt(300, 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4_095)]
    public void A_limit_below_the_smallest_working_resolution_is_refused_with_a_message(int maxPixels)
    {
        var e = Assert.Throws<ArgumentException>(() => (Downscaled with { MaxPixels = maxPixels }).Validate(Regions.PixelCount));
        Assert.Equal($"The working resolution's pixel limit must be 0 (always the full image) or at least 4096; got {maxPixels}.", e.Message);
        (Downscaled with { MaxPixels = 0 }).Validate(Regions.PixelCount);
        (Downscaled with { MaxPixels = 4_096 }).Validate(Regions.PixelCount);
    }

    [Fact]
    public void Below_the_limit_nothing_changes()
    {
        var image = SyntheticImages.Regions(120, 90, regions: 3, noise: 6, seed: 2);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 3, Epochs = 1 };
        var limited = SegmentationPipeline.Run(image, p with { MaxPixels = (int)image.PixelCount });
        var unlimited = SegmentationPipeline.Run(image, p with { MaxPixels = 0 });
        using var a = limited.Model; using var b = unlimited.Model;
        Assert.Equal(unlimited.Labels, limited.Labels);
        Assert.Same(limited.Labels, limited.CodeLabels);
        Assert.Same(image, limited.Model!.Image);
        Assert.Equal((120, 90), limited.WorkingSize);
    }

    [Fact]
    public void A_click_maps_to_the_cell_its_pixel_centre_is_in_the_cell_the_label_upsampling_starts_from()
    {
        // 96×80 over a 4,096 limit: a 70×58 copy, 1.37 full pixels a cell, so the edge and centre rules differ.
        var resolution = WorkingResolution.For(SyntheticImages.Regions(96, 80, regions: 3, noise: 6, seed: 5), 4_096);
        Assert.Equal((70, 58), (resolution.Working.Width, resolution.Working.Height));
        int[] columns = GuidedLabelUpsampling.NearestCells(96, 70), rows = GuidedLabelUpsampling.NearestCells(80, 58);
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 96; x++)
                Assert.Equal((columns[x], rows[y]), resolution.ToWorking(x, y));
        // Pixel 1's centre, 1.5 full pixels in, is 1.09 cells in: cell 1 (its left edge, 0.73 cells in, is in cell 0).
        Assert.Equal((1, 1), resolution.ToWorking(1, 1));
        Assert.Equal((69, 57), resolution.ToWorking(95, 79));
    }

    [Theory]
    [InlineData(6000, 4000, 6_000_000, 3000, 2000)]
    [InlineData(96, 80, 4_096, 70, 58)]
    [InlineData(7, 3000, 4_096, 3, 1324)]
    [InlineData(1, 10_000, 4_096, 1, 4_096)] // a one-pixel strip keeps its column, and its length what the limit leaves
    [InlineData(64, 64, 4_096, 64, 64)]    // exactly at the limit: the image itself
    [InlineData(6000, 4000, 0, 6000, 4000)] // 0: no limit
    public void The_working_size_is_the_aspect_scaled_within_the_limit_and_the_copy_has_it(int w, int h, int maxPixels, int ww, int wh)
    {
        Assert.Equal((ww, wh), WorkingResolution.SizeFor(w, h, maxPixels));
        if (maxPixels > 0) Assert.True((long)ww * wh <= maxPixels || (ww, wh) == (w, h));
        if ((long)w * h <= 200_000) // the copy itself, for the sizes cheap to make
        {
            var working = WorkingResolution.For(new RgbImage(w, h, new byte[w * h * 3]), maxPixels).Working;
            Assert.Equal((ww, wh), (working.Width, working.Height));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Upsampling_keeps_a_border_between_low_resolution_pixels_exactly(byte labelOfTheMixedColumn)
    {
        // Black up to column 32, white from column 33 (odd): halving the width averages columns 32 and 33 into grey.
        const int Width = 64, Height = 8, Border = 33;
        var px = new byte[Width * Height * 3];
        for (int y = 0; y < Height; y++)
        for (int x = Border; x < Width; x++) px[3 * (y * Width + x)] = px[3 * (y * Width + x) + 1] = px[3 * (y * Width + x) + 2] = 255;
        var full = new RgbImage(Width, Height, px);
        var small = LivePreview.DownscaleTo(full, Width / 2, Height / 2);
        var smallLabels = new byte[small.PixelCount];
        for (int i = 0; i < smallLabels.Length; i++)
            smallLabels[i] = small.Pixels[3 * i] switch { 0 => 0, 255 => 1, _ => labelOfTheMixedColumn };

        var labels = GuidedLabelUpsampling.Upsample(smallLabels, small, full);

        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++) Assert.Equal(x < Border ? 0 : 1, labels[y * Width + x]);
        // Copying the nearest low-resolution label instead puts column 32 or 33 on the wrong side.
        var nearest = GuidedLabelUpsampling.NearestCells(Width, Width / 2);
        Assert.Contains(Enumerable.Range(0, Width), x => smallLabels[nearest[x]] != (x < Border ? 0 : 1));
    }

    [Fact]
    public void Reclustering_a_downscaled_run_gives_full_resolution_labels()
    {
        var result = SegmentationPipeline.Run(Regions, Downscaled);
        using var model = result.Model!;
        var again = model.Cluster(Downscaled with { Clusters = 3 });
        Assert.Equal((300, 200), (again.Width, again.Height));
        Assert.Equal(Regions.PixelCount, again.Labels.Length);
        Assert.Equal(3, again.Labels.Distinct().Count());
    }

    [Fact]
    public void Strokes_painted_on_the_full_image_steer_a_downscaled_run()
    {
        var result = SegmentationPipeline.Run(Regions, Downscaled);
        using var model = result.Model!;
        // Brush 1 and 2 on 4×4 pixels inside two differently labelled places of the full image, away from borders.
        int first = InsideOneLabel(result, _ => true), second = InsideOneLabel(result, l => l != result.Labels[first]);
        var brushes = new byte[Regions.PixelCount];
        foreach (int centre in new[] { first, second })
            for (int dy = 0; dy < 4; dy++)
            for (int dx = 0; dx < 4; dx++)
            {
                int x = Math.Min(Regions.Width - 1, centre % Regions.Width + dx), y = Math.Min(Regions.Height - 1, centre / Regions.Width + dy);
                brushes[y * Regions.Width + x] = (byte)(centre == first ? 1 : 2);
            }
        var strokes = new Scribbles(Regions.Width, Regions.Height, brushes);

        var (codes, dims) = model.PixelCodes();
        var start = SteeredClusters.FromLabels(codes, dims, Array.ConvertAll(result.CodeLabels, l => (int)l), result.Clusters.Count);
        Assert.Equal(model.Image.PixelCount, start.Labels.Length);
        var steered = model.ReclusterWithStrokes(codes, dims, strokes, clusters: 2);
        var edited = model.Relabel(result, steered, codes, dims);

        Assert.Equal((300, 200), (edited.Width, edited.Height));
        Assert.Equal(Regions.PixelCount, edited.Labels.Length);
        Assert.NotEqual(edited.Labels[first], edited.Labels[second]);
        var losses = model.FineTune(strokes, new FineTuneSettings(Epochs: 1));
        Assert.Single(losses);
    }

    // The first pixel whose 8×8 block lies in one cluster that the predicate accepts.
    private static int InsideOneLabel(SegmentationResult r, Func<byte, bool> accept)
    {
        for (int y = 0; y + 8 <= r.Height; y += 8)
        for (int x = 0; x + 8 <= r.Width; x += 8)
        {
            byte l = (byte)r.ClusterAt(x, y);
            bool uniform = true;
            for (int dy = 0; dy < 8 && uniform; dy++)
            for (int dx = 0; dx < 8 && uniform; dx++) uniform = r.ClusterAt(x + dx, y + dy) == l;
            if (uniform && accept(l)) return (y + 2) * r.Width + x + 2;
        }
        throw new InvalidOperationException("No uniform block found.");
    }

    [Fact]
    public void Strokes_map_onto_the_copy_by_majority_and_keep_a_lone_stroke()
    {
        var full = SyntheticImages.Regions(40, 20, regions: 2, noise: 0, seed: 1);
        var resolution = WorkingResolution.For(full, 200); // 20×10: each working pixel covers 2×2
        var brushes = new byte[full.PixelCount];
        brushes[0] = 3;                                  // one of four pixels stroked: still stroked
        brushes[2] = brushes[3] = 1; brushes[42] = 2;    // two against one: the majority
        var small = resolution.ToWorking(new Scribbles(40, 20, brushes));
        Assert.Equal((20, 10), (small.Width, small.Height));
        Assert.Equal(3, small.BrushOfPixel[0]);
        Assert.Equal(1, small.BrushOfPixel[1]);
        Assert.Equal(2, small.BrushOfPixel.Count(b => b != 0));
        Assert.Throws<ArgumentException>(() => resolution.ToWorking(new Scribbles(20, 10, new byte[200])));
    }

    /// <summary>
    /// The working copy's segmentation of a 2.24-megapixel generated scene (5 noisy regions) at a quarter of its
    /// pixels agrees with the full-resolution run's: ARI ≥ 0.95 (0.9688 when written, printed by the test; seeded and
    /// deterministic, so the floor is a regression guard, not a tolerance for noise).
    /// </summary>
    [Fact]
    public void A_quarter_resolution_run_agrees_with_the_full_resolution_run()
    {
        var image = SyntheticImages.Regions(1600, 1400, regions: 5, noise: 6, seed: 9);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 5, Epochs = 2 };
        var fullRun = SegmentationPipeline.Run(image, p with { MaxPixels = 0 });
        using (fullRun.Model) { }
        var quarterRun = SegmentationPipeline.Run(image, p with { MaxPixels = 560_000 });
        using (quarterRun.Model) { }
        Assert.Equal(800, quarterRun.CodeLabels.Length / 700);
        double ari = Agreement.AdjustedRandIndex(Array.ConvertAll(fullRun.Labels, l => (int)l), Array.ConvertAll(quarterRun.Labels, l => (int)l));
        output.WriteLine($"ARI full vs quarter resolution: {ari:0.0000}");
        Assert.True(ari >= 0.95, $"ARI between the full and the quarter-resolution run: {ari:0.0000}");
    }
}
