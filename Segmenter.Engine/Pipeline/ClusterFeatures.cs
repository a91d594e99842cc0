using System.Runtime.CompilerServices;
using Segmenter.Engine.Baselines;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// What k-means clusters for each item. With <see cref="SegmentationParameters.CodePooling"/> and
/// <see cref="SegmentationParameters.ColourWeight"/> both 0 (the Original preset): the codes as the network gives them,
/// as the original system clusters them. Otherwise (the Fast default) a pixel's feature is
/// <list type="number">
/// <item>its code averaged with its neighbours' codes by a Gaussian of σ = CodePooling pixels (edges repeated): the
///   pixels of a stripe or a check get different codes, their neighbourhood's average is the texture's;</item>
/// <item>standardised: each code number centred and divided by its spread, then the code scaled to a total variance of
///   1, so no number dominates because the network happened to make it large;</item>
/// <item>beside the pixel's CIE Lab colour after the colour baseline's 9×9 Gaussian blur
///   (<see cref="ColourBaselines.Blur"/>), centred and scaled to a total variance of ColourWeight²: Lab's compressed
///   lightness keeps a region under a lighting gradient whole, which codes trained to reconstruct RGB do not;</item>
/// <item>beside the pixel's texture statistics (<see cref="TextureEnergies"/>: Gabor energies at four orientations and
///   wavelengths 2–64 px, averaged over several periods, and the shape of the lightness distribution around the pixel),
///   each standardised, mapped by the image's texture metric (<see cref="TextureMetric"/>), then scaled as a block to a
///   total variance of (TextureWeight × the image's texture gate)²: textures whose colours have the same statistics
///   differ there. The gate (<see cref="TextureEnergies.Gate"/>) is 0 on images of flat colour regions and 1 on textures,
///   where the code and the colour fade out by (1 − gate).</item>
/// </list>
/// docs/performance.md ("Quality") shows what each part adds. The scale (means and gains) is fitted once per trained network, on
/// the codes k-means is fitted on, and then applied to every item: the fit, the assignment, the plot, re-clusterings,
/// the steering tools and a saved model's later images all share one space.
/// Hand-written because it is a few loops over float rows (a separable blur of the code maps, weighted means); the
/// codes themselves come from TorchSharp (<see cref="CodeItems"/>), the colour blur from ImageSharp.
/// </summary>
internal sealed class ClusterFeatures
{
    private readonly RgbImage image;
    private readonly double sigma, colourWeight, textureWeight, textureScale;
    private readonly int codeSize, radius, clusters, seed;
    private readonly float[] kernel;
    private Task<RgbImage>? blurring;
    private Task<TextureEnergies>? texturing;

    // A band's code maps, reused band after band: a pass over a 6 MP image allocating them afresh for each band left
    // gigabytes of large-object garbage between collections (3.3 GB peak at 24 MP, against 1.8 GB without pooling).
    // Held under bandLock while a band is pooled and copied out, should two passes ever share an instance.
    private readonly Lock bandLock = new();
    private float[]? bandCodes, bandAcross, bandPooled;

    /// <summary>Drops the band buffers (the trained model holding this instance lives on; they are only for a pass).</summary>
    public void ReleaseBandBuffers()
    {
        lock (bandLock) bandCodes = bandAcross = bandPooled = null;
    }

