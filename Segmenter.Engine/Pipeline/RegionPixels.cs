using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Every pixel an item, encoded with the fast encoder tile by tile: bands of <see cref="BandRows"/> rows cut into
/// tiles at most <see cref="TileColumns"/> wide, each with its reflected halo. Only tiles holding asked-for pixels are
/// encoded, and memory stays bounded by one tile's activations whatever the image size.
/// </summary>
internal sealed class RegionPixels(RgbImage image, int window, InputColours colours) : CodeItems
{
    /// <summary>32 rows: the halo of a 5×5 window adds 12 % work; one tile's maps stay a few MB.</summary>
    public const int BandRows = 32, TileColumns = 1024;

    private readonly ImageRegions regions = new(image, window / 2, colours);
    private readonly int width = image.Width, height = image.Height;

    public override int Count => (int)image.PixelCount;
    public override int Tokens => window * window;
    public override int Channels => regions.Channels;
    public override float[]? Weights => null;
    public override int ItemOfPixel(int pixel) => pixel;

    /// <summary>A whole band: chunked callers (the final assignment) then encode every tile exactly once.</summary>
    public override int ChunkSize => BandRows * width;

    public override void Fill(ReadOnlySpan<int> items, Span<float> destination) =>
        new PixelWindows(image, window, colours).Fill(items, destination);

    public override float[] Encode(AttentionAutoencoder model, ReadOnlySpan<int> items, CancellationToken ct)
        => IsSparse(items) ? base.Encode(model, items, ct) : EncodeTiles(model, items, ct);

    /// <summary>
    /// True when the pixels are so scattered that encoding each one's window alone (Tokens tokens each, the per-window
    /// path training uses) costs less than encoding every tile they touch. So it is for the k-means fit sample and
    /// the plot sample of a big image: 65,536 pixels spread over 24 MP touch every tile, and the tile path paid a
    /// whole extra pass over the image for each (a 10 MP run encoded its pixels three times).
    /// </summary>
    private bool IsSparse(ReadOnlySpan<int> items)
    {
        int tilesX = (width + TileColumns - 1) / TileColumns;
        var touched = new HashSet<long>();
        foreach (int p in items)
        {
            int y = p / width;
            touched.Add((long)(y / BandRows) * tilesX + (p - y * width) / TileColumns);
        }
        return (long)items.Length * Tokens < touched.Count * (long)BandRows * Math.Min(TileColumns, width);
    }

    /// <summary>Encodes the tiles holding the given pixels, each once, and returns the pixels' codes in the order asked.</summary>
    private float[] EncodeTiles(AttentionAutoencoder model, ReadOnlySpan<int> items, CancellationToken ct)
    {
        int dims = model.CodeSize;
        var codes = new float[(long)items.Length * dims];
        // Which tile each asked-for pixel lies in; visit tiles in order, each once.
        int tilesX = (width + TileColumns - 1) / TileColumns;
        var tileOf = new long[items.Length];
        var order = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            int y = items[i] / width, x = items[i] - y * width;
            tileOf[i] = (long)(y / BandRows) * tilesX + x / TileColumns;
            order[i] = i;
        }
        Array.Sort(tileOf, order);

        // Runs of pixels sharing a tile; tiles are independent, so both cores encode them (torch keeps one thread each).
        var runs = new List<(int Start, int End)>();
        for (int start = 0, end; start < order.Length; start = end)
        {
            end = start;
            while (end < order.Length && tileOf[end] == tileOf[start]) end++;
            runs.Add((start, end));
        }
        int[] asked = items.ToArray();
        model.eval();
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(runs, options, run =>
        {
            long tile = tileOf[run.Start];
            int y0 = (int)(tile / tilesX) * BandRows, x0 = (int)(tile % tilesX) * TileColumns;
            int cols = Math.Min(TileColumns, width - x0);
            var tileCodes = EncodeTile(model, x0, y0, cols, Math.Min(BandRows, height - y0));   // rows × cols × dims
            for (int j = run.Start; j < run.End; j++)
            {
                int item = order[j], p = asked[item], y = p / width - y0, x = p % width - x0;
                Array.Copy(tileCodes, (y * cols + x) * dims, codes, (long)item * dims, dims);
            }
        });
        return codes;
    }

    /// <summary>
    /// The codes of every pixel of rows [y0, y0 + rows), row-major (rows × width × dims), each tile of at most
    /// <see cref="BandRows"/> × <see cref="TileColumns"/> encoded once with its reflected halo, on both cores.
    /// </summary>
    /// <param name="into">A buffer of at least rows × width × dims floats to write into (reused band after band); null = a new one.</param>
    public float[] EncodeRows(AttentionAutoencoder model, int y0, int rows, CancellationToken ct, float[]? into = null)
    {
        int dims = model.CodeSize, tilesX = (width + TileColumns - 1) / TileColumns, tilesY = (rows + BandRows - 1) / BandRows;
        var codes = into ?? new float[(long)rows * width * dims];
        model.eval();
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, tilesX * tilesY, options, t =>
        {
            int ty = y0 + t / tilesX * BandRows, x0 = t % tilesX * TileColumns;
            int tileRows = Math.Min(BandRows, y0 + rows - ty), cols = Math.Min(TileColumns, width - x0);
            // Straight from the tile's tensor into the band, row by row: a band pass makes no per-tile arrays (at 6 MP
            // those were gigabytes of large-object garbage between collections).
            EncodeTile(model, x0, ty, cols, tileRows, code =>
            {
                for (int y = 0; y < tileRows; y++)
                    code.narrow(1, y, 1).data<float>().CopyTo(codes.AsSpan((int)(((long)(ty - y0 + y) * width + x0) * dims), cols * dims));
            });
        });
        return codes;
    }

    /// <summary>The codes of one rectangle (rows × cols × dims, row-major), encoded with its reflected halo.</summary>
    /// <remarks>The caller puts the model in eval mode once, before its parallel loop.</remarks>
    private float[] EncodeTile(AttentionAutoencoder model, int x0, int y0, int cols, int rows)
    {
        float[] codes = [];
        EncodeTile(model, x0, y0, cols, rows, code => codes = code.data<float>().ToArray());
        return codes;
    }

    /// <summary>Encodes one rectangle and hands its codes, a contiguous (1, rows, cols, dims) tensor, to <paramref name="read"/> before they are freed.</summary>
    private void EncodeTile(AttentionAutoencoder model, int x0, int y0, int cols, int rows, Action<torch.Tensor> read)
    {
        using var noGrad = torch.no_grad();                                      // grad mode is per thread
        CountEncoded((long)rows * cols);
        var buffer = new float[regions.FloatsFor(cols, rows)];
        regions.Fill(x0, y0, cols, rows, buffer);
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(buffer, [1, rows + 2 * regions.Halo, cols + 2 * regions.Halo, regions.Channels]);
        read(model.EncodeRegion(input).contiguous());
    }
}
