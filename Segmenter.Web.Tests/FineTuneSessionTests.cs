using Segmenter.Engine.Steering;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>The stroke fine-tune as a session job with the real engine: it trains, continues the loss curve and publishes an undoable edit.</summary>
public sealed class FineTuneSessionTests
{
    private const int W = TrainedBands.Width, H = TrainedBands.Height;

    private static byte[] LeftAndMiddleBands()
    {
        var strokes = new byte[W * H];
        for (int y = 4; y < 12; y++) { strokes[y * W + 2] = 1; strokes[y * W + 12] = 2; }
        return strokes;
    }

    [Fact]
    public async Task Fine_tune_trains_more_epochs_then_publishes_the_strokes_as_an_undoable_edit()
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        var trained = session.Current.Result!.Labels.ToArray();
        int trainedEpochs = session.Jobs.EpochLosses.Count;
        var strokes = LeftAndMiddleBands();

        Assert.True(await session.Edits.FineTuneWithScribblesAsync(strokes, epochs: 2), session.Changes.Error);
        await TestData.Until(() => session.Jobs.State is SessionState.Finished or SessionState.Failed or SessionState.Cancelled);
        Assert.True(session.Jobs.State == SessionState.Finished, session.Changes.Error);

        Assert.Equal(trainedEpochs + 2, session.Jobs.EpochLosses.Count);
        Assert.All(session.Jobs.EpochLosses.Skip(trainedEpochs), l => Assert.True(double.IsFinite(l.Loss)));
        Assert.Equal(1, session.Current.Result!.Model!.Version);
        Assert.True(session.Current.Result.Reclustered);
        var labels = session.Current.Result.Labels;
        Assert.NotEqual(labels[4 * W + 2], labels[4 * W + 12]);
        for (int y = 4; y < 12; y++)
        {
            Assert.Equal(labels[4 * W + 2], labels[y * W + 2]);
            Assert.Equal(labels[4 * W + 12], labels[y * W + 12]);
        }
        Assert.Same(strokes, session.Edits.CurrentScribbles!.BrushOfPixel);

        Assert.True(await session.Edits.UndoEditAsync(), session.Changes.Error);
        Assert.Equal(trained, session.Current.Result!.Labels);
    }

    [Fact]
    public async Task Cancel_mid_fine_tune_keeps_the_shown_result_and_its_network_and_a_new_fine_tune_can_start()
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        var shown = session.Current.Result!;
        var trained = shown.Labels.ToArray();
        int trainedEpochs = session.Jobs.EpochLosses.Count;

        // Cancel as the first fine-tune epoch lands (the change is raised on the engine's thread, so the cancel is
        // seen within the next batch: on this tiny image the other epochs would be over before a poll saw one).
        int cancelled = 0;
        session.Changes.Changed += () =>
        {
            if (session.Jobs.EpochLosses.Count > trainedEpochs && Interlocked.Exchange(ref cancelled, 1) == 0) session.Jobs.Cancel();
        };
        Assert.True(await session.Edits.FineTuneWithScribblesAsync(LeftAndMiddleBands(), epochs: FineTuneSettings.MaxEpochs), session.Changes.Error);
        await TestData.Until(() => !session.Jobs.IsBusy);
        Assert.Equal(1, cancelled);

        Assert.Equal(SessionState.Cancelled, session.Jobs.State);
        Assert.Same(shown, session.Current.Result);
        Assert.Equal(trained, session.Current.Result!.Labels);
        Assert.Equal(0, shown.Model!.Version); // the network is the run's again, not part-tuned
        Assert.Equal(trainedEpochs, session.Jobs.EpochLosses.Count); // and the curve is the run's
        Assert.True(session.Edits.CanFineTune);
        Assert.True(await session.Edits.FineTuneWithScribblesAsync(LeftAndMiddleBands(), epochs: 1), session.Changes.Error);
        await TestData.Until(() => !session.Jobs.IsBusy);
        Assert.True(session.Jobs.State == SessionState.Finished, session.Changes.Error);
        Assert.Equal(1, session.Current.Result!.Model!.Version);
    }

    [Theory]
    [InlineData(2, 0, "epochs")]
    [InlineData(2, 21, "epochs")]
    [InlineData(1, 3, "two brushes")]
    public async Task Unusable_strokes_or_epochs_are_refused_with_a_message_and_change_nothing(int brushes, int epochs, string message)
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        var shown = session.Current.Result;
        var strokes = LeftAndMiddleBands();
        for (int i = 0; i < strokes.Length; i++) if (strokes[i] > brushes) strokes[i] = 0;

        Assert.False(await session.Edits.FineTuneWithScribblesAsync(strokes, epochs));
        Assert.Contains(message, session.Changes.Error);
        Assert.Same(shown, session.Current.Result);
        Assert.Equal(0, shown!.Model!.Version);
        Assert.False(session.Jobs.IsBusy);
    }
}
