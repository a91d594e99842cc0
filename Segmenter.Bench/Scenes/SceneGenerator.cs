namespace Segmenter.Bench.Scenes;

/// <summary>
/// Seeded test scenes with ground truth, modelled on the difficulty of the synthetic fixtures in
/// Segmenter.Engine.Tests/Fixtures/synthetic (Voronoi regions under noise, lighting, texture, low contrast,
/// salt-and-pepper) plus many segments and curved borders. A scene depends only on its seed: every draw comes from
/// one <see cref="Random"/> seeded from the seed and the scene's name; no global state, no parallelism. The tests
/// and the quality bench both iterate <see cref="Standard"/>.
/// </summary>
public static class SceneGenerator
{
    /// <summary>The seed the tests and the quality bench draw the standard scenes with.</summary>
    public const int StandardSeed = 1;

    private const int Side = 256;

    /// <summary>Every standard scene, in a fixed order: all 256×256 except the last, 512×512.</summary>
    public static IReadOnlyList<SceneRecipe> Standard { get; } =
    [
        Voronoi("noisy_regions", 4, "4 Voronoi regions of distinct colours under Gaussian noise (σ 20)",
            (rng, k) => ScenePalette.Distinct(rng, k, minDistance: 70), (c, rng) => c.GaussianNoise(rng, 20)),
        Voronoi("lit_regions", 4, "4 Voronoi regions of related colours (≥ 50 apart) under a lighting gradient (×0.55 to ×1.2 across the image), σ 3 noise",
            (rng, k) => ScenePalette.Near(rng, k, new Rgb(180, 90, 120), spread: 55, minDistance: 50),
            (c, rng) => c.LightingGradient(rng, 0.55, 1.2).GaussianNoise(rng, 3)),
        Recipe("textures", 3, Side, "3 regions told apart by texture: two share one mean colour (stripes vs checks), σ 6 noise", Textures),
        Voronoi("low_contrast", 4, "4 Voronoi regions of similar colours (≥ 40 apart) under heavy Gaussian noise (σ 25)",
            (rng, k) => ScenePalette.Near(rng, k, new Rgb(140, 110, 140), spread: 35, minDistance: 40), (c, rng) => c.GaussianNoise(rng, 25)),
        Voronoi("salt_pepper_6", 6, "6 Voronoi regions, σ 6 noise, 8 % of pixels black or white",
            (rng, k) => ScenePalette.Distinct(rng, k, minDistance: 55), (c, rng) => c.GaussianNoise(rng, 6).SaltAndPepper(rng, 0.08)),
        Voronoi("many_regions_9", 9, "9 Voronoi regions of distinct colours, σ 10 noise",
            (rng, k) => ScenePalette.Distinct(rng, k, minDistance: 60), (c, rng) => c.GaussianNoise(rng, 10)),
        Recipe("curved_shapes", 4, Side, "background and 3 circles, ellipses or blobs (curved borders), σ 15 noise", CurvedShapes),
        Recipe("curved_shapes_512", 6, 2 * Side, "background and 5 curved shapes at 512×512, σ 15 noise", CurvedShapes),
    ];

    /// <summary>The standard scene called <paramref name="name"/>, drawn with <paramref name="seed"/>.</summary>
    public static Scene Generate(string name, int seed = StandardSeed) =>
        (Standard.FirstOrDefault(r => r.Name == name)
         ?? throw new ArgumentException($"No standard scene '{name}'; known: {string.Join(", ", Standard.Select(r => r.Name))}.", nameof(name)))
        .Generate(seed);

    /// <summary>How a recipe draws its square scene: from its name, k, side and the seed.</summary>
    private delegate Scene Draw(string name, int k, int side, int seed);

    private static SceneRecipe Recipe(string name, int k, int side, string description, Draw draw) =>
        new(name, k, side, side, description, seed => draw(name, k, side, seed));

    /// <summary>
    /// Voronoi regions at 256×256: the layout, then the colours, then whatever <paramref name="degrade"/> adds, all
    /// from the scene's one generator in that order.
    /// </summary>
    private static SceneRecipe Voronoi(string name, int k, string description, Func<Random, int, Rgb[]> palette,
        Func<SceneCanvas, Random, SceneCanvas> degrade) =>
        Recipe(name, k, Side, description, (_, _, side, seed) =>
        {
            var rng = Rng(seed, name);
            var truth = SceneLayouts.Voronoi(rng, side, side, k, MinShare(k));
            var image = degrade(new SceneCanvas(side, side).Fill(truth, palette(rng, k)), rng).ToImage();
            return new Scene(name, image, truth, k);
        });

    /// <summary>
    /// Region 0: diagonal two-colour stripes; region 1: a checkerboard of two other colours with the same mean as
    /// region 0, so only the texture tells them apart; region 2: stripes across, around a different mean colour.
    /// </summary>
    private static Scene Textures(string name, int k, int side, int seed)
    {
        if (k != 3) throw new ArgumentOutOfRangeException(nameof(k), "The texture scene paints exactly three regions.");
        var rng = Rng(seed, name);
        var truth = SceneLayouts.Voronoi(rng, side, side, k, MinShare(k));
        var means = ScenePalette.Distinct(rng, 2, minDistance: 80, low: 70, high: 185);
        var contrasts = ScenePalette.Contrasts(rng, 3, minLength: 35, spread: 60, minDistance: 50);
        int stripePeriod = 4 + rng.Next(2), checkCell = 2;
        var image = new SceneCanvas(side, side).Paint(truth, (x, y, segment) =>
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

    private static Scene CurvedShapes(string name, int k, int side, int seed)
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
