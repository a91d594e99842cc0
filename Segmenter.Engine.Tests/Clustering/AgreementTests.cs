using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Tests.Clustering;

public class AgreementTests
{
    // ---- adjusted Rand index ----

    [Fact]
    public void Byte_label_maps_score_the_same_as_their_int_copies()
    {
        var random = new Random(7);
        foreach (var (n, ka, kb) in new[] { (2, 1, 1), (50, 3, 4), (10_000, 12, 7), (4_096, 256, 256) })
        {
            var a = new byte[n]; var b = new byte[n];
            for (int i = 0; i < n; i++) { a[i] = (byte)random.Next(ka); b[i] = (byte)((a[i] * 5 + random.Next(3)) % kb); }
            Assert.Equal(Agreement.AdjustedRandIndex(Array.ConvertAll(a, l => (int)l), Array.ConvertAll(b, l => (int)l)),
                Agreement.AdjustedRandIndex(a, b), 12);
        }
        Assert.Throws<ArgumentException>(() => Agreement.AdjustedRandIndex(new byte[3], new byte[4]));
    }

    [Fact]
    public void Identical_partitions_score_one() =>
        Assert.Equal(1.0, Agreement.AdjustedRandIndex([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]), 12);

    [Fact]
    public void Permuted_label_names_score_one() =>
        Assert.Equal(1.0, Agreement.AdjustedRandIndex([0, 0, 1, 1, 2, 2], [7, 7, -3, -3, 0, 0]), 12);