    private static float[] Scratch(ref float[]? buffer, int length, bool clear)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        else if (clear) Array.Clear(buffer, 0, length);
        return buffer;
    }

    private readonly SharedImageWork? shared;

    /// <param name="scale">A scale fitted before (a saved model's); null = fitted by <see cref="FitScale"/>.</param>
    /// <param name="shared">Where the blur and the texture energies of <paramref name="image"/> (its working copy) are shared with other runs of it.</param>
    public ClusterFeatures(RgbImage image, SegmentationParameters p, FeatureScale? scale = null, SharedImageWork? shared = null)
    {
        this.image = image;
        this.shared = shared;
        sigma = p.CodePooling; colourWeight = p.ColourWeight; codeSize = p.CodeSize; Raw = AreRawCodes(p);
        textureWeight = p.TextureWeight; textureScale = p.TextureScale; clusters = p.Clusters; seed = p.Seed;
        radius = sigma > 0 ? (int)Math.Ceiling(3 * sigma) : 0;
        kernel = Gaussian(sigma, radius);
        Scale = scale;
        if (scale is not null && (scale.Mean.Length != Dims || scale.Gain.Length != Dims))
            throw new ArgumentException($"The feature scale has {scale.Mean.Length} means and {scale.Gain.Length} gains for features of {Dims} numbers.");
        if (scale?.TextureMix is { } mix && (textureWeight == 0 || mix.Length != TextureEnergies.Count * TextureEnergies.Count))
            throw new ArgumentException($"The feature scale's texture map has {mix.Length} numbers for a texture block of {(textureWeight > 0 ? TextureEnergies.Count : 0)}.");
    }

    /// <summary>
    /// Starts blurring the image for the colour block on the thread pool: training keeps one core busy (one torch
    /// thread), so the blur is ready, off the run's clock, by the time the codes are.
    /// </summary>
    public void StartBlur()
    {
        if (colourWeight > 0) Interlocked.CompareExchange(ref blurring, shared?.Blurred(image, BlurAndLetGo) ?? Task.Run(BlurAndLetGo), null);
        if (textureWeight > 0)
            Interlocked.CompareExchange(ref texturing, shared?.Textures(image, textureScale) ?? Task.Run(() => TextureEnergies.Compute(image, textureScale)), null);
    }

    /// <summary>
    /// Waits for what <see cref="StartBlur"/> began, its failure ignored (it is not the run's): a run that fails or is
    /// cancelled returns only once none of its threads still runs torch, so a process that ends right after (the CLI's
    /// refusal) does not tear the native library down under a running texture pyramid.
    /// </summary>
    public void WaitForBackgroundWork()
    {
        foreach (Task? task in new Task?[] { Volatile.Read(ref blurring), Volatile.Read(ref texturing) })
        {
            try { task?.Wait(); }
            catch (AggregateException) { }
        }
    }

    private TextureEnergies Textures
    {
        get
        {
            if (Volatile.Read(ref texturing) is null)
                Interlocked.CompareExchange(ref texturing, Task.FromResult(TextureEnergies.Compute(image, textureScale)), null);
            return texturing!.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The blur, then ImageSharp's pooled buffers let go: its convolution works on 16 bytes a pixel, which the pool
    /// would otherwise keep through the whole run (hundreds of MB at 6 MP, on top of the assignment's peak).
    /// </summary>
    private RgbImage BlurAndLetGo()
    {
        var blurred = ColourBaselines.Blur(image);
        ImageLoader.ReleasePooledBuffers();
        return blurred;
    }

    private RgbImage Blurred
    {
        get
        {
            if (Volatile.Read(ref blurring) is null) Interlocked.CompareExchange(ref blurring, Task.FromResult(BlurAndLetGo()), null);
            return blurring!.GetAwaiter().GetResult();
        }
    }

    /// <summary>Whether k-means sees the network's codes unchanged (the original system's way).</summary>
    public static bool AreRawCodes(SegmentationParameters p) => p.CodePooling == 0 && p.ColourWeight == 0 && p.TextureWeight == 0;

    public bool Raw { get; }

    /// <summary>Numbers per item: the code's, plus L, a, b with a colour weight, plus the texture statistics with a texture weight.</summary>
    public int Dims => DimsFor(codeSize, colourWeight, textureWeight);

    public static int DimsFor(SegmentationParameters p) => DimsFor(p.CodeSize, p.ColourWeight, p.TextureWeight);

    private static int DimsFor(int codeSize, double colourWeight, double textureWeight) =>
        codeSize + ColourDims(colourWeight) + (textureWeight > 0 ? TextureEnergies.Count : 0);

    private static int ColourDims(double colourWeight) => colourWeight > 0 ? 3 : 0;

    /// <summary>Where the texture block starts in a feature row.</summary>
    private int TextureStart => codeSize + ColourDims(colourWeight);

    /// <summary>The means and gains every feature is standardised with; null for raw codes, or before <see cref="FitScale"/>.</summary>
    public FeatureScale? Scale { get; private set; }

    /// <summary>Items per chunk of a pass over every item: whole bands of rows, so each band's pooling halo is encoded once more at most.</summary>
    public int ChunkSize(CodeItems items) => Raw ? items.ChunkSize : BandRows * image.Width;

    /// <summary>Rows per band of the pooling: about a quarter of a million pixels, so a band's code maps stay tens of MB (half a million held 2.3 GB at 10 MP).</summary>
    private int BandRows => Math.Clamp((1 << 18) / image.Width, Math.Max(16, 2 * radius + 1), 256);

    /// <summary>The features of the given items (ids.Length × <see cref="Dims"/>), standardised with the fitted scale.</summary>
    /// <param name="nextChunkFollows">A pass over the image in chunks: keep the band buffers for the next chunk (the
    /// pass then calls <see cref="ReleaseBandBuffers"/>).</param>
    /// <param name="reuse">The previous chunk's array, written over when it has this chunk's size.</param>
    public float[] Encode(CodeItems items, AttentionAutoencoder model, ReadOnlySpan<int> ids, CancellationToken ct, bool nextChunkFollows = false,
        float[]? reuse = null)
    {
        var features = Unscaled(items, model, ids, ct, nextChunkFollows, reuse);
        Apply(features);
        return features;
    }

    /// <summary>The features of the given items, the scale fitted on exactly these (a preview of a small image).</summary>
    public float[] EncodeFitted(CodeItems items, AttentionAutoencoder model, ReadOnlySpan<int> ids, CancellationToken ct)
    {
        var features = Unscaled(items, model, ids, ct);
        FitScale(features, null);
        Apply(features);
        return features;
    }

    /// <summary>Pooled codes and blurred Lab colours, before standardisation (raw codes: the codes).</summary>
    public float[] Unscaled(CodeItems items, AttentionAutoencoder model, ReadOnlySpan<int> ids, CancellationToken ct, bool nextChunkFollows = false,
        float[]? reuse = null)
    {
        if (Raw) return items.Encode(model, ids, ct);
        if (items.Weights is not null) throw new InvalidOperationException("Pooled features need one item per pixel.");
        int dims = Dims;
        // The pooled codes are written straight into the feature rows (one array per pass's chunk, not two).
        var features = reuse?.LongLength == (long)ids.Length * dims ? reuse : new float[(long)ids.Length * dims];
        if (ReferenceEquals(features, reuse)) Array.Clear(features);
        if (sigma > 0)
        {
            try { Pooled(items, model, ids, features, dims, ct); }
            finally { if (!nextChunkFollows) ReleaseBandBuffers(); }
        }
        else
        {
            var codes = items.Encode(model, ids, ct);
            for (int i = 0; i < ids.Length; i++) Array.Copy(codes, (long)i * codeSize, features, (long)i * dims, codeSize);
        }
        var pixels = ids.ToArray();
        if (textureWeight > 0)
        {
            var textures = Textures;
            int start = TextureStart, count = TextureEnergies.Count;
            Parallel.For(0, (pixels.Length + 4095) / 4096, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (block) =>
            {
                for (int i = block * 4096, end = Math.Min(pixels.Length, i + 4096); i < end; i++)
                    textures.Read(pixels[i], features.AsSpan((int)((long)i * dims + start), count));
            });
        }
        if (colourWeight == 0) return features;
        var px = Blurred.Pixels;
        Parallel.For(0, (pixels.Length + 4095) / 4096, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (block) =>
        {
            for (int i = block * 4096, end = Math.Min(pixels.Length, i + 4096); i < end; i++)
            {
                long o = 3L * pixels[i], f = (long)i * dims + codeSize;
                var (l, a, b) = CieLabConversion.FromRgb(px[o], px[o + 1], px[o + 2]);
                features[f] = (float)l; features[f + 1] = (float)a; features[f + 2] = (float)b;
            }
        });
        return features;
    }

    /// <summary>Fits the scale on these unscaled features (rows weighted by <paramref name="weights"/> when given).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FitScale(float[] unscaled, float[]? weights)
    {
        if (Raw) return;
        int dims = Dims, n = unscaled.Length / dims;
        var mean = new double[dims];
        var variance = new double[dims];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights?[i] ?? 1;
            total += w;
            for (int j = 0; j < dims; j++) mean[j] += w * unscaled[(long)i * dims + j];
        }
        for (int j = 0; j < dims; j++) mean[j] /= total;
        for (int i = 0; i < n; i++)
        {
            double w = weights?[i] ?? 1;
            for (int j = 0; j < dims; j++) { double d = unscaled[(long)i * dims + j] - mean[j]; variance[j] += w * d * d; }
        }
        var gain = new double[dims];
        // Each code number to unit spread, then the code to total variance 1. A number that hardly varies (under a
        // thousandth of the code's mean variance: float noise on a flat image, a unit that almost never fires) is
        // scaled as if it had that much, so noise is never blown up to the weight of a number that carries the image.
        double floor = Math.Max(1e-3 * Enumerable.Range(0, codeSize).Average(j => variance[j] / total), 1e-12);
        for (int j = 0; j < codeSize; j++)
            gain[j] = 1 / Math.Sqrt(Math.Max(variance[j] / total, floor) * codeSize);
        if (colourWeight > 0)
        {
            // Lab as a block, its geometry kept: total variance ColourWeight².
            double labVariance = (variance[codeSize] + variance[codeSize + 1] + variance[codeSize + 2]) / total;
            for (int j = codeSize; j < codeSize + 3; j++) gain[j] = labVariance > 1e-12 ? colourWeight / Math.Sqrt(labVariance) : 0;
        }
        if (textureWeight > 0)
        {
            // The code and the colour fade as the texture gate opens: where an image is texture, a pixel's colour and
            // its 3×3 code are the texture's pixels, spread alike in every region, and they split regions apart.
            for (int j = 0; j < codeSize + ColourDims(colourWeight); j++) gain[j] *= 1 - Textures.Gate;
        }
        float[]? mix = null;
        if (textureWeight > 0)
        {
            // Each texture number to unit spread (a wavelength's energies are larger than another's by the image's
            // spectrum, not by what tells its textures apart), with the code's floor; then the block through the
            // image's texture metric (TextureMetric), scaled to a total variance of (TextureWeight × the image's texture
            // gate)²: an image of flat colour regions gets none of it. Without a metric (fewer than two clusters) the
            // standardised numbers share that variance alike.
            int start = TextureStart, count = dims - start;
            double weight = textureWeight * Textures.Gate;
            double textureFloor = Math.Max(1e-3 * Enumerable.Range(start, count).Average(j => variance[j] / total), 1e-12);
            for (int j = start; j < dims; j++)
                gain[j] = 1 / Math.Sqrt(Math.Max(variance[j] / total, textureFloor));
            var map = weight > 0 ? TextureMetric.Learn(StandardisedBlock(unscaled, n, dims, start, mean, gain), n, count, weights, clusters, seed) : null;
            if (map is null)
                for (int j = start; j < dims; j++) gain[j] *= weight / Math.Sqrt(count);
            else
                mix = map.Select(v => (float)(v * weight)).ToArray();
        }
        Scale = new FeatureScale(mean.Select(m => (float)m).ToArray(), gain.Select(g => (float)g).ToArray(), mix);
    }

    /// <summary>The texture block of every row, each number centred and scaled by its gain, n × (dims − start).</summary>
    private static float[] StandardisedBlock(float[] unscaled, int n, int dims, int start, double[] mean, double[] gain)
    {
        int count = dims - start;
        var block = new float[(long)n * count];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < count; j++)
                block[(long)i * count + j] = (float)((unscaled[(long)i * dims + start + j] - mean[start + j]) * gain[start + j]);
        return block;
    }

    /// <summary>Standardises unscaled features in place.</summary>
    public void Apply(float[] features)
    {
        if (Raw) return;
        var s = Scale ?? throw new InvalidOperationException("The feature scale has not been fitted yet.");
        int dims = Dims, start = TextureStart, count = dims - start;
        var mix = s.TextureMix;
        Parallel.For(0, (int)((features.LongLength / dims + 4095) / 4096), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (block) =>
        {
            long end = Math.Min(features.LongLength / dims, (block + 1) * 4096L);
            Span<float> standardised = stackalloc float[mix is null ? 0 : count];
            for (long i = block * 4096L; i < end; i++)
            {
                for (int j = 0; j < dims; j++) features[i * dims + j] = (features[i * dims + j] - s.Mean[j]) * s.Gain[j];
                if (mix is null) continue;
                // The texture block through the image's texture metric: row vector times the map.
                var row = features.AsSpan((int)(i * dims + start), count);
                row.CopyTo(standardised);
                for (int b = 0; b < count; b++)
                {
                    float sum = 0;
                    for (int a = 0; a < count; a++) sum += standardised[a] * mix[a * count + b];
                    row[b] = sum;
                }
            }
        });
    }

    // ---- pooling ----

    private static float[] Gaussian(double sigma, int radius)
    {
        if (sigma <= 0) return [1f];
        var k = new double[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) k[i + radius] = Math.Exp(-i * i / (2 * sigma * sigma));
        double sum = k.Sum();
        return k.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>
    /// The pooled codes of the given pixels into the first code-size numbers of each <paramref name="stride"/>-wide row of
    /// <paramref name="result"/>, band by band of rows: a band with many asked pixels is encoded whole with its halo
    /// rows and blurred; a band with few encodes only their neighbourhoods (a plot or fit sample of a big image).
    /// </summary>
    private void Pooled(CodeItems items, AttentionAutoencoder model, ReadOnlySpan<int> ids, float[] result, int stride, CancellationToken ct)
    {
        int w = image.Width, h = image.Height;
        // Every pixel of an image whose codes are kept: one band, so no halo row is encoded twice.
        int rows = ids.Length == image.PixelCount && TrainedModel.CanKeep(ids.Length, 2 * codeSize) ? h : BandRows;
        var asked = ids.ToArray();
        var order = Enumerable.Range(0, asked.Length).ToArray();
        if (!IsAscending(asked)) Array.Sort((int[])asked.Clone(), order); // a pass over every pixel asks in order
        for (int start = 0, end; start < order.Length; start = end)
        {
            ct.ThrowIfCancellationRequested();
            int band = asked[order[start]] / w / rows;
            end = start;
            while (end < order.Length && asked[order[end]] / w / rows == band) end++;
            int y0 = band * rows, y1 = Math.Min(h, y0 + rows), ya = Math.Max(0, y0 - radius), yb = Math.Min(h, y1 + radius);
            var inBand = order.AsSpan(start, end - start);
            // Encoding a scattered pixel's window alone costs about its tokens' worth of pixels of a whole band
            // (RegionPixels.IsSparse): the neighbourhoods go window by window when their pixels cost less than the band.
            long bandPixels = (long)(yb - ya) * w;
            if ((long)inBand.Length * items.Tokens < bandPixels && Neighbourhoods(asked, inBand) is var needed && (long)needed.Count * items.Tokens < bandPixels)
            {
                PoolSparse(items, model, asked, inBand, needed, result, stride, ct);
                continue;
            }
            lock (bandLock)
            {
                var pooled = PoolBand(items, model, y0, y1, ya, yb, ct);
                foreach (int item in inBand)
                    Array.Copy(pooled, (long)(asked[item] - y0 * w) * codeSize, result, (long)item * stride, codeSize);
            }
            // A pass band by band (a big image): the band's tile maps go back to the system before the next band's
            // are made, or the C heap keeps them scattered through its threads' arenas (about 1 GB at 24 MP).
            if (rows < h) TorchRuntime.ReleaseFreedNativeMemory();
        }
    }

    private static bool IsAscending(int[] ids)
    {
        for (int i = 1; i < ids.Length; i++)
            if (ids[i] < ids[i - 1]) return false;
        return true;
    }

    /// <summary>The pooled codes of rows [y0, y1), row-major, from the codes of rows [ya, yb) (the band and its halo).</summary>
    private float[] PoolBand(CodeItems items, AttentionAutoencoder model, int y0, int y1, int ya, int yb, CancellationToken ct)
    {
        int w = image.Width, h = image.Height, dims = codeSize, rows = yb - ya, rowFloats = w * dims;
        var codes = items is RegionPixels region
            ? region.EncodeRows(model, ya, rows, ct, Scratch(ref bandCodes, rows * rowFloats, clear: false))
            : items.Encode(model, Enumerable.Range(ya * w, rows * w).ToArray(), ct);
        // A band holds at most a kept image's codes (TrainedModel.CanKeep) or BandRows rows: int offsets suffice.
        // Across each row, then down each column for the band's own rows, edges repeated (the band's halo rows are
        // the image's rows above and below it, where it has them). Each pass adds the taps' shifted rows a cache-sized
        // chunk at a time, so a chunk of the sum stays in the L1 cache while all its taps are added.
        var across = Scratch(ref bandAcross, rows * rowFloats, clear: true);
        int inner = w - 2 * radius; // pixels whose whole window lies inside the row
        Parallel.For(0, rows, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y) =>
        {
            int row = y * rowFloats;
            if (inner > 0)
                for (int c = 0; c < inner * dims; c += Chunk)
                {
                    int n = Math.Min(Chunk, inner * dims - c);
                    for (int d = -radius; d <= radius; d++)
                        AddScaled(across.AsSpan(row + radius * dims + c, n), codes.AsSpan(row + (radius + d) * dims + c, n), kernel[d + radius]);
                }
            for (int x = 0; x < w; x++)
            {
                if (x == radius && inner > 0) x = w - radius;
                if (x >= w) break;
                var to = across.AsSpan(row + x * dims, dims);
                for (int d = -radius; d <= radius; d++)
                    AddScaled(to, codes.AsSpan(row + Math.Clamp(x + d, 0, w - 1) * dims, dims), kernel[d + radius]);
            }
        });
        var pooled = Scratch(ref bandPooled, (y1 - y0) * rowFloats, clear: true);
        Parallel.For(y0, y1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y) =>
        {
            for (int c = 0; c < rowFloats; c += Chunk)
            {
                int n = Math.Min(Chunk, rowFloats - c);
                var to = pooled.AsSpan((y - y0) * rowFloats + c, n);
                for (int d = -radius; d <= radius; d++)
                    AddScaled(to, across.AsSpan((Math.Clamp(y + d, 0, h - 1) - ya) * rowFloats + c, n), kernel[d + radius]);
            }
        });
        return pooled;
    }

    /// <summary>Floats per chunk of a pooling pass: 8 KB of sum beside the taps' 8 KB each fit the L1 and L2 caches.</summary>
    private const int Chunk = 2048;


    /// <summary>to += k · from, a vector of floats at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled(Span<float> to, ReadOnlySpan<float> from, float k)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && to.Length >= Vector<float>.Count)
        {
            var kv = new Vector<float>(k);
            var toV = MemoryMarshal.Cast<float, Vector<float>>(to);
            var fromV = MemoryMarshal.Cast<float, Vector<float>>(from);
            for (int v = 0; v < toV.Length; v++) toV[v] += kv * fromV[v];
            i = toV.Length * Vector<float>.Count;
        }
        for (; i < to.Length; i++) to[i] += k * from[i];
    }

    /// <summary>Every pixel some asked pixel's pooling reads, each once, with its place in the list.</summary>
    private Dictionary<int, int> Neighbourhoods(int[] asked, ReadOnlySpan<int> inBand)
    {
        int w = image.Width, h = image.Height;
        var slot = new Dictionary<int, int>();
        foreach (int item in inBand)
        {
            int p = asked[item], y = p / w, x = p - y * w;
            for (int dy = -radius; dy <= radius; dy++)
                for (int dx = -radius; dx <= radius; dx++)
                    slot.TryAdd(Math.Clamp(y + dy, 0, h - 1) * w + Math.Clamp(x + dx, 0, w - 1), slot.Count);
        }
        return slot;
    }

    private void PoolSparse(CodeItems items, AttentionAutoencoder model, int[] asked, ReadOnlySpan<int> inBand, Dictionary<int, int> slot,
        float[] result, int stride, CancellationToken ct)
    {
        int w = image.Width, h = image.Height, dims = codeSize;
        var needed = new int[slot.Count];
        foreach (var (pixel, at) in slot) needed[at] = pixel;
        var codes = items.Encode(model, needed, ct);
        foreach (int item in inBand)
        {
            int p = asked[item], y = p / w, x = p - y * w;
            long to = (long)item * stride;
            for (int dy = -radius; dy <= radius; dy++)
                for (int dx = -radius; dx <= radius; dx++)
                    AddScaled(result.AsSpan((int)to, dims), codes.AsSpan(slot[Math.Clamp(y + dy, 0, h - 1) * w + Math.Clamp(x + dx, 0, w - 1)] * dims, dims),
                        kernel[dy + radius] * kernel[dx + radius]);
        }
    }
}

/// <summary>Per feature number, what is subtracted and what the difference is multiplied by (<see cref="ClusterFeatures"/>).</summary>
/// <param name="TextureMix">The texture block's map after its standardisation (<see cref="TextureMetric"/>), row-major, a
/// row vector times it; null when the block has none (no texture statistics, a gate of 0, one cluster).</param>
public sealed record FeatureScale(float[] Mean, float[] Gain, float[]? TextureMix = null);
