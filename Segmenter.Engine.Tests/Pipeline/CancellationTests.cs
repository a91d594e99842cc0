using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

public class CancellationTests
{
    /// <summary>
    /// A cancel from another thread (not from inside a callback) while an Original-preset run trains: the run ends with
    /// OperationCanceledException and no epoch is reported once the cancel is requested, because the trainer checks the
    /// token before every batch (about a thousand per epoch here), not between epochs. The canceller wakes on the first
    /// epoch's report, not on a timer, so the cancel lands inside the training on any machine. How soon the run ends
    /// after a cancel is a speed target, measured by the bench (`cancel`).
    /// </summary>
    [Fact]
    public void A_cancel_from_another_thread_mid_training_ends_the_run_and_no_further_epoch()
    {
        var image = SampleImages.Astronaut();
        using var cts = new CancellationTokenSource();
        using var firstEpochReported = new ManualResetEventSlim();
        var canceller = new Thread(() => { firstEpochReported.Wait(); cts.Cancel(); });
        canceller.Start();
        var epochs = new List<(int Epoch, bool CancelRequested)>();
        var p = SegmentationParameters.ForPreset(Preset.Original) with { Epochs = 50 };

        var error = Record.Exception(() => SegmentationPipeline.Run(image, p, e =>
        {
            if (e is not EpochCompleted { Loss: var loss }) return;
            epochs.Add((loss.Epoch, cts.IsCancellationRequested));
            firstEpochReported.Set();
        }, cts.Token));
        canceller.Join();

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(cts.IsCancellationRequested);
        Assert.NotEmpty(epochs);
        Assert.True(epochs.All(e => !e.CancelRequested),
            $"epochs reported: {string.Join(", ", epochs.Select(e => e.Epoch + (e.CancelRequested ? " (after the cancel)" : "")))}");
        Assert.True(epochs.Count < p.Epochs, $"all {p.Epochs} epochs ran");
    }
}
