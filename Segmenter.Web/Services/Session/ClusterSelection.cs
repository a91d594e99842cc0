using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The clusters the visitor picked on one result (the checkboxes, the legend, the distribution bars
/// and clicks on the segmented image all pick into it). A new result (a run, a re-clustering or an edit) numbers its
/// clusters afresh, so picks of another result are forgotten the moment a different result is asked about.
/// A cluster the result does not have is never picked (a stale click changes nothing).
/// Callers on the render thread and the job's thread may meet: it locks itself.
/// </summary>
internal sealed class ClusterSelection
{
    private readonly object _lock = new();
    private readonly SortedSet<int> _clusters = [];
    private SegmentationResult? _of;

    /// <summary>The picked clusters of <paramref name="result"/>, ascending; empty for any other result.</summary>
    public IReadOnlyList<int> Of(SegmentationResult? result)
    {
        lock (_lock)
        {
            ForgetIfAnother(result);
            return _clusters.ToArray();
        }
    }

    /// <summary>Picks or drops one cluster of <paramref name="result"/>; false when that changed nothing.</summary>
    public bool Set(SegmentationResult result, int cluster, bool selected)
    {
        if (!Exists(result, cluster)) return false;
        lock (_lock)
        {
            ForgetIfAnother(result);
            return selected ? _clusters.Add(cluster) : _clusters.Remove(cluster);
        }
    }

    /// <summary>Picks the cluster when it was not picked, drops it when it was; false when that changed nothing.</summary>
    public bool Toggle(SegmentationResult result, int cluster)
    {
        if (!Exists(result, cluster)) return false;
        lock (_lock)
        {
            ForgetIfAnother(result);
            if (!_clusters.Remove(cluster)) _clusters.Add(cluster);
            return true;
        }
    }

    private static bool Exists(SegmentationResult result, int cluster) => cluster >= 0 && cluster < result.Clusters.Count;

    private void ForgetIfAnother(SegmentationResult? result)
    {
        if (ReferenceEquals(_of, result)) return;
        _clusters.Clear();
        _of = result;
    }
}
