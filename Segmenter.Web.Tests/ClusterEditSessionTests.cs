using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Merge and undo in a session with the real engine: real training, codes from the trained model, results sharing it.</summary>
public sealed class ClusterEditSessionTests
{
    [Fact]
    public async Task A_merge_and_its_undo_on_a_trained_run_show_as_results_of_the_same_model()
    {
        using var session = await TrainedBands.StartAsync(clusters: 3);
        const int w = TrainedBands.Width, h = TrainedBands.Height;
        var trained = session.Result!.Labels.ToArray();
        Assert.True(session.CanEditClusters);

        Assert.True(await session.MergeClustersAsync([0, 1]), session.Changes.Error);
        Assert.Equal(2, session.Result!.Clusters.Count);
        Assert.True(session.Result.Reclustered);
        Assert.True(session.Result.Model!.ResidentBytes > 0); // the edited result refers to the run's model: it can be edited again
        Assert.NotNull(session.GetPng(ResultImage.Segmented));
        for (int i = 0; i < trained.Length; i++) Assert.Equal(trained[i] == 2 ? 1 : 0, session.Result.Labels[i]);
        Assert.True(session.ResidentBytes >= 4L * w * h * 32); // the per-pixel codes count against the budget

        Assert.True(await session.UndoEditAsync(), session.Changes.Error);
        Assert.Equal(trained, session.Result!.Labels);
        Assert.False(session.CanUndoEdit);
        Assert.True(session.CanRedoEdit);
        Assert.False(await session.UndoEditAsync());
        Assert.Contains("no edit to undo", session.Changes.Error);
    }
}
