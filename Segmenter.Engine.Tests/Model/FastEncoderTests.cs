using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using Segmenter.Engine.Pipeline;
using TorchSharp;

namespace Segmenter.Engine.Tests.Model;

/// <summary>The fast (region) encoder computes the same maths as the per-window reference, on the same weights.</summary>
public class FastEncoderTests
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [InlineData(3, 2)]
    [InlineData(5, 2)]
    [InlineData(5, 4)]
    [InlineData(7, 1)]
    public void Region_codes_equal_the_per_window_reference_on_every_pixel(int window, int heads)
    {
        // 23×19 with 7-wide tiles would be nicer, but the real tiling is what ships: a width and height that are not
        // multiples of anything, small enough that every pixel's window touches a reflected edge or a neighbour.
        var image = NoiseImage(23, 19, seed: 5);
        using var model = ScrambledModel(window, heads);
        var all = Enumerable.Range(0, (int)image.PixelCount).ToArray();

        var fast = CodeItems.ForPixels(image, window).Encode(model, all, CancellationToken.None);
        var reference = ReferenceCodes(model, image, all);

        Assert.Equal(reference.Length, fast.Length);
        float worst = reference.Zip(fast, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"max abs difference {worst:g3} > {Tolerance:g}");
        Assert.True(reference.Count(v => v > 0) > reference.Length / 10, "the codes are not all zero (a vacuous comparison)");
    }

    [Theory]
    [InlineData(InputColours.Lab)]
    [InlineData(InputColours.Both)]
    [InlineData(InputColours.LabStandardised)]
    [InlineData(InputColours.Chroma)]
    public void Region_codes_equal_the_reference_in_every_colour_space(InputColours colours)
    {
        var image = NoiseImage(21, 13, seed: 4);
        using var model = ScrambledModel(3, 2, ColourFeatures.Channels(colours));
        var all = Enumerable.Range(0, (int)image.PixelCount).ToArray();
        var fast = CodeItems.ForPixels(image, 3, colours).Encode(model, all, CancellationToken.None);
        var reference = ReferenceCodes(model, image, all, colours);
        float worst = reference.Zip(fast, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"{colours}: max abs difference {worst:g3}");
    }

    [Fact]
    public void Only_the_asked_for_pixels_are_returned_in_the_asked_order()
    {
        var image = NoiseImage(70, 40, seed: 9);
        using var model = ScrambledModel(5, 2);
        int[] items = [2799, 0, 1234, 69, 70, 1234, 2000];   // unsorted, a repeat, both far corners
        var fast = CodeItems.ForPixels(image, 5).Encode(model, items, CancellationToken.None);
        var reference = ReferenceCodes(model, image, items);
        float worst = reference.Zip(fast, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"max abs difference {worst:g3}");
    }

    [Fact]
    public void Reconstructions_attention_and_targets_equal_the_reference()
    {
        using var model = ScrambledModel(5, 4);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var region = torch.rand(2, 9, 8, 3);                           // interiors 5×4, halo 2
        var (code, weights) = model.EncodeRegionWithAttention(region, keepWeights: true);
        var reconstruction = model.ForwardRegion(region);
        var targets = model.RegionTargets(region);
        for (int b = 0; b < 2; b++)
        for (int y = 0; y < 5; y++)
        for (int x = 0; x < 4; x++)
        {
            var windowColours = region[b, torch.TensorIndex.Slice(y, y + 5), torch.TensorIndex.Slice(x, x + 5)].reshape(1, 25, 3);
            var (refCode, refWeights) = model.EncodeWithAttention(windowColours, keepWeights: true);
            Assert.True(MaxDiff(refCode[0], code[b, y, x]) <= Tolerance);
            Assert.True(MaxDiff(refWeights![0], weights![b, y, x]) <= Tolerance);
            Assert.True(MaxDiff(model.forward(windowColours)[0], reconstruction[b, y, x]) <= Tolerance);
            Assert.True(MaxDiff(windowColours.reshape(75), targets[b, y, x]) == 0);
        }
    }

    [Fact]
    public void Crops_lie_inside_the_image_reflect_their_halo_and_follow_the_seed()
    {
        var image = NoiseImage(30, 21, seed: 3);
        var regions = new ImageRegions(image, halo: 2);
        var windows = new PixelWindows(image, 5);
        var a = new TrainingCrops(regions, side: 16, seed: 7);
        var b = new TrainingCrops(regions, side: 16, seed: 7);
        var other = new TrainingCrops(regions, side: 16, seed: 8);
        var bufA = new float[a.FloatsPerCrop];
        var bufB = new float[a.FloatsPerCrop];
        var corners = new HashSet<(int, int)>();
        bool differs = false;
        for (int i = 0; i < 200; i++)
        {
            var corner = a.Next(bufA);
            Assert.Equal(corner, b.Next(bufB));
            Assert.Equal(bufA, bufB);
            differs |= other.Next(bufB) != corner;
            Assert.InRange(corner.X, 0, image.Width - 16);
            Assert.InRange(corner.Y, 0, image.Height - 16);
            corners.Add(corner);
            if (corner.X == 0 || corner.Y == 0 || corner.X == image.Width - 16 || corner.Y == image.Height - 16 || i < 5)
                AssertHaloMatchesWindows(bufA, corner, a, windows, image);
        }
        Assert.True(differs, "another seed draws other crops");
        // Crops reach every edge, so their halo gets reflected there (checked above for the first crops).
        Assert.Equal((0, image.Width - 16), (corners.Min(c => c.Item1), corners.Max(c => c.Item1)));
        Assert.Equal((0, image.Height - 16), (corners.Min(c => c.Item2), corners.Max(c => c.Item2)));
    }

    [Fact]
    public void An_image_smaller_than_a_crop_is_one_whole_crop()
    {
        var image = NoiseImage(6, 4, seed: 1);
        var crops = new TrainingCrops(new ImageRegions(image, halo: 2), side: 16, seed: 1);
        Assert.Equal((6, 4), (crops.Width, crops.Height));
        var buffer = new float[crops.FloatsPerCrop];
        var corner = crops.Next(buffer);
        Assert.Equal((0, 0), corner);
        AssertHaloMatchesWindows(buffer, corner, crops, new PixelWindows(image, 5), image);
    }

    /// <summary>Each interior pixel's 5×5 neighbourhood in the crop equals its reflected window from <see cref="PixelWindows"/>.</summary>
    private static void AssertHaloMatchesWindows(float[] crop, (int X, int Y) corner, TrainingCrops crops, PixelWindows windows, RgbImage image)
    {
        var window = new float[windows.FloatsPerItem];
        for (int y = 0; y < crops.Height; y++)
        for (int x = 0; x < crops.Width; x++)
        {
            windows.Fill([(corner.Y + y) * image.Width + corner.X + x], window);
            int o = 0;
            for (int dy = 0; dy < 5; dy++)
            for (int dx = 0; dx < 5; dx++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(window[o++], crop[((y + dy) * crops.PaddedWidth + x + dx) * 3 + c]);
        }
    }

    private static float MaxDiff(torch.Tensor a, torch.Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>Per-window codes: every pixel's window gathered with <see cref="PixelWindows"/> and encoded token by token.</summary>
    private static float[] ReferenceCodes(AttentionAutoencoder model, RgbImage image, int[] items, InputColours colours = InputColours.Rgb)
    {
        var windows = new PixelWindows(image, model.Window, colours);
        var input = new float[items.Length * windows.FloatsPerItem];
        windows.Fill(items, input);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        return model.Encode(torch.tensor(input, [items.Length, windows.Tokens, windows.Channels])).contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// A model whose weights are far from their initial scale (position embeddings especially start near zero), so
    /// attention is sharp and uneven and a wrong offset, shift or head split would show.
    /// </summary>
    private static AttentionAutoencoder ScrambledModel(int window, int heads, int channels = 3)
    {
        torch.manual_seed(11);
        var model = new AttentionAutoencoder(heads, window, channels: channels);
        using var noGrad = torch.no_grad();
        foreach (var w in model.parameters()) w.add_(torch.randn_like(w) * 0.3);
        return model;
    }

    private static RgbImage NoiseImage(int w, int h, int seed)
    {
        var px = new byte[w * h * 3];
        new Random(seed).NextBytes(px);
        return new RgbImage(w, h, px);
    }
}
