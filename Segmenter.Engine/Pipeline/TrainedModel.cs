using System.Diagnostics;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using Segmenter.Engine.Steering;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>A k value's scores from <see cref="TrainedModel.SweepK"/>.</summary>
public sealed record KSweepPoint(int K, double Inertia, double Silhouette, double DaviesBouldin);

/// <summary>
/// A trained autoencoder over the image it was trained on, with the codes the clusterer is fitted on: what lets a run be
/// re-clustered, swept over k, scored, inspected and hand-steered without training again. Everything done with a
/// trained model is here; <see cref="SegmentationPipeline"/> only makes one.
/// <para>
/// <b>Ownership rule:</b> whoever holds the <see cref="TrainedModel"/> disposes it (the session's result store, the
/// CLI command, the API job, the test). Results made from it (<see cref="SegmentationResult.Model"/>) only refer to
/// it and never free it; every re-clustering shares this one model. Once disposed, every method throws
/// <see cref="ObjectDisposedException"/>, while results already made keep their labels, tables and plots.
/// </para>
/// </summary>
public sealed class TrainedModel : IDisposable
{
    // Everything heavy, dropped at once on Dispose so the memory goes even while results still refer to this object.
    private sealed record Held(AttentionAutoencoder Autoencoder, WorkingResolution Resolution, ClusterFeatures Features, FitSample Sample,
        float[] FitCodes);
    private Held? held;

    // Every item's code, when the table fits MaxKeptCodeBytes (encoded once as the run starts clustering): the run's
    // assignment and plot, a re-clustering and the steering tools read codes instead of encoding every pixel again
    // (most of a re-cluster's time otherwise). This is the one per-item code cache;
    // big images are never kept whole: their assignment streams.
    private float[]? keptItemCodes;

    /// <summary>Largest item-code table kept for re-clustering (512² pixels × 32 floats is 32 MB).</summary>
    internal const long MaxKeptCodeBytes = 64L << 20;

    internal TrainedModel(AttentionAutoencoder autoencoder, WorkingResolution resolution, ClusterFeatures features, SegmentationParameters parameters,
        IReadOnlyList<EpochLoss> epochLosses, FitSample sample, float[] fitCodes)
    {
        held = new Held(autoencoder, resolution, features, sample, fitCodes);
        Parameters = parameters; EpochLosses = epochLosses;
    }

    /// <summary>The image the model was trained on (the working copy of a downscaled run); every method works on it.</summary>
    public RgbImage Image => Live.Resolution.Working;

    /// <summary>The run's image and the working copy the codes belong to: where full-resolution pixels and labels are mapped.</summary>
    public WorkingResolution Resolution => Live.Resolution;

    /// <summary>The parameters of the run that trained it; a re-clustering changes only their clustering settings.</summary>
    public SegmentationParameters Parameters { get; }

    public IReadOnlyList<EpochLoss> EpochLosses { get; }

    public bool IsDisposed => Volatile.Read(ref held) is null;

    /// <summary>Managed bytes of the fitted items, codes and weights (the model's few weights aside); 0 once disposed. For memory budgets.</summary>
    public long ResidentBytes => Volatile.Read(ref held) is { } h
        ? 4L * (h.Sample.Items.Length + h.FitCodes.Length + (h.Sample.Weights?.Length ?? 0) + (Volatile.Read(ref keptItemCodes)?.Length ?? 0)) : 0;

    /// <summary>The codes clustered with new clustering settings (only the clustering settings of <paramref name="parameters"/> count); no training.</summary>
    public SegmentationResult Cluster(SegmentationParameters parameters, CancellationToken cancellationToken = default)
    {
        var image = Image;
        // Only the clustering settings may change; the trained model decides everything else.
        var p = Parameters.WithClusteringOf(parameters);
        p.Validate(image.PixelCount);
        var marks = new StageClock(Stopwatch.StartNew(), null, decodeSeconds: 0);
        var items = CodeItems.ToCluster(image, p);
        return CodeClustering.Run(this, items, p, marks, cancellationToken, reclustered: true);
    }

    /// <summary>The codes clustered with these clustering settings; the training settings stay the model's own.</summary>
    public SegmentationResult Cluster(ClusteringSettings clustering, CancellationToken cancellationToken = default)
        => Cluster(Parameters with { Clustering = clustering }, cancellationToken);

