namespace Segmenter.Engine.Clustering;

/// <summary>
/// The contingency table of two labelings of the same points: <c>Counts[i, j]</c> = points with the i-th distinct
/// label of <c>a</c> and the j-th distinct label of <c>b</c> (distinct labels numbered in order of first
/// appearance). Every pair-counting and matching score in <see cref="Agreement"/> is computed from it.
/// </summary>
public sealed class Contingency
{
    private Contingency(long[,] counts, long[] rowSums, long[] columnSums, int[] rowLabels, int[] columnLabels, long n)
    {
        Counts = counts; RowSums = rowSums; ColumnSums = columnSums; RowLabels = rowLabels; ColumnLabels = columnLabels; N = n;
    }

    public long[,] Counts { get; }
    public long[] RowSums { get; }
    public long[] ColumnSums { get; }

    /// <summary>The original label value of each row / column.</summary>
    public int[] RowLabels { get; }
    public int[] ColumnLabels { get; }

    public long N { get; }
    public int Rows => RowSums.Length;
    public int Columns => ColumnSums.Length;

    public static Contingency Of(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"The labelings have different lengths ({a.Length} and {b.Length}).");
        var (rowIds, rowLabels) = Dense(a);
        var (columnIds, columnLabels) = Dense(b);
        var counts = new long[rowLabels.Length, columnLabels.Length];
        var rowSums = new long[rowLabels.Length];
        var columnSums = new long[columnLabels.Length];
        for (int i = 0; i < a.Length; i++)
        {
            counts[rowIds[i], columnIds[i]]++;
            rowSums[rowIds[i]]++;
            columnSums[columnIds[i]]++;
        }
        return new Contingency(counts, rowSums, columnSums, rowLabels, columnLabels, a.Length);
    }

    /// <summary>
    /// The table of two byte labelings (a run's label maps, one byte a pixel), counted in place: no per-point copy, so
    /// scoring two 40-megapixel maps takes a 256 × 256 table, not four int arrays of the image's size.
    /// </summary>
    public static Contingency Of(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"The labelings have different lengths ({a.Length} and {b.Length}).");
        var full = new long[256, 256];
        var rowOrder = new List<int>(); var columnOrder = new List<int>();
        var rowSeen = new bool[256]; var columnSeen = new bool[256];
        for (int i = 0; i < a.Length; i++)
        {
            byte x = a[i], y = b[i];
            full[x, y]++;
            if (!rowSeen[x]) { rowSeen[x] = true; rowOrder.Add(x); }
            if (!columnSeen[y]) { columnSeen[y] = true; columnOrder.Add(y); }
        }
        var counts = new long[rowOrder.Count, columnOrder.Count];
        var rowSums = new long[rowOrder.Count];
        var columnSums = new long[columnOrder.Count];
        for (int i = 0; i < rowOrder.Count; i++)
        for (int j = 0; j < columnOrder.Count; j++)
        {
            long c = full[rowOrder[i], columnOrder[j]];
            counts[i, j] = c; rowSums[i] += c; columnSums[j] += c;
        }
        return new Contingency(counts, rowSums, columnSums, [.. rowOrder], [.. columnOrder], a.Length);
    }

    /// <summary>Σ over cells of C(n_ij, 2): pairs of points together in both labelings.</summary>
    public double PairsTogetherInBoth()
    {
        double sum = 0;
        foreach (long c in Counts) sum += Pairs(c);
        return sum;
    }

    public double PairsTogetherInRows() => RowSums.Sum(Pairs);

    public double PairsTogetherInColumns() => ColumnSums.Sum(Pairs);

    public static double Pairs(long m) => m * (m - 1) / 2.0;

    /// <summary>Labels renumbered 0, 1, 2, … in order of first appearance, and the original value of each number.</summary>
    private static (int[] Ids, int[] Labels) Dense(ReadOnlySpan<int> labels)
    {
        var ids = new int[labels.Length];
        var map = new Dictionary<int, int>();
        var values = new List<int>();
        int last = 0, lastId = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (lastId < 0 || label != last) // runs of one label are common in images: skip the lookup
            {
                if (!map.TryGetValue(label, out lastId)) { lastId = map.Count; map[label] = lastId; values.Add(label); }
                last = label;
            }
            ids[i] = lastId;
        }
        return (ids, values.ToArray());
    }
}
