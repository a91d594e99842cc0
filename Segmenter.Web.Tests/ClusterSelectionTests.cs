using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The session's one cluster selection, picked on the segmented image, the legend, the distribution
/// bars or the edit panel's ticks, on a real run of three clusters on three vertical colour bands.
/// </summary>
public sealed class ClusterSelectionTests : IAsyncLifetime
{
    private const int W = TrainedBands.Width, H = TrainedBands.Height;
    private readonly BunitContext _ctx = TestData.Context();
    private TestSession _session = null!;
    private int _changes;

    public async Task InitializeAsync()
    {
        _session = await TrainedBands.StartAsync(clusters: 3);
        Assert.True(_session.Jobs.State == SessionState.Finished, _session.Changes.Error);
        _session.Changes.Changed += () => Interlocked.Increment(ref _changes);
    }

    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private byte LabelAt(int x, int y) => _session.Current.Result!.Labels[y * W + x];

    [Fact]
    public async Task A_click_on_the_segmented_image_selects_the_cluster_under_it_and_ticks_it_in_the_edit_panel()
    {
        var results = _ctx.Render<ResultsPanel>(_session);
        var edits = _ctx.Render<ClusterEditPanel>(_session);
        // No JS in tests, so the image counts as shown at its natural size: offset (4.6, 1.2) is pixel (4, 1).
        int first = LabelAt(4, 1);
        var (x2, y2) = Enumerable.Range(0, W * H).Select(i => (X: i % W, Y: i / W)).First(p => LabelAt(p.X, p.Y) != first);
        int second = LabelAt(x2, y2);

        await results.InvokeAsync(() => results.Find("[data-testid=segmented-image]").Click(new MouseEventArgs { OffsetX = 4.6, OffsetY = 1.2 }));
        Assert.Equal([first], _session.Picks.SelectedClusters);
        await results.InvokeAsync(() => results.Find("[data-testid=segmented-image]").Click(new MouseEventArgs { OffsetX = x2, OffsetY = y2 }));
        var both = new[] { first, second }.Order().ToArray();
        Assert.Equal(both, _session.Picks.SelectedClusters);
        Assert.Equal(2, _changes);

        edits.WaitForAssertion(() =>
        {
            Assert.Equal($"Selected: {both[0]}, {both[1]}", edits.Find("[data-testid=cluster-selection]").TextContent.Trim());
            Assert.True(ClusterEditPanelTests.Ticked(edits, first) && ClusterEditPanelTests.Ticked(edits, second));
            Assert.False(edits.Find("[data-testid=merge-button]").HasAttribute("disabled"));
        });
        Assert.Contains($"selected {both[0]}, {both[1]}", results.Find("[data-testid=segmented-image] + figcaption").TextContent);

        // A second click on the same cluster drops it.
        await results.InvokeAsync(() => results.Find("[data-testid=segmented-image]").Click(new MouseEventArgs { OffsetX = 4, OffsetY = 1 }));
        Assert.Equal([second], _session.Picks.SelectedClusters);
        edits.WaitForAssertion(() => Assert.False(ClusterEditPanelTests.Ticked(edits, first)));
    }

    [Fact]
    public async Task Legend_and_bar_clicks_toggle_the_selection_and_highlight_the_cluster_while_it_is_selected()
    {
        var cut = _ctx.Render<ResultsPanel>(_session);
        IReadOnlyList<AngleSharp.Dom.IElement> Legend() => cut.FindAll("[data-testid=cluster-legend] button");

        await cut.InvokeAsync(() => Legend()[1].Click());
        Assert.Equal([1], _session.Picks.SelectedClusters);
        Assert.Equal("1", cut.Find("[data-testid=highlight-image]").GetAttribute("data-cluster"));

        await cut.InvokeAsync(() => cut.FindComponent<DistributionChart>().Instance.ClusterClicked(2));
        Assert.Equal([1, 2], _session.Picks.SelectedClusters);
        Assert.Equal("2", cut.Find("[data-testid=highlight-image]").GetAttribute("data-cluster"));
        Assert.Equal(["false", "true", "true"], Legend().Select(b => b.GetAttribute("aria-pressed")));

        await cut.InvokeAsync(() => Legend()[2].Click()); // the highlighted one dropped: the original again
        Assert.Equal([1], _session.Picks.SelectedClusters);
        Assert.Empty(cut.FindAll("[data-testid=highlight-image]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=original-image]"));
    }

    [Fact]
    public async Task The_selection_belongs_to_one_result_ignores_clusters_it_lacks_and_clamps_clicks_into_the_image()
    {
        _session.Picks.SelectCluster(9, true); // k = 3: no cluster 9
        _session.Picks.SelectCluster(-1, true);
        _session.Picks.SelectCluster(0, false); // not selected: nothing to drop
        Assert.Empty(_session.Picks.SelectedClusters);
        Assert.Equal(0, _changes);

        int bottomLeft = LabelAt(0, H - 1), topRight = LabelAt(W - 1, 0);
        Assert.Equal(bottomLeft, _session.Picks.ToggleClusterAt(-5, 100));
        Assert.Equal([bottomLeft], _session.Picks.SelectedClusters);
        Assert.Equal(topRight, _session.Picks.ToggleClusterAt(W + 3, -1));
        Assert.Equal(bottomLeft == topRight ? [] : new[] { bottomLeft, topRight }.Order(), _session.Picks.SelectedClusters);
        Assert.Equal(2, _changes);
        foreach (int c in _session.Picks.SelectedClusters) _session.Picks.SelectCluster(c, false);

        _session.Picks.SelectCluster(0, true);
        _session.Picks.SelectCluster(2, true);
        Assert.True(await _session.Edits.MergeClustersAsync(_session.Picks.SelectedClusters), _session.Changes.Error);
        Assert.Equal(2, _session.Current.Result!.Clusters.Count);
        Assert.Empty(_session.Picks.SelectedClusters); // the merge renumbered the clusters: old picks would mislead

        _session.Picks.SelectCluster(1, true);
        Assert.True(await _session.Edits.UndoEditAsync(), _session.Changes.Error);
        Assert.Empty(_session.Picks.SelectedClusters);
        Assert.Equal(3, _session.Current.Result!.Clusters.Count);
    }

    [Fact]
    public void ClusterAt_reads_the_label_map_and_refuses_a_pixel_outside_it()
    {
        var result = TestData.Result(2, 4, 2); // labels alternate 0 1 0 1 …
        Assert.Equal(result.Labels[5], result.ClusterAt(1, 1));
        Assert.Equal(result.Labels[2], result.ClusterAt(2, 0));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => result.ClusterAt(4, 0));
        Assert.Contains("outside this 4×2 segmentation", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => result.ClusterAt(0, -1));
    }
}
