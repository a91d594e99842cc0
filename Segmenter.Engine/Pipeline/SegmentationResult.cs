using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>One cluster of the segmentation: its pixels and their mean original colour.</summary>
public sealed record ClusterSummary(int Index, long PixelCount, double Share, byte R, byte G, byte B)
{
    public string Hex => $"#{R:X2}{G:X2}{B:X2}";

    /// <summary>Pixel count and mean original colour of each of <paramref name="k"/> clusters (the codes are not colours).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static List<ClusterSummary> Of(RgbImage image, byte[] labels, int k)
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
}

/// <summary>Seconds per stage; <see cref="FirstEpochSeconds"/> is from the run's start to the first epoch's report.</summary>
public sealed record StageTimings(
    double DecodeSeconds, double TrainSeconds, double EncodeSeconds, double ClusterSeconds,
    double RenderSeconds, double TotalSeconds, double FirstEpochSeconds);

/// <summary>
/// Points for the 3D plots: at most <see cref="PlotSampler.MaxPoints"/> pixels, stratified by cluster. <see cref="Rgb"/> holds 3 bytes a point,
/// <see cref="Codes3"/> the point's code projected on the codes' 3 principal components (3 floats a point),
/// <see cref="Centres3"/> the cluster centres in the same projection (3 floats a cluster).
/// </summary>
public sealed record PlotSample(int Count, byte[] Rgb, byte[] Labels, float[] Codes3, float[] Centres3);

/// <summary>
/// Everything a run produced, and the <see cref="TrainedModel"/> it came from (to re-cluster without retraining).
/// A result never frees its model: whoever holds the model disposes it.
/// </summary>
public sealed class SegmentationResult
{
    public SegmentationResult(
        SegmentationParameters parameters, int width, int height, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, IReadOnlyList<EpochLoss> epochLosses, double inertia,
        int kmeansIterations, StageTimings timings, PlotSample plot, TrainedModel? model)
    {
        Parameters = parameters; Width = width; Height = height; _labels = labels; Clusters = clusters;
        EpochLosses = epochLosses; Inertia = inertia; KMeansIterations = kmeansIterations; Timings = timings;
        Plot = plot; Model = model;
    }

    public SegmentationParameters Parameters { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Cluster index per pixel, row-major (k ≤ 64 fits a byte); read back from its spill when it was spilled.</summary>
    public byte[] Labels => Volatile.Read(ref _labels) ?? ReadBackLabels();

    // The label map is the one per-pixel array a held result keeps: a host with many results in memory spills it
    // (to a file) and the first use reads it back.
    private byte[]? _labels;
    private Func<byte[]>? _readBackLabels;
    private readonly Lock _labelsGate = new();

    /// <summary>True while the label map is in memory (not spilled).</summary>
    public bool LabelsInMemory => Volatile.Read(ref _labels) is not null;

    /// <summary>
    /// Lets go of the label map in memory. The first spill hands it to <paramref name="write"/>, which stores it and
    /// returns the reader that gives it back, equal, on its next use; later spills only let go again (the map never
    /// changes). Returns the bytes let go (0 when it was spilled already).
    /// </summary>
    public long SpillLabels(Func<byte[], Func<byte[]>> write)
    {
        lock (_labelsGate)
        {
            var held = _labels;
            if (held is null) return 0;
            _readBackLabels ??= write(held);
            Volatile.Write(ref _labels, null);
            return held.LongLength;
        }
    }

    private byte[] ReadBackLabels()
    {
        lock (_labelsGate)
        {
            if (_labels is { } held) return held;
            var labels = _readBackLabels!();
            if (labels.LongLength != (long)Width * Height)
                throw new InvalidDataException($"The spilled label map holds {labels.LongLength} pixels, not this {Width}×{Height} segmentation's.");
            Volatile.Write(ref _labels, labels);
            return labels;
        }
    }
    public IReadOnlyList<ClusterSummary> Clusters { get; }

    /// <summary>
    /// The labels of the pixels the model's codes belong to (<see cref="TrainedModel.Image"/>): <see cref="Labels"/>
    /// itself unless the run worked on a downscaled copy (<see cref="WorkingResolution"/>). Edits in code space start from these.
    /// </summary>
    public byte[] CodeLabels { get => codeLabels ?? Labels; init => codeLabels = value; }
    private readonly byte[]? codeLabels;

    /// <summary>The size the model trained, encoded and clustered at: the image's own unless it had more than <see cref="SegmentationParameters.MaxPixels"/> pixels.</summary>
    public (int Width, int Height) WorkingSize => WorkingResolution.SizeFor(Width, Height, Parameters.WorkingPixelLimit);

    /// <summary>The cluster of pixel (x, y).</summary>
    public int ClusterAt(int x, int y)
    {
        if (x < 0 || x >= Width || y < 0 || y >= Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside this {Width}×{Height} segmentation.");
        return Labels[y * Width + x];
    }
    public IReadOnlyList<EpochLoss> EpochLosses { get; }
    public double FinalLoss => EpochLosses.Count > 0 ? EpochLosses[^1].Loss : double.NaN;
    public double Inertia { get; }
    public int KMeansIterations { get; }
    public StageTimings Timings { get; }
    public PlotSample Plot { get; }

    /// <summary>The k-means centres in code space (k × 32, row-major): a saved model assigns new pixels to them.</summary>
    public float[] Centres { get; init; } = [];

    /// <summary>
    /// Codes computed after training (the k-means sample, the assignment, the plot's points), counted in pixels or
    /// distinct colours: the work of encoding, one pass over the image plus samples when all goes well.
    /// </summary>
    public long CodesEncoded { get; init; }

    /// <summary>
    /// For regions (<see cref="Segments.Regions"/>): the largest count the run's region tree can be cut at (the smallest is
    /// <see cref="SegmentationParameters.MinClusters"/>); the count cut is <see cref="SegmentationParameters.Clusters"/>. Null for clusters.
    /// </summary>
    public int? RegionsAvailable { get; init; }

    /// <summary>True when this result came from re-clustering earlier codes, with no training.</summary>
    public bool Reclustered { get; init; }

    /// <summary>
    /// The trained model this result was made from, shared with every re-clustering of it; null for a result opened
    /// from the store or applied from a saved model. Not owned: see <see cref="TrainedModel"/>'s ownership rule.
    /// </summary>
    public TrainedModel? Model { get; }

    /// <summary>Every pixel painted with its cluster's mean original colour.</summary>
    public RgbImage RenderMeanColours() => Paint(c => (Clusters[c].R, Clusters[c].G, Clusters[c].B));

    /// <summary>Every pixel painted with a distinct palette colour per cluster.</summary>
    public RgbImage RenderPalette() => Paint(ClusterPalette.Colour);

    /// <summary>The original with cluster boundaries drawn over it.</summary>
    public RgbImage RenderBoundaries(RgbImage original)
    {
        if (original.Width != Width || original.Height != Height)
            throw new ArgumentException("The original image does not match this segmentation's size.");
        var px = (byte[])original.Pixels.Clone();
        var labels = Labels;
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            int i = y * Width + x;
            byte l = labels[i];
            bool edge = (x + 1 < Width && labels[i + 1] != l) || (y + 1 < Height && labels[i + Width] != l);
            if (!edge) continue;
            px[3 * i] = 255; px[3 * i + 1] = 255; px[3 * i + 2] = 0;
        }
        return new RgbImage(Width, Height, px);
    }

    private RgbImage Paint(Func<int, (byte R, byte G, byte B)> colourOf)
        => ClusterPalette.Paint<byte>(Labels, Clusters.Count, Width, Height, colourOf);
}
