namespace Segmenter.Engine.Clustering;

/// <summary>
/// What the engine asks of a clustering method, in scikit-learn's estimator shape: fit on weighted rows, give each new
/// row a cluster, and the fitted centres and inertia. Data are row-major float arrays, n × dims. The pipeline, the live
/// preview, a split, the k sweep and a saved model all use a method only through this; <see cref="KMeans"/> is the one
/// method today, and <see cref="Pipeline.Clusterers"/> is where a method is chosen.
/// </summary>
public interface IClusterer
{
    /// <summary>Fits on <paramref name="data"/> (n × dims), each row counted with its weight (1 when null); returns this, fitted.</summary>
    IClusterer Fit(float[] data, int dims, float[]? sampleWeight = null, CancellationToken cancellationToken = default);

    /// <summary>Each row's cluster (n × dims in, n labels out); the model must be fitted.</summary>
    int[] Predict(float[] data, int dims);

    /// <summary>The fitted centres, k × dims, row-major: what plots, edits and saved models keep.</summary>
    float[] ClusterCenters { get; }

    /// <summary>Each fitted row's cluster.</summary>
    int[] Labels { get; }

    /// <summary>The weighted sum of squared distances of the fitted rows to their centres.</summary>
    double Inertia { get; }

    /// <summary>Iterations the kept fit ran (0 for a model built from saved centres).</summary>
    int Iterations { get; }
}
