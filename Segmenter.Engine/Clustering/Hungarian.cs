namespace Segmenter.Engine.Clustering;

/// <summary>
/// Minimum-cost assignment (Kuhn–Munkres, the O(n³) shortest-augmenting-path form with potentials, as in
/// Jonker–Volgenant / scipy's <c>linear_sum_assignment</c>). Rectangular matrices are handled: every row of the
/// smaller side gets a distinct column (or every column a distinct row).
/// </summary>
public static class Hungarian
{
    /// <summary>
    /// For a rows × columns cost matrix, returns for each row its assigned column, or −1 when there are more rows
    /// than columns and the row is left out. The total cost over assigned pairs is minimal.
    /// </summary>
    public static int[] Assign(double[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        foreach (double c in cost)
            if (!double.IsFinite(c)) throw new ArgumentException("Every assignment cost must be a finite number.", nameof(cost));
        if (rows <= columns) return Solve(rows, columns, (i, j) => cost[i, j]);

        // More rows than columns: assign columns to rows on the transpose, then invert.
        int[] rowOfColumn = Solve(columns, rows, (i, j) => cost[j, i]);
        var columnOfRow = new int[rows];
        Array.Fill(columnOfRow, -1);
        for (int j = 0; j < columns; j++) columnOfRow[rowOfColumn[j]] = j;
        return columnOfRow;
    }

    /// <summary>n ≤ m. 1-based potentials u (rows), v (columns); p[j] = row matched to column j; way = augmenting path.</summary>
    private static int[] Solve(int n, int m, Func<int, int, double> cost)
    {
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];
        var way = new int[m + 1];
        var minv = new double[m + 1];
        var used = new bool[m + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    double reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if (reduced < minv[j]) { minv[j] = reduced; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var columnOfRow = new int[n];
        for (int j = 1; j <= m; j++)
            if (p[j] != 0) columnOfRow[p[j] - 1] = j - 1;
        return columnOfRow;
    }
}