    /// <summary>Scores k = from…to (inertia, silhouette on a sample, Davies–Bouldin).</summary>
    public IReadOnlyList<KSweepPoint> SweepK(int from = 2, int to = 12, CancellationToken cancellationToken = default)
    {
        if (from < 2 || to < from || to > SegmentationParameters.MaxClusters)
            throw new ArgumentException($"The k range must run from at least 2 to at most {SegmentationParameters.MaxClusters}; got {from}…{to}.");
        var h = Live;
        int seed = Parameters.Seed, dims = h.Features.Dims, n = h.FitCodes.Length / dims;
        // Each k is fitted on a seeded, pixel-weighted subsample of the fitted codes (duplicates merged into weights)
        // and scored on a smaller one: the curves' shapes, which is what choosing k needs, at a fraction of the cost.
        var (fitRows, fitWeights) = WeightedSampler.DrawCounted(h.Sample.Weights, n, 16_384, seed);
        var fitCodes = CodeRows.Gather(h.FitCodes, fitRows, dims);
        var scoreRows = WeightedSampler.DrawDistinct(h.Sample.Weights, n, 3000, seed);
        var scoreCodes = CodeRows.Gather(h.FitCodes, scoreRows, dims);
        var points = new List<KSweepPoint>();
        for (int k = from; k <= Math.Min(to, fitRows.Length); k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clusterer = Clusterers.Quick(k, seed, restarts: 3, maxIterations: 100, tolerance: Parameters.Clustering.Tolerance)
                .Fit(fitCodes, dims, fitWeights, cancellationToken);
            var labels = clusterer.Predict(scoreCodes, dims);
            bool scorable = labels.Distinct().Count() is > 1 and var d && d < labels.Length;
            points.Add(new KSweepPoint(k, clusterer.Inertia,
                scorable ? ClusterQuality.Silhouette(scoreCodes, dims, labels, scoreRows.Length, seed) : double.NaN,
                scorable ? ClusterQuality.DaviesBouldin(scoreCodes, dims, labels) : double.NaN));
        }
        return points;
    }

    /// <summary>Per head, the attention of full-resolution pixel (x, y) over its window (row-major); null for window 1.</summary>
    public float[][]? AttentionAt(int x, int y)
    {
        if (x < 0 || y < 0 || x >= Resolution.Full.Width || y >= Resolution.Full.Height)
            throw new ArgumentException($"The pixel ({x}, {y}) lies outside the {Resolution.Full.Width}×{Resolution.Full.Height} image.");
        var (wx, wy) = Resolution.ToWorking(x, y);
        return AttentionAt(Image, wx, wy);
    }

