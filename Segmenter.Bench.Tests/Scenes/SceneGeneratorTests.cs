using Segmenter.Bench.Scenes;

namespace Segmenter.Bench.Tests.Scenes;

public class SceneGeneratorTests
{
    public static TheoryData<string> Names => new(SceneGenerator.Standard.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void A_scene_is_the_same_for_the_same_seed_and_differs_for_another(string name)
    {
        var a = SceneGenerator.Generate(name, 5);
        var b = SceneGenerator.Generate(name, 5);
        var c = SceneGenerator.Generate(name, 6);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Truth, b.Truth);
        Assert.NotEqual(a.Image.Pixels, c.Image.Pixels);
        Assert.NotEqual(a.Truth, c.Truth);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_truth_has_one_label_per_pixel_and_every_segment_is_a_real_share(string name)
    {
        var recipe = SceneGenerator.Standard.Single(r => r.Name == name);
        var scene = recipe.Generate(SceneGenerator.StandardSeed);
        Assert.Equal(name, scene.Name);
        Assert.Equal((recipe.Width, recipe.Height, recipe.K), (scene.Width, scene.Height, scene.K));
        Assert.Equal(scene.Image.PixelCount, scene.Truth.Length);
        var counts = new int[scene.K];
        foreach (int t in scene.Truth) counts[t]++; // an index outside 0…K−1 throws here
        Assert.All(counts, c => Assert.True(c >= 0.03 * scene.Truth.Length, $"a segment of {c} pixels"));
    }

    [Fact]
    public void The_standard_list_covers_the_kinds_at_256_and_one_larger()
    {
        var recipes = SceneGenerator.Standard;
        Assert.Equal(recipes.Count, recipes.Select(r => r.Name).Distinct().Count());
        Assert.True(recipes.Count(r => r.Width == 256 && r.Height == 256) >= 7);
        Assert.Contains(recipes, r => r.Width == 512 && r.Height == 512);
        Assert.Contains(recipes, r => r.K >= 8);
        Assert.Throws<ArgumentException>(() => SceneGenerator.Generate("no_such_scene"));
    }

    /// <summary>Different scenes drawn with one seed must not share a layout (each mixes its name into the seed).</summary>
    [Fact]
    public void Scenes_with_the_same_k_and_seed_have_different_layouts()
    {
        var fours = SceneGenerator.Standard.Where(r => r.K == 4 && r.Width == 256).Select(r => r.Generate(1).Truth).ToArray();
        Assert.True(fours.Length >= 3);
        for (int i = 0; i < fours.Length; i++)
        for (int j = i + 1; j < fours.Length; j++)
            Assert.NotEqual(fours[i], fours[j]);
    }

    /// <summary>
    /// In the texture scene two regions have the same mean colour and differ only in pattern, so colour alone
    /// cannot separate them; their per-pixel colours still vary a lot (the texture is there).
    /// </summary>
    [Fact]
    public void Two_texture_regions_share_a_mean_colour_but_not_a_pattern()
    {
        var scene = SceneGenerator.Generate("textures");
        var (mean0, sd0) = Stats(scene, 0);
        var (mean1, sd1) = Stats(scene, 1);
        var (mean2, _) = Stats(scene, 2);
        for (int c = 0; c < 3; c++) Assert.InRange(Math.Abs(mean0[c] - mean1[c]), 0, 3);
        Assert.True(Enumerable.Range(0, 3).Sum(c => Math.Abs(mean0[c] - mean2[c])) > 40, "region 2 has another mean colour");
        Assert.True(sd0.Max() > 20 && sd1.Max() > 20, $"textured regions vary: σ {sd0.Max():F0}, {sd1.Max():F0}");
    }

    private static (double[] Mean, double[] Sd) Stats(Scene scene, int segment)
    {
        var pixels = Enumerable.Range(0, scene.Truth.Length).Where(i => scene.Truth[i] == segment).ToArray();
        var mean = new double[3];
        var sd = new double[3];
        for (int c = 0; c < 3; c++)
        {
            mean[c] = pixels.Average(i => (double)scene.Image.Pixels[3 * i + c]);
            double m = mean[c];
            sd[c] = Math.Sqrt(pixels.Average(i => Math.Pow(scene.Image.Pixels[3 * i + c] - m, 2)));
        }
        return (mean, sd);
    }
}
