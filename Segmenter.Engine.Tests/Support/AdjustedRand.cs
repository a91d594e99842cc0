namespace Segmenter.Engine.Tests.Support;

/// <summary>Adjusted Rand index (Hubert &amp; Arabie, 1985) between two labelings, as sklearn's adjusted_rand_score.</summary>
public static class AdjustedRand
{
    /// <summary>
    /// ARI from the contingency table: (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E), with
    /// E = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2). Label values are arbitrary (only the partition matters).
    /// 1 for identical partitions (including the degenerate all-one-cluster / all-singletons cases), about 0 for
    /// chance agreement, possibly negative.
    /// </summary>
    public static double Index(int[] truth, int[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"The labelings have different lengths ({truth.Length} and {predicted.Length}).");
        int n = truth.Length;
        if (n == 0) return 1.0;

        var cells = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (int i = 0; i < n; i++)
        {
            var key = (truth[i], predicted[i]);
            cells[key] = cells.GetValueOrDefault(key) + 1;
            rows[truth[i]] = rows.GetValueOrDefault(truth[i]) + 1;
            cols[predicted[i]] = cols.GetValueOrDefault(predicted[i]) + 1;
        }
        static double Pairs(long m) => m * (m - 1) / 2.0;
        double index = cells.Values.Sum(Pairs);
        double sumRows = rows.Values.Sum(Pairs);
        double sumCols = cols.Values.Sum(Pairs);
        double expected = sumRows * sumCols / Pairs(n);
        double max = (sumRows + sumCols) / 2;
        if (max == expected) return 1.0; // only when both partitions are trivial the same way (sklearn's special case)
        return (index - expected) / (max - expected);
    }
}
