using System.Runtime.CompilerServices;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>Every item's cluster from a fitted <see cref="IClusterer"/>, and the weighted inertia of that assignment.</summary>
internal static class CodeAssignment
{
    /// <summary>
    /// From the model's kept item codes (<see cref="FitSample.Encode"/> keeps them whenever they fit), or, for a big
    /// image, encoded in chunks.
    /// </summary>
    internal static (int[] Labels, double Inertia) AssignAll(TrainedModel trained, CodeItems items, IClusterer clusterer, CancellationToken ct)
    {
        int dims = trained.FeatureDims;
        return trained.AllItemCodes is { } known
            ? Assign(items, clusterer, dims, items.ChunkSize, (start, b) => known.AsSpan(start * dims, b * dims).ToArray(), ct)
            : AssignAll(trained.Autoencoder, trained.Features, items, clusterer, ct);
    }

    /// <summary>Encoding in chunks, so no feature array for all items is held.</summary>
    internal static (int[] Labels, double Inertia) AssignAll(AttentionAutoencoder model, ClusterFeatures features, CodeItems items,
        IClusterer clusterer, CancellationToken ct)
    {
        int chunk = features.ChunkSize(items);
        var ids = new int[chunk];
        float[]? last = null; // each chunk's features are read before the next is encoded: one array serves them all
        try
        {
            return Assign(items, clusterer, features.Dims, chunk, (start, b) =>
            {
                for (int i = 0; i < b; i++) ids[i] = start + i;
                return last = features.Encode(items, model, ids.AsSpan(0, b), ct, nextChunkFollows: true, reuse: last);
            }, ct);
        }
        finally { features.ReleaseBandBuffers(); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Labels, double Inertia) Assign(CodeItems items, IClusterer clusterer, int dims, int chunk,
        Func<int, int, float[]> chunkCodesOf, CancellationToken ct)
    {
        var labels = new int[items.Count];
        var weights = items.Weights;
        var centres = clusterer.ClusterCenters;
        double inertia = 0;
        for (int start = 0; start < items.Count; start += chunk)
        {
            ct.ThrowIfCancellationRequested();
            int b = Math.Min(chunk, items.Count - start);
            var chunkCodes = chunkCodesOf(start, b);
            var chunkLabels = clusterer.Predict(chunkCodes, dims);
            for (int i = 0; i < b; i++)
            {
                int c = chunkLabels[i];
                labels[start + i] = c;
                double d = 0;
                for (int j = 0; j < dims; j++)
                {
                    double diff = chunkCodes[i * dims + j] - centres[c * dims + j];
                    d += diff * diff;
                }
                inertia += d * (weights?[start + i] ?? 1f);
            }
        }
        return (labels, inertia);
    }
}
