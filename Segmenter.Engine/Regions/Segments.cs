namespace Segmenter.Engine.Pipeline;

/// <summary>What a run's segments are.</summary>
public enum Segments
{
    /// <summary>k-means classes of the clustered features: one segment may lie in many places of the image.</summary>
    Clusters,

    /// <summary>
    /// k connected regions: an over-segmentation of the clustered features merged adjacent-first into a tree, cut at k
    /// (<see cref="Regions.RegionTree"/>). A re-cut at another count needs no training and no k-means.
    /// </summary>
    Regions,
}
