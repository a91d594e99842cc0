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
        var trained = session.Current.Result!.Labels.ToArray();
        Assert.True(session.Edits.CanEditClusters);

        Assert.True(await session.Edits.MergeClustersAsync([0, 1]), session.Changes.Error);
        Assert.Equal(2, session.Current.Result!.Clusters.Count);
        Assert.True(session.Current.Result.Reclustered);
        Assert.True(session.Current.Result.Model!.ResidentBytes > 0); // the edited result refers to the run's model: it can be edited again
        Assert.NotNull(session.Files.GetPng(ResultImage.Segmented));
        for (int i = 0; i < trained.Length; i++) Assert.Equal(trained[i] == 2 ? 1 : 0, session.Current.Result.Labels[i]);
        Assert.True(session.Memory.ResidentBytes >= 4L * w * h * 32); // the per-pixel codes count against the budget

        Assert.True(await session.Edits.UndoEditAsync(), session.Changes.Error);
        Assert.Equal(trained, session.Current.Result!.Labels);
        Assert.False(session.Edits.CanUndoEdit);
        Assert.True(session.Edits.CanRedoEdit);
        Assert.False(await session.Edits.UndoEditAsync());
        Assert.Contains("no edit to undo", session.Changes.Error);
    }
}