    /// <summary>
    /// Per head, how much the token of pixel (x, y) of <paramref name="image"/> attends to each neighbour (heads × window ×
    /// window, row-major); null for window 1.
    /// </summary>
    /// <param name="image">The model's own working image, or (tests) one with a pixel changed, to see what moves the weights.</param>
    internal float[][]? AttentionAt(RgbImage image, int x, int y)
    {
        var model = Autoencoder;
        if (model.Window == 1) return null;
        if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
            throw new ArgumentException($"The pixel ({x}, {y}) lies outside the {image.Width}×{image.Height} image.");
        var windows = new PixelWindows(image, model.Window, Parameters.InputColours);
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
    /// The clustered feature of every pixel (pixelCount × dims, row-major), e.g. to compare clusterers on the same codes;
    /// holds them all at once, so meant for moderate images.
    /// </summary>
    public float[] Encode(CancellationToken cancellationToken = default)
    {
        var h = Live;
        var all = Enumerable.Range(0, (int)h.Resolution.Working.PixelCount).ToArray();
        return h.Features.Encode(CodeItems.ForPixels(h.Resolution.Working, h.Autoencoder.Window, Parameters.InputColours), h.Autoencoder, all, cancellationToken);
    }

    /// <summary>Every pixel's code with its width: what merge, split and strokes edit.</summary>
    public (float[] Codes, int Dims) PixelCodes(CancellationToken cancellationToken = default)
    {
        // When the items are the pixels themselves, the codes every pixel already has serve as they are (read-only).
        var codes = ItemsArePixels && AllItemCodes is { } kept ? kept : Encode(cancellationToken);
        return (codes, codes.Length / (int)Image.PixelCount);
    }

    /// <summary>Silhouette and Davies–Bouldin of <paramref name="result"/>'s labels on a sample of these codes.</summary>
    public RunQuality Quality(SegmentationResult result, int sampleSize = 2000) => SegmentationQuality.Of(this, result, sampleSize);

    /// <summary>
    /// The codes re-clustered with strokes painted on the run's (full-resolution) image as constraints
    /// (<see cref="ScribbleClustering.Recluster"/>), the strokes mapped onto the working copy the codes belong to.
    /// </summary>
    public SteeredClusters ReclusterWithStrokes(float[] codes, int dims, Scribbles strokes, int clusters, CancellationToken cancellationToken = default)
        => ScribbleClustering.Recluster(codes, dims, Resolution.ToWorking(strokes), clusters, Parameters.Seed, cancellationToken: cancellationToken);

    /// <summary>A result of this model showing an edited clustering of <paramref name="previous"/> (no training).</summary>
    public SegmentationResult Relabel(SegmentationResult previous, SteeredClusters steered, float[] codes, int dims, CancellationToken cancellationToken = default)
        => SteeredResults.Relabel(this, previous, steered, codes, dims, cancellationToken);

    /// <summary>
    /// How many times the network has been fine-tuned: codes, clusterings and results made at an older version
    /// describe a network that no longer exists.
    /// </summary>
    public int Version => Volatile.Read(ref version);
    private int version;

    /// <summary>
    /// Trains this model's network <see cref="FineTuneSettings.Epochs"/> more epochs with the strokes as an extra loss
    /// (see <see cref="StrokeFineTune"/>), then encodes the fitted items (and the kept codes, when kept) again, since
    /// every code changed; bumps <see cref="Version"/>. Returns each epoch's loss. Strokes or settings that cannot be used throw
    /// <see cref="ArgumentException"/> before anything changes; a cancelled, diverged or failed fine-tune puts the
    /// weights back, so the codes, the version and every result of this model stay valid.
    /// </summary>
    public IReadOnlyList<EpochLoss> FineTune(Scribbles scribbles, FineTuneSettings settings,
        Action<EpochLoss>? progress = null, CancellationToken cancellationToken = default)
    {
        var h = Live;
        scribbles = FineTuneStrokes(scribbles, settings); // bad input changes nothing
        var losses = StrokeFineTune.Train(h.Autoencoder, h.Resolution.Working, Parameters, scribbles, settings, progress, cancellationToken);
        Refresh(h);
        return losses;
    }

    /// <summary>
    /// The strokes (painted on the full image) as <see cref="FineTune"/> trains on them, on the working copy; throws
    /// <see cref="ArgumentException"/> with a message when they or the settings cannot be used, so a caller can refuse
    /// before it starts a job.
    /// </summary>
    public Scribbles FineTuneStrokes(Scribbles scribbles, FineTuneSettings settings)
    {
        var working = Resolution.ToWorking(scribbles);
        StrokeFineTune.Validate(Resolution.Working, working, settings);
        return working;
    }

    // Every code is stale after the network changed: encoded again as the run encoded them (all of them when they are
    // kept, else the fit sample; the next full assignment of a big image streams as before).
    private void Refresh(Held h)
    {
        Volatile.Write(ref keptItemCodes, null);
        var features = new ClusterFeatures(h.Resolution.Working, Parameters);
        var (fitCodes, allCodes) = h.Sample.Encode(CodeItems.For(h.Resolution.Working, Parameters), h.Autoencoder, features, CancellationToken.None);
        Interlocked.CompareExchange(ref held, h with { Features = features, FitCodes = fitCodes }, h);
        if (allCodes is not null) KeepItemCodes(allCodes);
        Interlocked.Increment(ref version);
    }

    private Held Live => Volatile.Read(ref held) ?? throw new ObjectDisposedException(nameof(TrainedModel), "This trained model has been disposed; train again.");

    /// <summary>The autoencoder; throws once the model is disposed.</summary>
    internal AttentionAutoencoder Autoencoder => Live.Autoencoder;

    /// <summary>What the clusterer clusters for each item (codes, or pooled codes beside colours) and its fitted scale.</summary>
    internal ClusterFeatures Features => Live.Features;

    /// <summary>Numbers per clustered feature: <see cref="FitCodes"/>, the kept codes, centres and <see cref="PixelCodes"/> rows.</summary>
    internal int FeatureDims => Live.Features.Dims;

    /// <summary>Which items (colours or pixels) the fitted codes belong to; all of them, in order, unless <see cref="Sampled"/>.</summary>
    internal int[] FitItems => Live.Sample.Items;
    internal float[] FitCodes => Live.FitCodes;
    internal float[]? FitWeights => Live.Sample.Weights;
    internal bool Sampled => Live.Sample.Sampled;

    /// <summary>Every item's code in item order, when known without encoding: the fitted codes when they cover every item, else the kept table.</summary>
    internal float[]? AllItemCodes => Live is var h && !h.Sample.Sampled ? h.FitCodes : Volatile.Read(ref keptItemCodes);

    /// <summary>Whether a table of <paramref name="items"/> features of <paramref name="dims"/> floats is small enough to keep.</summary>
    internal static bool CanKeep(long items, int dims) => 4L * items * dims <= MaxKeptCodeBytes;

    internal void KeepItemCodes(float[] codes)
    {
        if (!IsDisposed) Volatile.Write(ref keptItemCodes, codes);
    }

    private bool ItemsArePixels => CodeItems.ArePixels(Parameters);

    /// <summary>The model a result was made from; a clear message when it has none (opened from the store, or applied from a saved model).</summary>
    public static TrainedModel Of(SegmentationResult result) =>
        result.Model ?? throw new InvalidOperationException("This result keeps no trained model (it was opened from the store); train again.");

    public void Dispose()
    {
        Volatile.Write(ref keptItemCodes, null);
        Interlocked.Exchange(ref held, null)?.Autoencoder.Dispose();
    }
}
