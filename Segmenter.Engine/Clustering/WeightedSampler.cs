namespace Segmenter.Engine.Clustering;

/// <summary>
/// The one way points are drawn with probability proportional to a weight (k-means++ candidates, random
/// initialisation, the sub-samples that score k): a running sum of the weights and a binary search for a uniform
/// value below the total. Zero-weight points are never drawn while any weight remains.
/// </summary>
public static class WeightedSampler
{
    /// <summary>Fills <paramref name="cumulative"/> with running sums of <paramref name="weights"/>; returns the total.</summary>
    public static double Accumulate(ReadOnlySpan<float> weights, double[] cumulative)
    {
        double run = 0;
        for (int i = 0; i < weights.Length; i++) { run += weights[i]; cumulative[i] = run; }
        return run;
    }

    /// <summary>One index drawn ∝ weight from running sums made by <see cref="Accumulate"/> (or any non-decreasing sums).</summary>
    public static int Draw(double[] cumulative, double total, Random rng) => SearchRight(cumulative, rng.NextDouble() * total);

    /// <summary>
    /// <paramref name="draws"/> rows drawn with replacement ∝ weight (uniformly when null), duplicates merged: the
    /// distinct rows in order and how often each was drawn. All rows with their own weights when there are no more
    /// than <paramref name="draws"/>.
    /// </summary>
    public static (int[] Rows, float[]? Counts) DrawCounted(float[]? weights, int n, int draws, int seed)
    {
        if (n <= draws) return (Enumerable.Range(0, n).ToArray(), weights);
        var counts = new Dictionary<int, int>();
        foreach (int row in DrawRows(weights, n, draws, seed)) counts[row] = counts.GetValueOrDefault(row) + 1;
        var rows = counts.Keys.Order().ToArray();
        return (rows, rows.Select(r => (float)counts[r]).ToArray());
    }

    /// <summary>The distinct rows among <paramref name="draws"/> drawn ∝ weight (uniformly when null), in order.</summary>
    public static int[] DrawDistinct(float[]? weights, int n, int draws, int seed)
    {
        if (weights is null && n <= draws) return Enumerable.Range(0, n).ToArray();
        return DrawRows(weights, n, draws, seed).Distinct().Order().ToArray();
    }

    private static IEnumerable<int> DrawRows(float[]? weights, int n, int draws, int seed)
    {
        var rng = new Random(seed);
        if (weights is null)
        {
            for (int i = 0; i < draws; i++) yield return rng.Next(n);
            yield break;
        }
        var cumulative = new double[n];
        double total = Accumulate(weights, cumulative);
        for (int i = 0; i < draws; i++) yield return Draw(cumulative, total, rng);
    }

    /// <summary>
    /// First index whose cumulative value exceeds <paramref name="value"/> (so points with zero mass are never drawn
    /// while any mass remains), clipped to the last index.
    /// </summary>
    internal static int SearchRight(double[] cumulative, double value)
    {
        int lo = 0, hi = cumulative.Length; // first i with cumulative[i] > value in [lo, hi)
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > value) hi = mid; else lo = mid + 1;
        }
        return Math.Min(lo, cumulative.Length - 1);
    }
}
