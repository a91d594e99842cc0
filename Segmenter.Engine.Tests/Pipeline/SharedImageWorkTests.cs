using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>Runs of one image share the work on the image alone (a sweep's runs): the same results, bounded, released by the last holder.</summary>
public sealed class SharedImageWorkTests
{
    // Downscaled (the working copy is shared too), with the colour and texture blocks on (their blur and energies are shared).
    private static readonly SegmentationParameters Small = SegmentationParameters.ForPreset(Preset.Fast) with
    {
        Epochs = 2, Clusters = 3, MaxPixels = 96 * 96, ColourWeight = 0.5, TextureWeight = 0.5,
    };

    [Fact]
    public void A_run_on_shared_work_gives_the_labels_of_a_run_on_its_own()
    {
        var image = SampleImages.Astronaut();
        var alone = SegmentationPipeline.Run(image, Small);
        using var aloneModel = alone.Model;

        var work = new SharedImageWork(image);
        var first = SegmentationPipeline.Run(work, Small);
        using var firstModel = first.Model;
        Assert.True(work.Count >= 3, $"the working copy, blur and energies are kept; {work.Count} pieces");
        long kept = work.Bytes;
        // The second run takes every piece from the first: nothing more is kept, and its result is the same.
        var second = SegmentationPipeline.Run(work, Small);
        using var secondModel = second.Model;
        Assert.Equal(kept, work.Bytes);

        Assert.Equal(alone.EpochLosses.Select(e => e.Loss), first.EpochLosses.Select(e => e.Loss));
        Assert.Equal(alone.Labels, first.Labels);
        Assert.Equal(alone.Labels, second.Labels);
        Assert.Equal(alone.Inertia, first.Inertia);

        // Another seed on the same work trains another network: the shared pieces do not make runs alike.
        var other = SegmentationPipeline.Run(work, Small with { Seed = Small.Seed + 1 });
        using var otherModel = other.Model;
        Assert.NotEqual(alone.EpochLosses.Select(e => e.Loss), other.EpochLosses.Select(e => e.Loss));
    }

    [Fact]
    public void Shared_baselines_are_computed_once_per_k_and_seed_and_scored_for_each_run()
    {
        var (image, truthInts) = SampleImages.Blocks(48, 36);
        var truth = Array.ConvertAll(truthInts, l => (byte)l);
        var work = new SharedImageWork(image);
        var shifted = truth.Select((l, i) => i % 7 == 0 ? (byte)((l + 1) % 3) : l).ToArray();

        var first = work.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default);
        var second = work.BaselinesBeside(shifted, 3, seed: 5, maxPixels: 0, default);
        Assert.All(first.Zip(second), pair => Assert.Same(pair.First.Labels, pair.Second.Labels));
        var fresh = BaselineView.Beside(image, shifted, 3, seed: 5);
        Assert.Equal(fresh.Select(b => b.Labels), second.Select(b => b.Labels));
        Assert.Equal(fresh.Select(b => b.AriWithRun), second.Select(b => b.AriWithRun));

        var otherSeed = work.BaselinesBeside(truth, 3, seed: 6, maxPixels: 0, default);
        Assert.NotSame(first[0].Labels, otherSeed[0].Labels);
        Assert.Equal(BaselineView.Beside(image, truth, 3, seed: 6).Select(b => b.Labels), otherSeed.Select(b => b.Labels));
    }

    [Fact]
    public void Pieces_beyond_the_byte_bound_are_computed_for_their_run_and_not_kept()
    {
        var (image, truthInts) = SampleImages.Blocks(48, 36);
        var truth = Array.ConvertAll(truthInts, l => (byte)l);
        var unbounded = new SharedImageWork(image);
        var bounded = new SharedImageWork(image, maxBytes: 48 * 36 * 2 - 1); // less than one k's baselines

        var kept = unbounded.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default);
        var computed = bounded.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default);
        Assert.Equal(kept.Select(b => b.Labels), computed.Select(b => b.Labels));
        Assert.Equal(0, bounded.Count);
        Assert.Equal(0, bounded.Bytes);
        Assert.NotSame(computed[0].Labels, bounded.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default)[0].Labels);
        Assert.Equal(1, unbounded.Count);
        Assert.InRange(unbounded.Bytes, 1, unbounded.MaxBytes);
    }

    [Fact]
    public void The_last_holder_to_let_go_releases_every_piece()
    {
        var (image, truthInts) = SampleImages.Blocks(48, 36);
        var truth = Array.ConvertAll(truthInts, l => (byte)l);
        var work = new SharedImageWork(image); // the creator holds it
        var run = work.Hold();
        work.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default);
        work.Resolution(24 * 18);
        Assert.Equal(2, work.Count);

        work.Release(); // the creator lets go; the run still holds it
        Assert.Equal(2, work.Count);
        run.Release();
        Assert.Equal(0, work.Holders);
        Assert.Equal(0, work.Count);
        Assert.Equal(0, work.Bytes);
    }

    [Fact]
    public void A_baseline_stopped_by_one_runs_cancellation_is_computed_again_for_the_next()
    {
        var (image, truthInts) = SampleImages.Blocks(48, 36);
        var truth = Array.ConvertAll(truthInts, l => (byte)l);
        var work = new SharedImageWork(image);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => work.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, cancelled.Token));
        Assert.Equal(0, work.Count);
        Assert.Equal(0, work.Bytes);
        var views = work.BaselinesBeside(truth, 3, seed: 5, maxPixels: 0, default);
        Assert.Equal(BaselineView.Beside(image, truth, 3, seed: 5).Select(b => b.Labels), views.Select(b => b.Labels));
    }
}
