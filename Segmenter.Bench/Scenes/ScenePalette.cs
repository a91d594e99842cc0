namespace Segmenter.Bench.Scenes;

/// <summary>Segment colours drawn by rejection, so every pair is at least a given distance apart (RGB, 0–255).</summary>
internal static class ScenePalette
{
    private const int MaxAttempts = 100_000;

    /// <summary>k colours anywhere in [low, high]³, pairwise at least <paramref name="minDistance"/> apart.</summary>
    public static Rgb[] Distinct(Random rng, int k, double minDistance, double low = 20, double high = 235) =>
        Draw(k, minDistance, () => new Rgb(Uniform(rng, low, high), Uniform(rng, low, high), Uniform(rng, low, high)));

    /// <summary>
    /// k colours within ±<paramref name="spread"/> of <paramref name="centre"/> on each channel, pairwise at least
    /// <paramref name="minDistance"/> apart: similar colours, for low-contrast scenes.
    /// </summary>
    public static Rgb[] Near(Random rng, int k, Rgb centre, double spread, double minDistance) =>
        Draw(k, minDistance, () => centre + new Rgb(Uniform(rng, -spread, spread), Uniform(rng, -spread, spread), Uniform(rng, -spread, spread)));

    /// <summary>
    /// k offsets (a texture's two colours are mean ± offset), each at least <paramref name="minLength"/> long so
    /// every texture is visible, within ±<paramref name="spread"/> per channel and pairwise distinct.
    /// </summary>
    public static Rgb[] Contrasts(Random rng, int k, double minLength, double spread, double minDistance)
    {
        var zero = new Rgb(0, 0, 0);
        return Draw(k, minDistance, () =>
        {
            Rgb c;
            do c = new Rgb(Uniform(rng, -spread, spread), Uniform(rng, -spread, spread), Uniform(rng, -spread, spread));
            while (c.DistanceTo(zero) < minLength);
            return c;
        });
    }

    private static Rgb[] Draw(int k, double minDistance, Func<Rgb> candidate)
    {
        var chosen = new List<Rgb>(k);
        for (int attempt = 0; attempt < MaxAttempts && chosen.Count < k; attempt++)
        {
            var c = candidate();
            if (chosen.All(o => o.DistanceTo(c) >= minDistance)) chosen.Add(c);
        }
        if (chosen.Count < k) throw new InvalidOperationException($"Could not draw {k} colours {minDistance} apart.");
        return chosen.ToArray();
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
