using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Pipeline;

/// <summary>What a re-cluster may change without training again: k-means' settings, the label map's smoothing and border refinement, and whether the segments are classes or regions.</summary>
public sealed record ClusteringSettings
{
    public int Clusters { get; init; } = 4;
    public int Restarts { get; init; } = 10;
    public int MaxIterations { get; init; } = 300;
    public double Tolerance { get; init; } = 1e-4;
    public KMeansInit Init { get; init; } = KMeansInit.KMeansPlusPlus;
    public int LabelSmoothing { get; init; } = 1;
    public int BorderRefinement { get; init; }

    /// <summary>k-means classes, or k connected regions cut from the run's region tree.</summary>
    public Segments Segments { get; init; } = Segments.Clusters;
}
