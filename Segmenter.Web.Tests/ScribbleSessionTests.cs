using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Re-clustering with strokes in a session with the real engine: an undoable edit; bad strokes are refused.</summary>
public sealed class ScribbleSessionTests
{
    [Fact]
    public async Task Strokes_recluster_the_trained_run_as_an_undoable_edit_and_a_wrong_size_is_refused()
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        const int w = TrainedBands.Width, h = TrainedBands.Height;
        var trained = session.Current.Result!.Labels.ToArray();

        Assert.False(await session.Edits.ReclusterWithScribblesAsync(new byte[w * h - 1]));
        Assert.Contains("not the 24×16", session.Changes.Error);
        Assert.Equal(trained, session.Current.Result!.Labels);
        Assert.Null(session.Edits.CurrentScribbles);

        var strokes = new byte[w * h];
        for (int y = 4; y < 12; y++) { strokes[y * w + 2] = 1; strokes[y * w + 12] = 2; } // left band 1, middle band 2
        Assert.True(await session.Edits.ReclusterWithScribblesAsync(strokes), session.Changes.Error);
        Assert.True(session.Current.Result!.Reclustered);
        Assert.NotEqual(session.Current.Result.Labels[4 * w + 2], session.Current.Result.Labels[4 * w + 12]);
        for (int y = 4; y < 12; y++)
        {
            Assert.Equal(session.Current.Result.Labels[4 * w + 2], session.Current.Result.Labels[y * w + 2]);
            Assert.Equal(session.Current.Result.Labels[4 * w + 12], session.Current.Result.Labels[y * w + 12]);
        }
        Assert.Same(strokes, session.Edits.CurrentScribbles!.BrushOfPixel);

        Assert.True(await session.Edits.UndoEditAsync(), session.Changes.Error);
        Assert.Equal(trained, session.Current.Result!.Labels);
    }
}
