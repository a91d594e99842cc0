using Bunit;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The merge/split/undo controls on a session whose real engine trains three clusters on three colours (pixel i has colour i mod 3)
/// with codes from the trained model; the edits themselves are the engine's real ClusterEdits.
/// </summary>
public sealed class ClusterEditPanelTests : IAsyncLifetime
{
    private const int W = 8, H = 6;
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session;

    // Cluster 0 holds two colours (left and right half), clusters 1 and 2 one each: only cluster 0 can split. Raw codes
    // and no border refinement: pooled codes of this 8×6 stripe pattern differ pixel by pixel within a colour, so
    // every cluster could split.
    public ClusterEditPanelTests()
    {
        _session = EditSessions.ThreeClusters(W, H, "three.png", greenOnRightOfCluster0: 40);
        _session.Settings.Form.Advanced.CodePooling = 0;
        _session.Settings.Form.Advanced.ColourWeight = 0;
        _session.Settings.Form.Advanced.BorderRefinement = 0;
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private async Task<IRenderedComponent<ClusterEditPanel>> RenderAfterARun()
    {
        await TestData.TrainAsync(_session);
        return _ctx.Render<ClusterEditPanel>(_session);
    }

    private static async Task Tick(IRenderedComponent<ClusterEditPanel> cut, int cluster)
        => await cut.InvokeAsync(() => Box(cut, cluster).Change(true));

    /// <summary>The cluster's checkbox input (MudCheckBox puts the test id on its input or around it, by version).</summary>
    internal static AngleSharp.Dom.IElement Box(IRenderedComponent<ClusterEditPanel> cut, int cluster)
    {
        var e = cut.Find($"[data-testid=edit-cluster][data-cluster=\"{cluster}\"]");
        return e.TagName == "INPUT" ? e : e.QuerySelector("input")!;
    }

    internal static bool Ticked(IRenderedComponent<ClusterEditPanel> cut, int cluster)
        => Box(cut, cluster) is var box && (box.HasAttribute("checked") || box.GetAttribute("aria-checked") == "true");

    private static async Task Click(IRenderedComponent<ClusterEditPanel> cut, string testId)
        => await cut.InvokeAsync(() => cut.Find($"[data-testid={testId}]").Click());

    private static bool Disabled(IRenderedComponent<ClusterEditPanel> cut, string testId) => cut.Find($"[data-testid={testId}]").HasAttribute("disabled");

    [Fact]
    public void Before_a_run_there_are_no_edit_buttons()
    {
        var cut = _ctx.Render<ClusterEditPanel>(_session);
        Assert.Empty(cut.FindAll("[data-testid=merge-button]"));
        Assert.Contains("After a run", cut.Markup);
    }

    [Fact]
    public async Task Merge_needs_two_ticked_clusters_and_split_exactly_one()
    {
        var cut = await RenderAfterARun();
        Assert.Equal(3, cut.FindAll("[data-testid=edit-cluster]").Count);
        Assert.True(Disabled(cut, "merge-button"));
        Assert.True(Disabled(cut, "split-button"));
        Assert.True(Disabled(cut, "undo-button"));
        Assert.True(Disabled(cut, "redo-button"));

        await Tick(cut, 0);
        Assert.True(Disabled(cut, "merge-button"));
        Assert.False(Disabled(cut, "split-button"));

        await Tick(cut, 2);
        Assert.False(Disabled(cut, "merge-button"));
        Assert.True(Disabled(cut, "split-button"));
    }

    [Fact]
    public async Task The_ticks_are_the_sessions_selection_both_ways()
    {
        var cut = await RenderAfterARun();
        Assert.StartsWith("Selected: none", cut.Find("[data-testid=cluster-selection]").TextContent.Trim());

        await Tick(cut, 2);
        Assert.Equal([2], _session.Picks.SelectedClusters);
        await cut.InvokeAsync(() => _session.Picks.SelectCluster(0, true)); // picked elsewhere (a click on the results)
        cut.WaitForAssertion(() => Assert.True(Ticked(cut, 0)));
        Assert.Equal("Selected: 0, 2", cut.Find("[data-testid=cluster-selection]").TextContent.Trim());
        Assert.Equal("0, 2", cut.Find("[data-testid=cluster-selection]").GetAttribute("data-selected"));
        Assert.False(Disabled(cut, "merge-button"));
        Assert.Contains("Merge 2", cut.Find("[data-testid=merge-button]").TextContent);

        await cut.InvokeAsync(() => Box(cut, 2).Change(false));
        Assert.Equal([0], _session.Picks.SelectedClusters);
        Assert.False(Ticked(cut, 2));
        Assert.False(Disabled(cut, "split-button"));
    }

    [Fact]
    public async Task Merge_shows_the_joined_cluster_undo_restores_the_labels_and_redo_merges_again()
    {
        var cut = await RenderAfterARun();
        var trained = _session.Current.Result!.Labels.ToArray();
        await Tick(cut, 0);
        await Tick(cut, 2);
        Assert.True(Ticked(cut, 0) && Ticked(cut, 2) && !Ticked(cut, 1));
        await Click(cut, "merge-button");
        await TestData.Until(() => _session.Current.Result!.Clusters.Count == 2);

        var merged = _session.Current.Result!.Labels;
        for (int i = 0; i < merged.Length; i++) Assert.Equal(trained[i] == 1 ? 1 : 0, merged[i]);
        Assert.Equal(2, _session.Current.Result.Clusters.Count);
        Assert.Equal(trained.Count(l => l != 1), _session.Current.Result.Clusters[0].PixelCount);
        cut.Render();
        Assert.Equal(2, cut.FindAll("[data-testid=edit-cluster]").Count);
        Assert.All(Enumerable.Range(0, 2), c => Assert.False(Ticked(cut, c)));

        Assert.False(Disabled(cut, "undo-button"));
        await Click(cut, "undo-button");
        await TestData.Until(() => _session.Current.Result!.Clusters.Count == 3);
        Assert.Equal(trained, _session.Current.Result!.Labels);
        cut.Render();
        Assert.True(Disabled(cut, "undo-button"));
        Assert.False(Disabled(cut, "redo-button"));

        await Click(cut, "redo-button");
        await TestData.Until(() => _session.Current.Result!.Clusters.Count == 2);
        Assert.Equal(merged, _session.Current.Result!.Labels);
        Assert.Null(_session.Changes.Error);
    }

    [Fact]
    public async Task Split_divides_only_the_ticked_cluster()
    {
        var cut = await RenderAfterARun();
        var trained = _session.Current.Result!.Labels.ToArray();
        await Tick(cut, 0);
        await Click(cut, "split-button");
        await TestData.Until(() => _session.Current.Result!.Clusters.Count == 4);

        var split = _session.Current.Result!.Labels;
        for (int i = 0; i < split.Length; i++)
        {
            if (trained[i] != 0) Assert.Equal(trained[i], split[i]);
            // The two halves of cluster 0 (its two colours) become cluster 0 and the new cluster 3.
            else Assert.Contains(split[i], new byte[] { 0, 3 });
        }
        Assert.Equal(2, split.Where((l, i) => trained[i] == 0).Distinct().Count());
    }

    [Fact]
    public async Task A_refused_split_says_why_and_leaves_the_labels_and_history_alone()
    {
        var cut = await RenderAfterARun();
        var trained = _session.Current.Result!.Labels.ToArray();
        await Tick(cut, 1); // one colour: nothing to split
        await Click(cut, "split-button");
        await TestData.Until(() => _session.Changes.Error is not null);

        Assert.Contains("cannot split into 2", _session.Changes.Error);
        Assert.Equal(trained, _session.Current.Result!.Labels);
        cut.Render();
        Assert.True(Disabled(cut, "undo-button"));
    }
}
