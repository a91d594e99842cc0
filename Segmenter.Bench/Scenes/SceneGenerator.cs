namespace Segmenter.Bench.Scenes;

/// <summary>
/// Seeded test scenes with ground truth, modelled on the difficulty of the synthetic fixtures in
/// ../shared/fixtures/synthetic (Voronoi regions under noise, lighting, texture, low contrast, salt-and-pepper) plus
/// many segments and curved borders. A scene depends only on its seed: every draw comes from one
/// <see cref="Random"/> seeded from the seed and the scene's name, no global state, no parallelism. The tests and the quality bench both iterate
/// <see cref="Standard"/>.
/// </summary>
public static class SceneGenerator
{
    /// <summary>The seed the tests and the quality bench draw the standard scenes with.</summary>
    public const int StandardSeed = 1;

    private const int Side = 256;

    /// <summary>Every standard scene, in a fixed order: all 256×256 except the last, 512×512.</summary>
    public static IReadOnlyList<SceneRecipe> Standard { get; } =
    [
        new("noisy_regions", 4, Side, Side, "4 Voronoi regions of distinct colours under Gaussian noise (σ 20)",
            seed => NoisyRegions("noisy_regions", seed, Side, 4, minDistance: 70, sigma: 20)),
        new("lit_regions", 4, Side, Side, "4 Voronoi regions of related colours (≥ 50 apart) under a lighting gradient (×0.55 to ×1.2 across the image), σ 3 noise",
            seed => LitRegions("lit_regions", seed)),
        new("textures", 3, Side, Side, "3 regions told apart by texture: two share one mean colour (stripes vs checks), σ 6 noise",
            seed => Textures("textures", seed)),
        new("low_contrast", 4, Side, Side, "4 Voronoi regions of similar colours (≥ 40 apart) under heavy Gaussian noise (σ 25)",
            seed => LowContrast("low_contrast", seed)),
        new("salt_pepper_6", 6, Side, Side, "6 Voronoi regions, σ 6 noise, 8 % of pixels black or white",
            seed => SaltPepper("salt_pepper_6", seed)),
        new("many_regions_9", 9, Side, Side, "9 Voronoi regions of distinct colours, σ 10 noise",
            seed => NoisyRegions("many_regions_9", seed, Side, 9, minDistance: 60, sigma: 10)),
        new("curved_shapes", 4, Side, Side, "background and 3 circles, ellipses or blobs (curved borders), σ 15 noise",
            seed => CurvedShapes("curved_shapes", seed, Side, 4)),
        new("curved_shapes_512", 6, 2 * Side, 2 * Side, "background and 5 curved shapes at 512×512, σ 15 noise",
            seed => CurvedShapes("curved_shapes_512", seed, 2 * Side, 6)),
    ];

    /// <summary>The standard scene called <paramref name="name"/>, drawn with <paramref name="seed"/>.</summary>
    public static Scene Generate(string name, int seed = StandardSeed) =>
        (Standard.FirstOrDefault(r => r.Name == name)
         ?? throw new ArgumentException($"No standard scene '{name}'; known: {string.Join(", ", Standard.Select(r => r.Name))}.", nameof(name)))
        .Generate(seed);

    private static Scene NoisyRegions(string name, int seed, int side, int k, double minDistance, double sigma)
    {
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, side, side, k, MinShare(k));
        var colours = ScenePalette.Distinct(rng, k, minDistance);
        var image = new SceneCanvas(side, side).Fill(truth, colours).GaussianNoise(rng, sigma).ToImage();
        return new Scene(name, image, truth, k);
    }

    /// <summary>Light changes brightness far more inside a region than the colours differ between regions.</summary>
    private static Scene LitRegions(string name, int seed)
    {
        const int k = 4;
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, Side, Side, k, MinShare(k));
        var colours = ScenePalette.Near(rng, k, new Rgb(180, 90, 120), spread: 55, minDistance: 50);
        var image = new SceneCanvas(Side, Side).Fill(truth, colours).LightingGradient(rng, 0.55, 1.2).GaussianNoise(rng, 3).ToImage();
        return new Scene(name, image, truth, k);
    }

    /// <summary>
    /// Region 0: diagonal two-colour stripes; region 1: a checkerboard of two other colours with the same mean as
    /// region 0, so only the texture tells them apart; region 2: stripes across, around a different mean colour.
    /// </summary>
    private static Scene Textures(string name, int seed)
    {
        const int k = 3;
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, Side, Side, k, MinShare(k));
        var means = ScenePalette.Distinct(rng, 2, minDistance: 80, low: 70, high: 185);
        var contrasts = ScenePalette.Contrasts(rng, 3, minLength: 35, spread: 60, minDistance: 50);
        int stripePeriod = 4 + rng.Next(2), checkCell = 2;
        var image = new SceneCanvas(Side, Side).Paint(truth, (x, y, segment) =>
        {
            bool first = segment switch
            {
                0 => (x + y) % stripePeriod < stripePeriod / 2,
                1 => (x / checkCell + y / checkCell) % 2 == 0,
                _ => y % stripePeriod < stripePeriod / 2,
            };
            var mean = means[segment == 2 ? 1 : 0];
            return first ? mean + contrasts[segment] : mean - contrasts[segment];
        }).GaussianNoise(rng, 6).ToImage();
        return new Scene(name, image, truth, k);
    }

    private static Scene LowContrast(string name, int seed)
    {
        const int k = 4;
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, Side, Side, k, MinShare(k));
        var colours = ScenePalette.Near(rng, k, new Rgb(140, 110, 140), spread: 35, minDistance: 40);
        var image = new SceneCanvas(Side, Side).Fill(truth, colours).GaussianNoise(rng, 25).ToImage();
        return new Scene(name, image, truth, k);
    }

    private static Scene SaltPepper(string name, int seed)
    {
        const int k = 6;
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, Side, Side, k, MinShare(k));
        var colours = ScenePalette.Distinct(rng, k, minDistance: 55);
        var image = new SceneCanvas(Side, Side).Fill(truth, colours).GaussianNoise(rng, 6).SaltAndPepper(rng, 0.08).ToImage();
        return new Scene(name, image, truth, k);
    }

    private static Scene CurvedShapes(string name, int seed, int side, int k)
    {
        var rng = Rng(seed, name);
        var truth = SceneLayouts.CurvedShapes(rng, side, side, k, minShare: 0.04);
        var colours = ScenePalette.Distinct(rng, k, minDistance: 65);
        var image = new SceneCanvas(side, side).Fill(truth, colours).GaussianNoise(rng, 15).ToImage();
        return new Scene(name, image, truth, k);
    }

    /// <summary>
    /// The scene's one generator: the seed mixed with the scene's name (FNV-1a, stable across runs and platforms,
    /// unlike string.GetHashCode), so scenes drawn with the same seed do not share a layout.
    /// </summary>
    private static Random Rng(int seed, string name)
    {
        uint hash = 2166136261;
        foreach (char c in name) hash = (hash ^ c) * 16777619;
        return new Random(unchecked((int)hash ^ seed));
    }

    /// <summary>No segment smaller than a third of an even share, so each one matters to the adjusted Rand index.</summary>
    private static double MinShare(int k) => 1.0 / (3 * k);
}
