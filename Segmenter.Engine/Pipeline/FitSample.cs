using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The items the clusterer is fitted on: all of them when they fit the clustering sample (<see cref="Sampled"/> false),
/// else a seeded sample of pixels merged per item with their multiplicity as <see cref="Weights"/>, so sampling by
/// pixel stays unbiased. <see cref="Items"/> are in ascending order.
/// </summary>
internal sealed record FitSample(int[] Items, float[]? Weights, bool Sampled)
{
    /// <summary>Side of the square blocks a big image's pooled fit sample is drawn in.</summary>
    internal const int Block = 16;

    /// <summary>
    /// The fit sample of <paramref name="items"/>. When the features are pooled and not kept (a big image, streamed),
    /// the sample is drawn as whole <see cref="Block"/>² blocks at random places: a scattered pixel's pooled feature
    /// needs its neighbours encoded, so scattered pixels cost about a whole extra pass over the image, while a block's
    /// pixels share their neighbours.
    /// </summary>
    internal static FitSample Choose(CodeItems items, RgbImage image, SegmentationParameters p, ClusterFeatures features)
    {
        FitSample All() => new(Enumerable.Range(0, items.Count).ToArray(), items.Weights, Sampled: false);
        if (p.ClusteringSample is not { } limit || items.Count <= limit) return All();
        var rng = new Random(unchecked(p.Seed * 7919 + 1));
        var drawn = new Dictionary<int, int>(limit);
        bool blocks = p.CodePooling > 0 && items.Weights is null && !TrainedModel.CanKeep(items.Count, features.Dims)
                      && image.Width >= Block && image.Height >= Block;
        for (int i = 0; i < limit; i += blocks ? Block * Block : 1)
        {
            if (!blocks)
            {
                int item = items.ItemOfPixel((int)rng.NextInt64(image.PixelCount));
                drawn[item] = drawn.GetValueOrDefault(item) + 1;
                continue;
            }
            int x0 = rng.Next(image.Width - Block + 1), y0 = rng.Next(image.Height - Block + 1);
            for (int y = y0; y < y0 + Block; y++)
                for (int x = x0; x < x0 + Block; x++)
                    drawn[y * image.Width + x] = drawn.GetValueOrDefault(y * image.Width + x) + 1;
        }
        // A sample that missed rare items can hold fewer of them than clusters; then fit on them all.
        if (drawn.Count < p.Clusters) return All();
        var keys = drawn.Keys.Order().ToArray();
        return new FitSample(keys, keys.Select(k => (float)drawn[k]).ToArray(), Sampled: true);
    }

    /// <summary>
    /// The features (<see cref="ClusterFeatures"/>) of the fit sample (Items.Length × dims), and every item's
    /// (items.Count × dims) when the trained model may keep them (<see cref="TrainedModel.CanKeep"/>): those are all
    /// encoded now, once, and the fit, the assignment, the plot and every later re-cluster or edit read them. Bigger
    /// images encode the sample alone and stream the rest. All-codes is null also when the sample is every item: the
    /// fit codes are then all of them. Fits <paramref name="features"/>' scale on the sample.
    /// </summary>
    internal (float[] FitCodes, float[]? AllCodes) Encode(CodeItems items, AttentionAutoencoder model, ClusterFeatures features, CancellationToken ct)
    {
        int dims = features.Dims;
        if (!Sampled || !TrainedModel.CanKeep(items.Count, dims))
        {
            var fit = features.Unscaled(items, model, Items, ct);
            features.FitScale(fit, Weights);
            features.Apply(fit);
            return (fit, null);
        }
        var all = features.Unscaled(items, model, Enumerable.Range(0, items.Count).ToArray(), ct);
        features.FitScale(CodeRows.Gather(all, Items, dims), Weights);
        features.Apply(all);
        return (CodeRows.Gather(all, Items, dims), all);
    }
}