    [Fact]
    public void Adjusted_rand_hand_computed_example()
    {
        // truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]: contingency rows {2,1,0},{0,1,2}.
        // Σ C(n_ij,2) = 1 + 1 = 2; Σ C(a_i,2) = 3 + 3 = 6; Σ C(b_j,2) = 1 + 1 + 1 = 3; C(6,2) = 15.
        // E = 6·3/15 = 1.2; max = (6+3)/2 = 4.5; ARI = (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3 = 0.242424…
        Assert.Equal(8.0 / 33.0, Agreement.AdjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
    }

    [Theory] // values from sklearn's adjusted_rand_score documentation
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }, 0.5714285714285715)]
    [InlineData(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }, 0.5714285714285715)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }, 1.0)]
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }, 0.0)]
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 5, 5, 5, 5 }, 1.0)]
    [InlineData(new[] { 0, 1, 2, 3 }, new[] { 3, 2, 1, 0 }, 1.0)]
    public void Adjusted_rand_matches_the_values_scikit_learn_documents(int[] truth, int[] pred, double expected) =>
        Assert.Equal(expected, Agreement.AdjustedRandIndex(truth, pred), 12);

    [Fact]
    public void Adjusted_rand_is_symmetric() =>
        Assert.Equal(Agreement.AdjustedRandIndex([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0, 2]),
                     Agreement.AdjustedRandIndex([0, 1, 1, 2, 2, 0, 2], [0, 0, 1, 1, 2, 2, 2]), 12);

    [Fact]
    public void A_length_mismatch_throws() =>
        Assert.Throws<ArgumentException>(() => Agreement.AdjustedRandIndex([0, 1], [0, 1, 2]));

    // ---- Rand index and probabilistic Rand index ----

    [Fact]
    public void Rand_index_hand_computed()
    {
        // Same pair as above: 15 pairs, 2 together in both, 6 together in truth, 3 in pred →
        // apart in both = 15 − 6 − 3 + 2 = 8; RI = (2 + 8)/15.
        Assert.Equal(10.0 / 15.0, Agreement.RandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
        Assert.Equal(5.0 / 6.0, Agreement.RandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 12); // sklearn's rand_score doc: 0.83
    }

    [Fact]
    public void Probabilistic_rand_index_hand_computed() =>
        // Against [0,0,1,1] the RI is 1, against [0,0,1,2] it is 5/6 → PRI = 11/12.
        Assert.Equal(11.0 / 12.0, Agreement.ProbabilisticRandIndex([0, 0, 1, 1], [[0, 0, 1, 1], [0, 0, 1, 2]]), 12);

    [Fact]
    public void Probabilistic_rand_index_equals_its_pairwise_definition()
    {
        var rng = new Random(3);
        int n = 40;
        int[] seg = Enumerable.Range(0, n).Select(_ => rng.Next(4)).ToArray();
        int[][] humans = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.Next(2 + rng.Next(3))).ToArray()).ToArray();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double c = seg[i] == seg[j] ? 1 : 0;
                double p = humans.Count(h => h[i] == h[j]) / (double)humans.Length;
                sum += c * p + (1 - c) * (1 - p);
                pairs++;
            }
        Assert.Equal(sum / pairs, Agreement.ProbabilisticRandIndex(seg, humans), 12);
    }

    [Fact]
    public void Probabilistic_rand_index_needs_an_annotator()
    {
        var e = Assert.Throws<ArgumentException>(() => Agreement.ProbabilisticRandIndex([0, 1], []));
        Assert.Contains("at least one human segmentation", e.Message);
    }

    // ---- Hungarian matching ----

    [Fact]
    public void Hungarian_finds_the_hand_computed_optimum()
    {
        // Rows → columns 1, 0, 2: cost 1 + 2 + 2 = 5; every other permutation costs more (e.g. 0,1,2 → 4+0+2 = 6).
        Assert.Equal([1, 0, 2], Hungarian.Assign(new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } }));
    }

    [Fact]
    public void Hungarian_handles_rectangular_matrices()
    {
        Assert.Equal([2, 0], Hungarian.Assign(new double[,] { { 5, 9, 1 }, { 1, 7, 3 } }));
        Assert.Equal([-1, 0, 1], Hungarian.Assign(new double[,] { { 9, 9 }, { 1, 8 }, { 8, 1 } }));
    }

    [Fact]
    public void Hungarian_matches_brute_force_on_random_matrices()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 5;
            var cost = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) cost[i, j] = Math.Round(rng.NextDouble() * 100);
            int[] got = Hungarian.Assign(cost);
            double best = Permutations(n).Min(p => Enumerable.Range(0, n).Sum(i => cost[i, p[i]]));
            Assert.Equal(best, Enumerable.Range(0, n).Sum(i => cost[i, got[i]]), 9);
            Assert.Equal(n, got.Distinct().Count());
        }
    }

    [Fact]
    public void Matched_mean_IoU_matches_a_hand_computed_value()
    {
        // truth {0,1,2 | 3,4,5}, pred {0..3 | 4,5}: IoU(t0,p1) = 3/4, IoU(t1,p0) = 2/3; the other matching gives 0 + 1/6.
        Assert.Equal((3.0 / 4 + 2.0 / 3) / 2, Agreement.MatchedMeanIoU([0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 0, 0]), 12);
        // Fewer clusters than truth segments: one of t0, t1 gets p0 (IoU 1/2), t2 gets p1 (IoU 1), the other 0 → 0.5.
        Assert.Equal(0.5, Agreement.MatchedMeanIoU([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1]), 12);
        Assert.Equal(1.0, Agreement.MatchedMeanIoU([0, 0, 1, 1], [9, 9, 4, 4]), 12);
    }

    [Fact]
    public void Align_to_recovers_a_permutation_exactly()
    {
        int[] reference = [0, 0, 1, 1, 2, 2, 3];
        int[] permuted = [2, 2, 3, 3, 0, 0, 1];
        Assert.Equal(reference, Agreement.AlignTo(reference, permuted));
        // An extra cluster keeps a fresh number above every reference label.
        Assert.Equal([0, 0, 2, 1, 1, 1], Agreement.AlignTo([0, 0, 0, 1, 1, 1], [5, 5, 7, 9, 9, 9]));
        var match = Agreement.MatchLabels([0, 0, 0, 1, 1, 1], [5, 5, 7, 9, 9, 9]);
        Assert.Equal(0, match[5]);
        Assert.Equal(1, match[9]);
        Assert.Null(match[7]);
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return []; yield break; }
        foreach (var p in Permutations(n - 1))
            for (int at = 0; at <= p.Length; at++)
                yield return [.. p[..at], n - 1, .. p[at..]];
    }
}
