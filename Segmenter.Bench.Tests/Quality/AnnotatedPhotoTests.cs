using Segmenter.Bench;
using Segmenter.Bench.Quality;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Quality;

public sealed class AnnotatedPhotoTests() : TemporaryFolderTest("segmenter-photos-")
{
    [Fact]
    public void Photos_pair_with_their_truths_by_name_and_a_limit_spreads_over_folders()
    {
        // BSDS layout: images/{train,val}/NAME.jpg beside groundTruth/{train,val}/NAME.mat; one photo lacks a truth.
        foreach (var (split, names) in new[] { ("train", new[] { "1", "2", "3", "4" }), ("val", new[] { "5", "6" }) })
            foreach (string name in names)
            {
                Touch(Path.Combine(Dir, "images", split, name + ".jpg"));
                Touch(Path.Combine(Dir, "groundTruth", split, name + ".mat"));
            }
        Touch(Path.Combine(Dir, "images", "val", "7.jpg"));
        Touch(Path.Combine(Dir, "images", "val", "Thumbs.db"));

        var all = AnnotatedPhoto.Find(Dir, limit: null);
        Assert.Equal(["1", "2", "3", "4", "5", "6"], all.Select(p => p.Name));
        Assert.EndsWith(Path.Combine("groundTruth", "train", "1.mat"), all[0].TruthPaths.Single());

        // Three of six, evenly spaced: indices 0, 2, 4 → both folders represented.
        Assert.Equal(["1", "3", "5"], AnnotatedPhoto.Find(Dir, limit: 3).Select(p => p.Name));
        Assert.Throws<UsageException>(() => AnnotatedPhoto.Find(Path.Combine(Dir, "images", "missing"), null));
    }

    [Theory]
    [InlineData(new[] { 1 }, 2)]              // clamped up
    [InlineData(new[] { 3, 5, 40 }, 5)]       // odd count: the middle one
    [InlineData(new[] { 20, 30 }, 12)]        // clamped down
    [InlineData(new[] { 4, 7 }, 6)]           // even count: mean of the middle two, 5.5 → 6
    public void K_is_the_annotators_median_segment_count_clamped(int[] segmentCounts, int expected)
    {
        var annotators = segmentCounts.Select(s => Enumerable.Range(0, 50).Select(i => i % s).ToArray()).ToList();
        Assert.Equal(expected, AnnotatedPhoto.ClustersFor(annotators));
    }

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }
}
