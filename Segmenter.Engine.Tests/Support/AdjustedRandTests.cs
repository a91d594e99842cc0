namespace Segmenter.Engine.Tests.Support;

public class AdjustedRandTests
{
    [Fact]
    public void IdenticalPartitionsScoreOne() =>
        Assert.Equal(1.0, AdjustedRand.Index([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]), 12);

    [Fact]
    public void PermutedLabelNamesScoreOne() =>
        Assert.Equal(1.0, AdjustedRand.Index([0, 0, 1, 1, 2, 2], [7, 7, -3, -3, 0, 0]), 12);

    [Fact]
    public void HandComputedExample()
    {
        // truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]: contingency rows {2,1,0},{0,1,2}.
        // Σ C(n_ij,2) = 1 + 1 = 2; Σ C(a_i,2) = 3 + 3 = 6; Σ C(b_j,2) = 1 + 1 + 1 = 3; C(6,2) = 15.
        // E = 6·3/15 = 1.2; max = (6+3)/2 = 4.5; ARI = (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3 = 0.242424…
        Assert.Equal(8.0 / 33.0, AdjustedRand.Index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
    }

    [Theory] // values from sklearn's adjusted_rand_score documentation
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }, 0.5714285714285715)]
    [InlineData(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }, 0.5714285714285715)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }, 1.0)]
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }, 0.0)]
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 5, 5, 5, 5 }, 1.0)]
    [InlineData(new[] { 0, 1, 2, 3 }, new[] { 3, 2, 1, 0 }, 1.0)]
    public void MatchesSklearnDocumentedValues(int[] truth, int[] pred, double expected) =>
        Assert.Equal(expected, AdjustedRand.Index(truth, pred), 12);

    [Fact]
    public void IsSymmetric() =>
        Assert.Equal(AdjustedRand.Index([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0, 2]),
                     AdjustedRand.Index([0, 1, 1, 2, 2, 0, 2], [0, 0, 1, 1, 2, 2, 2]), 12);

    [Fact]
    public void LengthMismatchThrows() =>
        Assert.Throws<ArgumentException>(() => AdjustedRand.Index([0, 1], [0, 1, 2]));
}
