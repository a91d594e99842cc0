namespace Segmenter.Web.Services;

/// <summary>
/// The clusters picked on the current result (scoped: one per circuit), the one selection that merge and split act
/// on (see <see cref="ClusterSelection"/>); every pick is announced once through the session's change notifier.
/// </summary>
public sealed class ClusterPicks(CurrentResult current, SessionChanges changes)
{
    private readonly ClusterSelection _selection = new();

    /// <summary>The picked clusters of the current result, ascending; empty after any new result.</summary>
    public IReadOnlyList<int> SelectedClusters => _selection.Of(current.Result);

    public bool IsClusterSelected(int cluster) => SelectedClusters.Contains(cluster);

    /// <summary>The picked clusters as the page lists them ("1, 3"), empty when none.</summary>
    public string SelectedClustersText => string.Join(", ", SelectedClusters);

    /// <summary>Picks or drops a cluster of the current result (no result, or no such cluster: nothing happens).</summary>
    public void SelectCluster(int cluster, bool selected)
    {
        if (current.Result is { } result && _selection.Set(result, cluster, selected)) changes.RaiseChanged();
    }

    /// <summary>Picks the cluster when it was not picked, drops it when it was (no result, or no such cluster: nothing happens).</summary>
    public void ToggleCluster(int cluster)
    {
        if (current.Result is { } result && _selection.Toggle(result, cluster)) changes.RaiseChanged();
    }

    /// <summary>
    /// Toggles the cluster under the current result's pixel (x, y), clamped into the image (a click on the segmented
    /// image); returns that cluster, or null when there is no result.
    /// </summary>
    public int? ToggleClusterAt(int x, int y)
    {
        if (current.Result is not { } result) return null;
        int cluster = result.ClusterAt(Math.Clamp(x, 0, result.Width - 1), Math.Clamp(y, 0, result.Height - 1));
        if (_selection.Toggle(result, cluster)) changes.RaiseChanged();
        return cluster;
    }
}
