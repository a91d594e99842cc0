using System.Diagnostics;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// Tests that time how fast something reacts (a cancel from a timer). They run alone, after the parallel classes:
/// xunit runs test classes two at a time, and a neighbour's Parallel.For over every core keeps the thread pool busy
/// enough that the cancel's timer itself fired 10 s late in CI, which says nothing about the pipeline.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReactionTimeCollection
{
    public const string Name = "Reaction time, run alone";
}

[Collection(ReactionTimeCollection.Name)]
public class CancellationTests
{
    /// <summary>
    /// Cancel arrives from a timer about 100 ms into the second Original-preset epoch (every pixel, about a second
    /// or more per epoch), not from inside a callback: the run must end with OperationCanceledException within a
    /// second of the cancel, and no epoch may complete after it.
    /// </summary>
    [Fact]
    public void Cancelling_from_a_timer_mid_epoch_ends_the_run_within_a_second_and_no_further_epoch()
    {
        var image = SampleImages.Astronaut();
        using var cts = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var epochEnds = new List<TimeSpan>();
        TimeSpan? cancelledAt = null;
        using var onCancel = cts.Token.Register(() => cancelledAt = clock.Elapsed);
        var p = SegmentationParameters.ForPreset(Preset.Original) with { Epochs = 50 };

        var error = Record.Exception(() => SegmentationPipeline.Run(image, p, e =>
        {
            if (e is not EpochCompleted) return;
            lock (epochEnds) epochEnds.Add(clock.Elapsed);
            if (epochEnds.Count == 1) cts.CancelAfter(TimeSpan.FromMilliseconds(100));
        }, cts.Token));
        var endedAt = clock.Elapsed;

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.NotNull(cancelledAt);
        var ends = epochEnds.ToArray();
        Assert.True(ends.Length == 1, $"epochs ended at {string.Join(", ", ends.Select(t => t.TotalSeconds.ToString("F2")))} s; cancelled at {cancelledAt.Value.TotalSeconds:F2} s");
        Assert.True(ends[0] > TimeSpan.FromSeconds(0.3), $"the first epoch took only {ends[0].TotalSeconds:F2} s: too short to cancel in the middle of the next");
        Assert.True(endedAt - cancelledAt.Value < TimeSpan.FromSeconds(1),
            $"the run ended {(endedAt - cancelledAt.Value).TotalMilliseconds:F0} ms after the cancel");
    }
}
