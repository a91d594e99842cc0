namespace Segmenter.Engine.Clustering;

/// <summary>
/// How far two labelings of the same pixels agree (external indices: a segmentation against a ground truth, or
/// two runs against each other). Label values are arbitrary; only the partitions matter, except in the matched
/// scores, which first align the labels by Hungarian matching. The internal indices (silhouette, Davies–Bouldin)
/// are beside this in <see cref="ClusterQuality"/>.
/// </summary>
public static class Agreement
{
    /// <summary>
    /// Adjusted Rand index (Hubert &amp; Arabie, 1985), as sklearn's <c>adjusted_rand_score</c>:
    /// (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E), with E = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2).
    /// 1 for identical partitions (including the degenerate all-one-cluster / all-singletons cases), about 0 for
    /// chance agreement, possibly negative. Symmetric.
    /// </summary>
    public static double AdjustedRandIndex(int[] truth, int[] predicted) => AdjustedRandIndex(Table(truth, predicted));

    /// <summary>The adjusted Rand index of two byte labelings (label maps), counted without copying them.</summary>
    public static double AdjustedRandIndex(byte[] truth, byte[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        return AdjustedRandIndex(Contingency.Of(truth, predicted));
    }

    private static double AdjustedRandIndex(Contingency table)
    {
        if (table.N == 0) return 1.0;
        double index = table.PairsTogetherInBoth();
        double sumRows = table.PairsTogetherInRows();
        double sumColumns = table.PairsTogetherInColumns();
        double expected = sumRows * sumColumns / Contingency.Pairs(table.N);
        double max = (sumRows + sumColumns) / 2;
        if (max == expected) return 1.0; // only when both partitions are trivial the same way (sklearn's special case)
        return (index - expected) / (max - expected);
    }

    /// <summary>
    /// Rand index (Rand, 1971), as sklearn's <c>rand_score</c>: the fraction of point pairs on which the labelings
    /// agree (together in both or apart in both). 1 when n &lt; 2.
    /// </summary>
    public static double RandIndex(int[] truth, int[] predicted)
    {
        var table = Table(truth, predicted);
        double pairs = Contingency.Pairs(table.N);
        if (pairs == 0) return 1.0;
        double both = table.PairsTogetherInBoth();
        double apartInBoth = pairs - table.PairsTogetherInRows() - table.PairsTogetherInColumns() + both;
        return (both + apartInBoth) / pairs;
    }

    /// <summary>
    /// Probabilistic Rand index (Unnikrishnan, Pantofaru &amp; Hebert, 2007) of a segmentation against several human
    /// segmentations of the same image: over all pixel pairs, c·p + (1 − c)(1 − p), where c = 1 when the
    /// segmentation puts the pair together and p is the fraction of annotators who do. Because it is linear in p
    /// it equals the mean of the Rand index against each annotator, which is how it is computed.
    /// </summary>
    public static double ProbabilisticRandIndex(int[] segmentation, IReadOnlyList<int[]> annotators)
    {
        ArgumentNullException.ThrowIfNull(annotators);
        if (annotators.Count == 0)
            throw new ArgumentException("The probabilistic Rand index needs at least one human segmentation.", nameof(annotators));
        return annotators.Average(truth => RandIndex(truth, segmentation));
    }

    /// <summary>
    /// Hungarian matching of predicted clusters to truth segments maximising the pixels they share: for each
    /// predicted label, the truth label it is matched to, or null when there are more predicted clusters than
    /// truth segments and this one is left unmatched.
    /// </summary>
    public static IReadOnlyDictionary<int, int?> MatchLabels(int[] truth, int[] predicted)
    {
        var table = Table(truth, predicted);
        int[] columnOfRow = Hungarian.Assign(Negated(table, (t, i, j) => t.Counts[i, j]));
        var match = table.ColumnLabels.ToDictionary(l => l, _ => (int?)null);
        for (int i = 0; i < table.Rows; i++)
            if (columnOfRow[i] >= 0) match[table.ColumnLabels[columnOfRow[i]]] = table.RowLabels[i];
        return match;
    }

    /// <summary>
    /// <paramref name="labels"/> renamed to agree with <paramref name="reference"/> as far as a one-to-one renaming
    /// can (Hungarian matching on shared pixels); clusters left unmatched keep fresh numbers above every reference
    /// label. Used to line up runs with different seeds before comparing them pixel by pixel.
    /// </summary>
    public static int[] AlignTo(int[] reference, int[] labels)
    {
        var match = MatchLabels(reference, labels);
        int next = reference.Length == 0 ? 0 : reference.Max() + 1;
        var rename = new Dictionary<int, int>();
        foreach (var (label, target) in match.OrderBy(m => m.Key)) rename[label] = target ?? next++;
        return labels.Select(l => rename[l]).ToArray();
    }

    /// <summary>
    /// Hungarian-matched mean intersection over union: predicted clusters are matched one-to-one to truth segments
    /// so that the sum of IoU is largest, then IoU is averaged over the truth segments (a truth segment left
    /// without a cluster, when k is smaller than the truth's count, scores 0).
    /// </summary>
    public static double MatchedMeanIoU(int[] truth, int[] predicted)
    {
        var table = Table(truth, predicted);
        if (table.N == 0) return 1.0;
        static double IoU(Contingency t, int i, int j) =>
            t.Counts[i, j] / (double)(t.RowSums[i] + t.ColumnSums[j] - t.Counts[i, j]);
        int[] columnOfRow = Hungarian.Assign(Negated(table, IoU));
        double sum = 0;
        for (int i = 0; i < table.Rows; i++)
            if (columnOfRow[i] >= 0) sum += IoU(table, i, columnOfRow[i]);
        return sum / table.Rows;
    }

    private static Contingency Table(int[] truth, int[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        return Contingency.Of(truth, predicted);
    }

    /// <summary>The Hungarian solver minimises; a score to maximise becomes its negation.</summary>
    private static double[,] Negated(Contingency table, Func<Contingency, int, int, double> score)
    {
        var cost = new double[table.Rows, table.Columns];
        for (int i = 0; i < table.Rows; i++)
            for (int j = 0; j < table.Columns; j++) cost[i, j] = -score(table, i, j);
        return cost;
    }
}
