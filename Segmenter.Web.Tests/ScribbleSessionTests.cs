using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Re-clustering with strokes in a session with the real engine: an undoable edit; bad strokes are refused.</summary>
public sealed class ScribbleSessionTests
{
    [Fact]
    public async Task Strokes_recluster_the_trained_run_as_an_undoable_edit_and_a_wrong_size_is_refused()
    {
        using var session = new SegmentationSession(TestData.Runner(), new EngineSegmentation(), new SampleImages(), new SessionRegistry(),
            Options.Create(new SegmenterOptions()), NullLogger<SegmentationSession>.Instance);
        const int w = 24, h = 16;
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            var (r, g, b) = TestData.Colours[i % w / 8]; // three vertical bands
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b;
        }
        session.SetImage(new RgbImage(w, h, px), "bands.png");
        session.Form.Clusters = 2;
        session.Form.Epochs = 1;
        Assert.True(await session.StartAsync(), session.Error);
        await TestData.Until(() => session.State is SessionState.Finished or SessionState.Failed);
        var trained = session.Result!.Labels.ToArray();

        Assert.False(await session.ReclusterWithScribblesAsync(new byte[w * h - 1]));
        Assert.Contains("not the 24×16", session.Error);
        Assert.Equal(trained, session.Result!.Labels);
        Assert.Null(session.CurrentScribbles);

        var strokes = new byte[w * h];
        for (int y = 4; y < 12; y++) { strokes[y * w + 2] = 1; strokes[y * w + 12] = 2; } // left band 1, middle band 2
        Assert.True(await session.ReclusterWithScribblesAsync(strokes), session.Error);
        Assert.True(session.Result!.Reclustered);
        Assert.NotEqual(session.Result.Labels[4 * w + 2], session.Result.Labels[4 * w + 12]);
        for (int y = 4; y < 12; y++)
        {
            Assert.Equal(session.Result.Labels[4 * w + 2], session.Result.Labels[y * w + 2]);
            Assert.Equal(session.Result.Labels[4 * w + 12], session.Result.Labels[y * w + 12]);
        }
        Assert.Same(strokes, session.CurrentScribbles!.BrushOfPixel);

        Assert.True(await session.UndoEditAsync(), session.Error);
        Assert.Equal(trained, session.Result!.Labels);
    }
}
