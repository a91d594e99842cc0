using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The ownership rule of <see cref="TrainedModel"/>: results refer to it, its holder disposes it.</summary>
public class TrainedModelTests
{
    private static readonly SegmentationParameters Tiny = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 2, Clusters = 3, Window = 3 };

    [Fact]
    public void The_model_outlives_the_results_made_from_it_and_every_result_refers_to_the_one_model()
    {
        var (image, _) = SampleImages.Blocks(16, 16, seed: 4);
        var run = SegmentationPipeline.Run(image, Tiny);
        using var model = run.Model!;
        var two = model.Cluster(Tiny with { Clusters = 2 });
        var (codes, dims) = model.PixelCodes();
        var edited = model.Relabel(two, SteeredClusters.FromLabels(codes, dims, two.Labels.Select(l => (int)l).ToArray(), 2), codes, dims);

        Assert.All(new[] { run, two, edited }, r => Assert.Same(model, r.Model));
        Assert.Same(image, model.Image);
        // Results are not disposable and drop nothing: after all of them were made, the model still works in full.
        Assert.False(model.IsDisposed);
        Assert.True(model.ResidentBytes > 0);
        Assert.Equal(4, model.Cluster(Tiny with { Clusters = 4 }).Clusters.Count);
        Assert.NotNull(model.AttentionAt(3, 3));
        Assert.Equal(2, model.SweepK(2, 3).Count);
        Assert.InRange(model.Quality(edited).SampleSize, 2, 256);
    }

    [Fact]
    public void A_disposed_model_refuses_every_use_with_ObjectDisposedException_while_its_results_stay_readable()
    {
        var (image, _) = SampleImages.Blocks(16, 16, seed: 5);
        var run = SegmentationPipeline.Run(image, Tiny);
        var model = run.Model!;
        model.Dispose();
        model.Dispose(); // a second dispose is harmless

        Assert.True(model.IsDisposed);
        Assert.Equal(0, model.ResidentBytes);
        var e = Assert.Throws<ObjectDisposedException>(() => model.Cluster(Tiny));
        Assert.Contains("trained model has been disposed", e.Message);
        Assert.Throws<ObjectDisposedException>(() => model.SweepK(2, 3));
        Assert.Throws<ObjectDisposedException>(() => model.AttentionAt(1, 1));
        Assert.Throws<ObjectDisposedException>(() => model.Encode());
        Assert.Throws<ObjectDisposedException>(() => model.Quality(run));
        Assert.Throws<ObjectDisposedException>(() => model.Image); // the image and the fitted codes are let go too
        // What the result already holds is managed memory: labels, tables and rendering outlive the model.
        Assert.Equal(16 * 16, run.Labels.Length);
        Assert.Equal(16, run.RenderPalette().Width);
    }

    [Fact]
    public void Cluster_on_the_held_model_changes_only_the_clustering_and_matches_a_fresh_run_with_the_same_seed()
    {
        var (image, _) = SampleImages.Blocks(16, 16, seed: 6);
        var run = SegmentationPipeline.Run(image, Tiny);
        using var model = run.Model!;
        // The training settings in the argument are ignored: the held model decides them (as re-clustering always did).
        var four = model.Cluster(Tiny with { Clusters = 4, Epochs = 9, LearningRate = 0.5 });
        Assert.Equal(Tiny with { Clusters = 4 }, four.Parameters);
        Assert.True(four.Reclustered);
        Assert.Equal(run.EpochLosses, four.EpochLosses);
        Assert.Equal(four.Labels, model.Cluster(Tiny with { Clusters = 4 }).Labels); // seeded: the same again
        Assert.Equal(four.Labels, model.Cluster((Tiny with { Clusters = 4 }).Clustering).Labels); // the clustering settings alone

        // A fresh run with k = 4 and the same seed trains the same model, so it lands on the same labels.
        var fresh = SegmentationPipeline.Run(image, Tiny with { Clusters = 4 });
        using var freshModel = fresh.Model;
        Assert.Equal(fresh.Labels, four.Labels);
        Assert.Equal(fresh.Inertia, four.Inertia, 6);
        Assert.Equal(fresh.Centres, four.Centres);
    }
}
