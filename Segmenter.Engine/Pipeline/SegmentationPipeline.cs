using System.Runtime.CompilerServices;
using System.Diagnostics;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using Segmenter.Engine.Regions;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>A k value's scores from <see cref="TrainedModel.SweepK"/>.</summary>
public sealed record KSweepPoint(int K, double Inertia, double Silhouette, double DaviesBouldin);

/// <summary>decode → train → encode → cluster → render, in one call, with progress events.</summary>
public static class SegmentationPipeline
{
    /// <summary>Decodes the stream (timed as the decode stage) and runs <see cref="Run(RgbImage, SegmentationParameters, Action{PipelineEvent}?, CancellationToken)"/>.</summary>
    public static SegmentationResult Run(Stream imageStream, ImageLimits limits, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default, LivePreviewOptions? preview = null)
    {
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new StageChanged(PipelineStage.Decoding, 0));
        var image = ImageLoader.Load(imageStream, limits, cancellationToken);
        return Run(image, parameters, progress, cancellationToken, clock, decodeSeconds: clock.Elapsed.TotalSeconds, preview);
    }

    /// <summary>
    /// Trains the autoencoder, encodes, clusters and renders. Throws <see cref="ArgumentException"/> for bad
    /// parameters, <see cref="TrainingFailedException"/> when the loss goes NaN or explodes, and
    /// <see cref="OperationCanceledException"/> within one batch of cancellation.
    /// </summary>
    /// <param name="preview">When set, <see cref="PreviewReady"/> events show the segments emerging while training.</param>
    public static SegmentationResult Run(RgbImage image, SegmentationParameters parameters,
        Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default, LivePreviewOptions? preview = null)
        => Run(image, parameters, progress, cancellationToken, Stopwatch.StartNew(), decodeSeconds: 0, preview);

    private static SegmentationResult Run(RgbImage image, SegmentationParameters p, Action<PipelineEvent>? progress,
        CancellationToken ct, Stopwatch clock, double decodeSeconds, LivePreviewOptions? preview = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        p.Validate(image.PixelCount);
        TorchRuntime.Initialise();
        var resolution = WorkingResolution.For(image, p.WorkingPixelLimit);
        image = resolution.Working; // from here on, code space: the full image comes back in Cluster
        var marks = new StageClock(clock, progress, decodeSeconds);
        marks.Enter(PipelineStage.Training);

        var model = TorchRuntime.CreateModel(p);
        var features = new ClusterFeatures(image, p);
        features.StartBlur();
        try
        {
            var trainingProgress = preview is null || progress is null ? progress : new LivePreview(image, p, preview).Around(model, progress, ct);
            var losses = AutoencoderTrainer.Train(model, image, p, clock, trainingProgress, ct);

            marks.Enter(PipelineStage.Encoding);
            var items = CodeItems.For(image, p);
            RequireEnoughItems(items, image, p);
            var (fitItems, fitWeights, sampled) = ChooseFitItems(items, image, p, features);
            var (fitCodes, allCodes) = EncodeFitCodes(items, model, features, fitItems, fitWeights, sampled, ct);
            var trained = new TrainedModel(model, resolution, features, p, losses, fitItems, fitCodes, fitWeights, sampled);
            if (allCodes is not null) trained.KeepItemCodes(allCodes);
            // The caller holds the returned result's Model and disposes it (see TrainedModel).
            return Cluster(trained, items, image, p, losses, marks, ct);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The features (<see cref="ClusterFeatures"/>) k-means is fitted on, and every item's feature when the trained
    /// model may keep them (<see cref="TrainedModel.CanKeep"/>): those are all encoded now, once, and the fit sample,
    /// the assignment, the plot and every later re-cluster or edit read them. Bigger images encode the sample alone and
    /// stream the rest. Null all-codes also when the fit covers every item: the fit codes are then all of them.
    /// Fits <paramref name="features"/>' scale on the fit sample.
    /// </summary>
    internal static (float[] FitCodes, float[]? AllCodes) EncodeFitCodes(CodeItems items, AttentionAutoencoder model, ClusterFeatures features,
        int[] fitItems, float[]? fitWeights, bool sampled, CancellationToken ct)
    {
        int dims = features.Dims;
        if (!sampled || !TrainedModel.CanKeep(items.Count, dims))
        {
            var fit = features.Unscaled(items, model, fitItems, ct);
            features.FitScale(fit, fitWeights);
            features.Apply(fit);
            return (fit, null);
        }
        var all = features.Unscaled(items, model, Enumerable.Range(0, items.Count).ToArray(), ct);
        features.FitScale(Gather(all, fitItems, dims), fitWeights);
        features.Apply(all);
        return (Gather(all, fitItems, dims), all);
    }

    /// <summary>Re-clusters the codes of a trained model with new k-means settings; no training.</summary>
    internal static SegmentationResult Recluster(TrainedModel trained, SegmentationParameters parameters, CancellationToken cancellationToken)
    {
        var image = trained.Image;
        // Only the clustering settings may change; the trained model decides everything else.
        var p = trained.Parameters.WithClusteringOf(parameters);
        p.Validate(image.PixelCount);
        var marks = new StageClock(Stopwatch.StartNew(), null, decodeSeconds: 0);
        var items = CodeItems.For(image, p);
        RequireEnoughItems(items, image, p);
        return Cluster(trained, items, image, p, trained.EpochLosses, marks, cancellationToken, reclustered: true);
    }

    /// <summary>Scores k = from…to on an earlier run's codes (inertia, silhouette on a sample, Davies–Bouldin).</summary>
    internal static IReadOnlyList<KSweepPoint> SweepK(TrainedModel codes, int from, int to, CancellationToken cancellationToken)
    {
        if (from < 2 || to < from || to > SegmentationParameters.MaxClusters)
            throw new ArgumentException($"The k range must run from at least 2 to at most {SegmentationParameters.MaxClusters}; got {from}…{to}.");
        int seed = codes.Parameters.Seed, Dims = codes.FeatureDims;
        // Each k is fitted on a seeded, pixel-weighted subsample of the fitted codes (duplicates merged into weights)
        // and scored on a smaller one: the curves' shapes, which is what choosing k needs, at a fraction of the cost.
        var (fitRows, fitWeights) = WeightedSampler.DrawCounted(codes.FitWeights, codes.FitCodes.Length / Dims, 16_384, seed);
        var fitCodes = Gather(codes.FitCodes, fitRows, Dims);
        var scoreRows = WeightedSampler.DrawDistinct(codes.FitWeights, codes.FitCodes.Length / Dims, 3000, seed);
        var scoreCodes = Gather(codes.FitCodes, scoreRows, Dims);
        var points = new List<KSweepPoint>();
        for (int k = from; k <= Math.Min(to, fitRows.Length); k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var km = new KMeans(k, nInit: 3, maxIter: 100, tol: codes.Parameters.KMeansTolerance, seed: seed)
                .Fit(fitCodes, Dims, fitWeights, cancellationToken);
            var labels = km.Predict(scoreCodes, Dims);
            bool scorable = labels.Distinct().Count() is > 1 and var d && d < labels.Length;
            points.Add(new KSweepPoint(k, km.Inertia,
                scorable ? ClusterQuality.Silhouette(scoreCodes, Dims, labels, scoreRows.Length, seed) : double.NaN,
                scorable ? ClusterQuality.DaviesBouldin(scoreCodes, Dims, labels) : double.NaN));
        }
        return points;
    }

    /// <summary>
    /// For window 3 or 5: how much the token of pixel (x, y) attends to each neighbour, per head
    /// (heads × window × window, row-major). Null for window 1.
    /// </summary>
    /// <param name="image">The model's own image, or (tests) one with a pixel changed, to see what moves the weights.</param>
    internal static float[][]? AttentionAt(TrainedModel trained, RgbImage image, int x, int y)
    {
        var model = trained.Autoencoder;
        if (model.Window == 1) return null;
        if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
            throw new ArgumentException($"The pixel ({x}, {y}) lies outside the {image.Width}×{image.Height} image.");
        var windows = new PixelWindows(image, model.Window, trained.Parameters.InputColours);
        var input = new float[windows.FloatsPerItem];
        windows.Fill([y * image.Width + x], input);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var (_, weights) = model.EncodeWithAttention(torch.tensor(input, [1, windows.Tokens, windows.Channels]), keepWeights: true);
        var flat = weights!.contiguous().data<float>().ToArray(); // heads × tokens
        return Enumerable.Range(0, model.Heads).Select(h => flat.AsSpan(h * windows.Tokens, windows.Tokens).ToArray()).ToArray();
    }

    /// <summary>
    /// The clustered feature of every pixel (pixelCount × dims, row-major), e.g. to compare k-means implementations on
    /// the same codes. Holds them all at once, so meant for moderate images.
    /// </summary>
    internal static float[] EncodePixels(TrainedModel trained, CancellationToken cancellationToken)
    {
        var model = trained.Autoencoder;
        var all = Enumerable.Range(0, (int)trained.Image.PixelCount).ToArray();
        return trained.Features.Encode(CodeItems.ForPixels(trained.Image, model.Window, trained.Parameters.InputColours), model, all, cancellationToken);
    }

    // ---- stages after training ----

    private static SegmentationResult Cluster(TrainedModel codes, CodeItems items, RgbImage image, SegmentationParameters p,
        IReadOnlyList<EpochLoss> losses, StageClock marks, CancellationToken ct, bool reclustered = false)
    {
        if (p.Segments == Segments.Regions) return CutRegions(codes, items, image, p, losses, marks, ct, reclustered);
        var model = codes.Autoencoder;
        int dims = codes.FeatureDims;
        marks.Enter(PipelineStage.Clustering);
        var km = new KMeans(p.Clusters, p.KMeansRestarts, p.KMeansMaxIterations, p.KMeansTolerance, p.Seed, p.KMeansInit)
            .Fit(codes.FitCodes, dims, codes.FitWeights, ct);
        var (itemLabels, inertia) = codes.Sampled
            ? AssignAll(codes, items, km, ct)
            : (km.Labels, km.Inertia);

        marks.Enter(PipelineStage.Rendering);
        int n = (int)image.PixelCount;
        var workingLabels = new byte[n];
        for (int i = 0; i < n; i++) workingLabels[i] = (byte)itemLabels[items.ItemOfPixel(i)];
        workingLabels = LabelSmoothing.Apply(workingLabels, image, p.Clustering);
        var full = codes.Resolution.Full;
        var (labels, clusters, plot) = codes.Resolution.Publish(workingLabels, p.Clusters, plotClusters => codes.AllItemCodes is { } itemCodes
            ? PlotSampler.Draw(items, itemCodes, dims, image, workingLabels, plotClusters, km.ClusterCenters, p.Seed)
            // Streamed pooled features: the fitted pixels' features are at hand; 5,000 scattered pixels' 7×7 neighbourhoods are not.
            : !codes.Features.Raw && items.Weights is null
                ? PlotSampler.DrawFromSample(codes.FitItems, codes.FitCodes, dims, image, workingLabels, plotClusters, km.ClusterCenters, p.Seed)
                : PlotSampler.Draw(model, codes.Features, items, image, workingLabels, plotClusters, km.ClusterCenters, p.Seed, ct));
        marks.Enter(PipelineStage.Done);

        return new SegmentationResult(p, full.Width, full.Height, labels, clusters, losses, inertia, km.Iterations, marks.Timings(losses), plot, codes)
            { Reclustered = reclustered, Centres = km.ClusterCenters, CodesEncoded = items.Encoded, CodeLabels = workingLabels };
    }

    /// <summary>
    /// k connected regions: the trained model's region tree (built on the first call, then shared by every re-cut) cut
    /// at k; no k-means. A region's centre is its pixels' mean feature, the inertia their squared distances to it. No
    /// mode filter or border refinement: either could split a region or remove one.
    /// </summary>
    private static SegmentationResult CutRegions(TrainedModel codes, CodeItems items, RgbImage image, SegmentationParameters p,
        IReadOnlyList<EpochLoss> losses, StageClock marks, CancellationToken ct, bool reclustered)
    {
        int dims = codes.FeatureDims, k = p.Clusters;
        marks.Enter(PipelineStage.Clustering);
        var features = PixelFeatures(codes, items, ct);
        var tree = codes.RegionTree(() => RegionTree.Build(image, features, dims, p.CodeSize, k, ct));
        var workingLabels = tree.Cut(k);
        var (centres, inertia) = RegionCentres(features, dims, workingLabels, k);

        marks.Enter(PipelineStage.Rendering);
        var full = codes.Resolution.Full;
        var (labels, clusters, plot) = codes.Resolution.Publish(workingLabels, k,
            plotClusters => PlotSampler.Draw(features, dims, image, workingLabels, plotClusters, centres, p.Seed));
        marks.Enter(PipelineStage.Done);
        return new SegmentationResult(p, full.Width, full.Height, labels, clusters, losses, inertia, kmeansIterations: 0, marks.Timings(losses), plot, codes)
            { Reclustered = reclustered, Centres = centres, CodesEncoded = items.Encoded, CodeLabels = workingLabels, RegionsAvailable = tree.MaxCount };
    }

    /// <summary>Every working pixel's clustered feature (pixels × dims): the kept item codes when there are any, else encoded.</summary>
    private static float[] PixelFeatures(TrainedModel codes, CodeItems items, CancellationToken ct) =>
        codes.AllItemCodes is { } known ? PixelFeatures(known, codes.FeatureDims, items, (int)codes.Image.PixelCount) : codes.Encode(ct);

    /// <summary>Every pixel's row of the items' features (the same array when the items are the pixels).</summary>
    internal static float[] PixelFeatures(float[] itemFeatures, int dims, CodeItems items, int pixels)
    {
        if (items.Count == pixels && items.Weights is null) return itemFeatures;
        var features = new float[(long)pixels * dims];
        for (int i = 0; i < pixels; i++) Array.Copy(itemFeatures, (long)items.ItemOfPixel(i) * dims, features, (long)i * dims, dims);
        return features;
    }

    /// <summary>Each region's mean feature (k × dims) and the pixels' summed squared distance to their region's mean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float[] Centres, double Inertia) RegionCentres(float[] features, int dims, byte[] labels, int k)
    {
        var sums = new double[k * dims];
        var counts = new long[k];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            counts[c]++;
            for (int j = 0; j < dims; j++) sums[c * dims + j] += features[(long)i * dims + j];
        }
        var centres = new float[k * dims];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < dims; j++) centres[c * dims + j] = counts[c] == 0 ? 0 : (float)(sums[c * dims + j] / counts[c]);
        double inertia = 0;
        for (int i = 0; i < labels.Length; i++)
            for (int j = 0; j < dims; j++)
            {
                double t = features[(long)i * dims + j] - centres[labels[i] * dims + j];
                inertia += t * t;
            }
        return (centres, inertia);
    }

    /// <summary>
    /// An image is not split into more segments than it has colours, whatever the window: distinct colours are the
    /// items with window 1; with wider windows they are counted (stopping as soon as there are enough).
    /// </summary>
    private static void RequireEnoughItems(CodeItems items, RgbImage image, SegmentationParameters p)
    {
        int colours = items.Weights is not null ? items.Count : ColourHistogram.DistinctUpTo(image, p.Clusters);
        if (colours < p.Clusters)
            throw new ArgumentException(
                $"The image has only {colours} distinct colour(s), fewer than the {p.Clusters} clusters asked for; ask for at most {colours}.");
    }


    /// <summary>Side of the square blocks a big image's pooled fit sample is drawn in (<see cref="ChooseFitItems"/>).</summary>
    internal const int FitBlock = 16;

    /// <summary>
    /// The items k-means is fitted on: all of them when they fit the clustering sample, else a seeded sample of
    /// pixels, merged per item with their multiplicity as weight (so sampling by pixel stays unbiased). When the
    /// features are pooled and not kept (a big image, streamed), the sample is drawn as whole
    /// <see cref="FitBlock"/>² blocks at random places: a scattered pixel's pooled code needs its 7×7 neighbours
    /// encoded, which for 65,536 scattered pixels costs a whole extra pass over the image (13 s at 6 MP), while a
    /// block's pixels share their neighbours.
    /// </summary>
    private static (int[] Items, float[]? Weights, bool Sampled) ChooseFitItems(CodeItems items, RgbImage image, SegmentationParameters p,
        ClusterFeatures features)
    {
        if (p.ClusteringSample is not { } limit || items.Count <= limit)
            return (Enumerable.Range(0, items.Count).ToArray(), items.Weights, false);
        var rng = new Random(unchecked(p.Seed * 7919 + 1));
        var drawn = new Dictionary<int, int>(limit);
        bool blocks = p.CodePooling > 0 && items.Weights is null && !TrainedModel.CanKeep(items.Count, features.Dims)
                      && image.Width >= FitBlock && image.Height >= FitBlock;
        for (int i = 0; i < limit; i += blocks ? FitBlock * FitBlock : 1)
        {
            if (!blocks)
            {
                int item = items.ItemOfPixel((int)rng.NextInt64(image.PixelCount));
                drawn[item] = drawn.GetValueOrDefault(item) + 1;
                continue;
            }
            int x0 = rng.Next(image.Width - FitBlock + 1), y0 = rng.Next(image.Height - FitBlock + 1);
            for (int y = y0; y < y0 + FitBlock; y++)
                for (int x = x0; x < x0 + FitBlock; x++)
                    drawn[y * image.Width + x] = drawn.GetValueOrDefault(y * image.Width + x) + 1;
        }
        // A sample that missed rare items can hold fewer of them than clusters; then fit on them all.
        if (drawn.Count < p.Clusters) return (Enumerable.Range(0, items.Count).ToArray(), items.Weights, false);
        var keys = drawn.Keys.Order().ToArray();
        return (keys, keys.Select(k => (float)drawn[k]).ToArray(), true);
    }

    /// <summary>
    /// Every item's cluster from the model's kept item codes (<see cref="EncodeFitCodes"/> keeps them whenever they
    /// fit), or, for a big image, encoded in chunks; plus the weighted inertia.
    /// </summary>
    internal static (int[] Labels, double Inertia) AssignAll(TrainedModel trained, CodeItems items, KMeans km, CancellationToken ct)
    {
        int dims = trained.FeatureDims;
        return trained.AllItemCodes is { } known
            ? Assign(items, km, dims, items.ChunkSize, (start, b) => known.AsSpan(start * dims, b * dims).ToArray(), ct)
            : AssignAll(trained.Autoencoder, trained.Features, items, km, ct);
    }

    /// <summary>Every item's cluster, encoding in chunks so no feature array for all items is held.</summary>
    internal static (int[] Labels, double Inertia) AssignAll(AttentionAutoencoder model, ClusterFeatures features, CodeItems items, KMeans km,
        CancellationToken ct)
    {
        int chunk = features.ChunkSize(items);
        var ids = new int[chunk];
        float[]? last = null; // each chunk's features are read before the next is encoded: one array serves them all
        try
        {
            return Assign(items, km, features.Dims, chunk, (start, b) =>
            {
                for (int i = 0; i < b; i++) ids[i] = start + i;
                return last = features.Encode(items, model, ids.AsSpan(0, b), ct, nextChunkFollows: true, reuse: last);
            }, ct);
        }
        finally { features.ReleaseBandBuffers(); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Labels, double Inertia) Assign(CodeItems items, KMeans km, int dims, int chunk, Func<int, int, float[]> chunkCodesOf,
        CancellationToken ct)
    {
        var labels = new int[items.Count];
        var weights = items.Weights;
        var centres = km.ClusterCenters;
        double inertia = 0;
        for (int start = 0; start < items.Count; start += chunk)
        {
            ct.ThrowIfCancellationRequested();
            int b = Math.Min(chunk, items.Count - start);
            var chunkCodes = chunkCodesOf(start, b);
            var chunkLabels = km.Predict(chunkCodes, dims);
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

    /// <summary>Pixel count and mean original colour per cluster (the codes are not colours).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static List<ClusterSummary> Summarise(RgbImage image, byte[] labels, int k)
    {
        var count = new long[k];
        var sum = new long[k * 3];
        var px = image.Pixels;
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            count[c]++;
            sum[3 * c] += px[3 * i]; sum[3 * c + 1] += px[3 * i + 1]; sum[3 * c + 2] += px[3 * i + 2];
        }
        double total = labels.Length;
        return Enumerable.Range(0, k).Select(c =>
        {
            byte Mean(int ch) => count[c] == 0 ? (byte)0 : (byte)Math.Round((double)sum[3 * c + ch] / count[c]);
            return new ClusterSummary(c, count[c], count[c] / total, Mean(0), Mean(1), Mean(2));
        }).ToList();
    }

    internal static float[] Gather(float[] rows, int[] which, int dims)
    {
        var result = new float[which.Length * dims];
        for (int i = 0; i < which.Length; i++) Array.Copy(rows, which[i] * dims, result, i * dims, dims);
        return result;
    }

    /// <summary>Times stages and tells the caller as each begins.</summary>
    private sealed class StageClock(Stopwatch clock, Action<PipelineEvent>? progress, double decodeSeconds)
    {
        private readonly Dictionary<PipelineStage, double> seconds = [];
        private PipelineStage? current;
        private double currentStart;

        public void Enter(PipelineStage stage)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (current is { } c) seconds[c] = seconds.GetValueOrDefault(c) + now - currentStart;
            current = stage;
            currentStart = now;
            progress?.Invoke(new StageChanged(stage, now));
        }

        public StageTimings Timings(IReadOnlyList<EpochLoss> losses) => new(
            DecodeSeconds: decodeSeconds,
            TrainSeconds: seconds.GetValueOrDefault(PipelineStage.Training),
            EncodeSeconds: seconds.GetValueOrDefault(PipelineStage.Encoding),
            ClusterSeconds: seconds.GetValueOrDefault(PipelineStage.Clustering),
            RenderSeconds: seconds.GetValueOrDefault(PipelineStage.Rendering),
            TotalSeconds: clock.Elapsed.TotalSeconds,
            // A re-clustering trains nothing, so it has no first epoch of its own.
            FirstEpochSeconds: losses.Count > 0 && seconds.ContainsKey(PipelineStage.Training) ? losses[0].ElapsedSeconds : 0);
    }
}

/// <summary>Training diverged (NaN or exploding loss). The message says what to change.</summary>
public sealed class TrainingFailedException : Exception
{
    public TrainingFailedException(string message) : base(message) { }
}
