using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The things that get a code and a cluster: the image's distinct colours (window 1, where a code depends on
/// the colour alone) or its pixels (wider windows, where a code also depends on the neighbours).
/// </summary>
internal abstract class CodeItems
{
    public abstract int Count { get; }
    public abstract int Tokens { get; }

    /// <summary>Input floats per token (<see cref="ColourFeatures.Channels"/>).</summary>
    public abstract int Channels { get; }

    /// <summary>How many pixels an item stands for; null when every item is one pixel.</summary>
    public abstract float[]? Weights { get; }

    private long encoded;

    /// <summary>Codes computed so far through this object (tile interiors, windows or colours): what encoding cost.</summary>
    public long Encoded => Interlocked.Read(ref encoded);

    protected void CountEncoded(long codes) => Interlocked.Add(ref encoded, codes);

    public abstract int ItemOfPixel(int pixel);
    public abstract void Fill(ReadOnlySpan<int> items, Span<float> destination);

    public static CodeItems For(RgbImage image, SegmentationParameters p) =>
        !ArePixels(p)
            ? new DistinctColours(new ColourHistogram(image), p.InputColours, ColourFeatures.ScaleFor(image, p.InputColours))
            : ForPixels(image, p.Window, p.InputColours);

    /// <summary>
    /// The items of <paramref name="image"/> to cluster into <paramref name="p"/>'s clusters. An image is not split into
    /// more segments than it has colours, whatever the window (<see cref="ArgumentException"/>): distinct colours are the
    /// items with window 1; with wider windows they are counted (stopping as soon as there are enough).
    /// </summary>
    public static CodeItems ToCluster(RgbImage image, SegmentationParameters p)
    {
        var items = For(image, p);
        RequireColours(p, items.Weights is not null ? items.Count : ColourHistogram.DistinctUpTo(image, p.Clusters));
        return items;
    }

    /// <summary>
    /// The same refusal as <see cref="ToCluster"/>, before training: an image with fewer colours than clusters is
    /// refused at once rather than after its epochs (counting stops as soon as there are enough).
    /// </summary>
    public static void RequireColours(RgbImage image, SegmentationParameters p) =>
        RequireColours(p, ColourHistogram.DistinctUpTo(image, p.Clusters));

    private static void RequireColours(SegmentationParameters p, int colours)
    {
        if (colours < p.Clusters)
            throw new ArgumentException(
                $"The image has only {colours} distinct colour(s), fewer than the {p.Clusters} clusters asked for; ask for at most {colours}.");
    }

    /// <summary>
    /// Whether <see cref="For"/> makes every pixel an item: unless window 1 under the Fast preset with raw codes (a
    /// code then depends on the colour alone; pooled features depend on the neighbours too).
    /// </summary>
    public static bool ArePixels(SegmentationParameters p) => !(p.Window == 1 && p.Preset == Preset.Fast && ClusterFeatures.AreRawCodes(p));

    /// <summary>Every pixel an item: one by one for window 1, region by region with the fast encoder for wider windows.</summary>
    public static CodeItems ForPixels(RgbImage image, int window, InputColours colours = InputColours.Rgb) =>
        window == 1 ? new Pixels(new PixelWindows(image, window, colours), (int)image.PixelCount) : new RegionPixels(image, window, colours);

    /// <summary>Items per encoding chunk: bounded so (chunk × tokens × 64) activations stay around 64 MB.</summary>
    public virtual int ChunkSize => Math.Max(1024, 262_144 / Tokens);

    /// <summary>Codes (items.Length × model.CodeSize, row-major) of the given items, encoded in no-grad chunks.</summary>
    public virtual float[] Encode(AttentionAutoencoder model, ReadOnlySpan<int> items, CancellationToken ct)
    {
        CountEncoded(items.Length);
        int dims = model.CodeSize;
        var codes = new float[(long)items.Length * dims];
        var buffer = new float[Math.Min(ChunkSize, Math.Max(items.Length, 1)) * Tokens * Channels];
        model.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < items.Length; start += ChunkSize)
        {
            ct.ThrowIfCancellationRequested();
            int b = Math.Min(ChunkSize, items.Length - start);
            Fill(items.Slice(start, b), buffer);
            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(buffer.AsSpan(0, b * Tokens * Channels).ToArray(), [b, Tokens, Channels]);
            var code = model.Encode(x).contiguous();
            code.data<float>().CopyTo(codes.AsSpan(start * dims, b * dims));
        }
        return codes;
    }

    private sealed class DistinctColours(ColourHistogram histogram, InputColours colours, StandardScale? scale) : CodeItems
    {
        public override int Count => histogram.Count;
        public override int Tokens => 1;
        public override int Channels => ColourFeatures.Channels(colours);
        public override float[]? Weights => histogram.Counts;
        public override int ItemOfPixel(int pixel) => histogram.ItemOfPixel[pixel];
        public override void Fill(ReadOnlySpan<int> items, Span<float> destination) => histogram.Fill(items, destination, colours, scale);
    }

    private sealed class Pixels(PixelWindows windows, int count) : CodeItems
    {
        public override int Count => count;
        public override int Tokens => windows.Tokens;
        public override int Channels => windows.Channels;
        public override float[]? Weights => null;
        public override int ItemOfPixel(int pixel) => pixel;
        public override void Fill(ReadOnlySpan<int> items, Span<float> destination) => windows.Fill(items, destination);
    }
}
