using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The one place a clustering method is chosen and built. Everything else (the run, a re-cluster, the live preview,
/// the k sweep, a split, a saved model) asks for an <see cref="IClusterer"/> here, so a new method is its own file,
/// its settings in <see cref="ClusteringSettings"/> and <see cref="SettingFields"/>, and a line here.
/// </summary>
public static class Clusterers
{
    /// <summary>The run's clusterer: the method and settings of <paramref name="settings"/>, seeded.</summary>
    public static IClusterer For(ClusteringSettings settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KMeans(settings.Clusters, settings.Restarts, settings.MaxIterations, settings.Tolerance, seed, settings.Init);
    }

    /// <summary>
    /// A cheap clusterer for a look rather than a result (the live preview, the k sweep, splitting one cluster): few
    /// restarts, capped iterations, the default seeding, whatever the run's own settings.
    /// </summary>
    public static IClusterer Quick(int clusters, int seed, int restarts = 1, int maxIterations = 300, double tolerance = 1e-4)
        => new KMeans(clusters, restarts, maxIterations, tolerance, seed);

    /// <summary>A fitted clusterer from saved centres (k × dims, row-major) that gives each row its nearest centre: a saved model's clustering.</summary>
    internal static IClusterer FromCentres(float[] centres, int dims) => KMeans.FromCentres(centres, dims);
}
