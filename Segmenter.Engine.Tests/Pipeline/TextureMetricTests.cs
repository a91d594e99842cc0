using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// The texture block's metric (<see cref="TextureMetric"/>): on rows where each cluster drifts along a direction that
/// leans into the one the clusters differ along, plain k-means's boundary (half-way between the centres, square to the
/// line joining them) cuts off the ends of the drift, and k-means through the learnt map places it along the drift;
/// the map whitens the spread within the clusters it finds, written out as a covariance.
/// </summary>
public class TextureMetricTests(ITestOutputHelper output)
{
    private const int Rows = 4000, Dims = 2;

    /// <summary>
    /// Two clusters 1 apart along number 0, both drifting uniformly over ±0.4 along number 1 and 0.6 × as much along
    /// number 0 (as a texture's energies drift with the photograph's scale); noise of spread 0.15 on both numbers, and
    /// each standardised, as the texture block is before its map.
    /// </summary>
    private static (float[] Rows, int[] Truth) Drifting()
    {
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = new double[Rows * Dims];
        var truth = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            truth[i] = i % 2;
            double drift = 0.4 * (2 * rng.NextDouble() - 1);
            x[i * Dims] = truth[i] + 0.6 * drift + 0.15 * Normal();
            x[i * Dims + 1] = drift + 0.15 * Normal();
        }
        for (int j = 0; j < Dims; j++)
        {
            double mean = Enumerable.Range(0, Rows).Average(i => x[i * Dims + j]);
            double sd = Math.Sqrt(Enumerable.Range(0, Rows).Average(i => (x[i * Dims + j] - mean) * (x[i * Dims + j] - mean)));
            for (int i = 0; i < Rows; i++) x[i * Dims + j] = (x[i * Dims + j] - mean) / sd;
        }
        return (x.Select(v => (float)v).ToArray(), truth);
    }

    private static float[] Mapped(float[] rows, float[] map)
    {
        var to = new float[rows.Length];
        for (int i = 0; i < Rows; i++)
            for (int b = 0; b < Dims; b++)
                for (int a = 0; a < Dims; a++) to[i * Dims + b] += rows[i * Dims + a] * map[a * Dims + b];
        return to;
    }

    [Fact]
    public void Clusters_whose_drift_leans_into_their_difference_are_split_along_it_through_the_learnt_map()
    {
        var (rows, truth) = Drifting();
        int Wrong(int[] labels) // rows off their cluster, the two labels matched either way
        {
            int differ = Enumerable.Range(0, Rows).Count(i => labels[i] != truth[i]);
            return Math.Min(differ, Rows - differ);
        }
        int plain = Wrong(new KMeans(2, 4, seed: 42).Fit(rows, Dims).Labels);
        var map = TextureMetric.Learn(rows, Rows, Dims, null, clusters: 2, seed: 42)!;
        int learnt = Wrong(new KMeans(2, 4, seed: 42).Fit(Mapped(rows, map), Dims).Labels);
        output.WriteLine($"rows off their cluster: plain {plain}, through the map {learnt} (of {Rows})");
        Assert.True(plain >= Rows / 500, $"plain k-means puts {plain} rows off their cluster: its boundary cuts off nothing, the rows test nothing");
        Assert.True(2 * learnt < plain, $"through the map {learnt} rows off their cluster, plain {plain}");
    }

    [Fact]
    public void The_map_whitens_the_spread_within_the_clusters_it_finds_and_keeps_a_total_variance_of_1()
    {
        var (rows, truth) = Drifting();
        var y = Mapped(rows, TextureMetric.Learn(rows, Rows, Dims, null, clusters: 2, seed: 42)!);
        // The within-cluster covariance of the mapped rows, by the true clusters (which the map finds, above).
        var cov = new double[Dims, Dims];
        for (int c = 0; c < 2; c++)
        {
            var members = Enumerable.Range(0, Rows).Where(i => truth[i] == c).ToArray();
            var mean = Enumerable.Range(0, Dims).Select(j => members.Average(i => (double)y[i * Dims + j])).ToArray();
            foreach (int i in members)
                for (int a = 0; a < Dims; a++)
                    for (int b = 0; b < Dims; b++) cov[a, b] += (y[i * Dims + a] - mean[a]) * (y[i * Dims + b] - mean[b]) / Rows;
        }
        double diagonal = Enumerable.Range(0, Dims).Average(j => cov[j, j]);
        for (int a = 0; a < Dims; a++)
        {
            output.WriteLine(string.Join(" ", Enumerable.Range(0, Dims).Select(b => $"{cov[a, b]:F5}")));
            for (int b = 0; b < Dims; b++)
                Assert.True(Math.Abs(cov[a, b] - (a == b ? diagonal : 0)) < 0.05 * diagonal, $"within-cluster covariance [{a},{b}] = {cov[a, b]:F5}, mean diagonal {diagonal:F5}");
        }
        double total = Enumerable.Range(0, Dims).Sum(j =>
        {
            double mean = Enumerable.Range(0, Rows).Average(i => (double)y[i * Dims + j]);
            return Enumerable.Range(0, Rows).Average(i => (y[i * Dims + j] - mean) * (y[i * Dims + j] - mean));
        });
        Assert.Equal(1, total, 3);
    }

    [Fact]
    public void One_cluster_has_no_map()
    {
        var (rows, _) = Drifting();
        Assert.Null(TextureMetric.Learn(rows, Rows, Dims, null, clusters: 1, seed: 42));
    }
}
