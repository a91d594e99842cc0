using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Pipeline;

/// <summary>What a re-cluster may change without training again: k-means' settings and the label map's smoothing and border refinement.</summary>
public sealed record ClusteringSettings
{
    public int Clusters { get; init; } = 4;
    public int Restarts { get; init; } = 10;
    public int MaxIterations { get; init; } = 300;
    public double Tolerance { get; init; } = 1e-4;
    public KMeansInit Init { get; init; } = KMeansInit.KMeansPlusPlus;
    public int LabelSmoothing { get; init; } = 1;
    public int BorderRefinement { get; init; }
}
