using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The session's current result and what is drawn from it: the run, the image it ran on, the PNGs encoded for the
/// page (cached until either changes), the id it was stored under, and the leases that keep its native memory alive
/// while work uses it off the lock. It holds the current result's <see cref="TrainedModel"/>, so it disposes it: when
/// a result of another model replaces it (or after the last lease then), when the memory budget releases it, and on close.
/// Re-clusterings and edits share their run's model, so replacing a result by one of them keeps the model.
/// It locks the session's gate, shared with <see cref="SessionImageSource"/>, so a memory release sees both at once.
/// </summary>
internal sealed class SessionResults(object gate)
{
    private readonly Dictionary<ResultImage, byte[]> _pngCache = new();
    private readonly List<TrainedModel> _deferredDisposal = [];
    private SegmentationResult? _result;
    private RgbImage? _image;
    private int _leases;
    private bool _closed;
    // The last stored result and its id: its segmented PNG is served from the store, not encoded again and kept.
    private (SegmentationResult Result, string Id)? _stored;
    // True when the current result's trained model was released (budget) or never here (opened from the store).
    private bool _modelReleased;
    // The result's image was the session's image when that was released: it comes back when that is decoded again.
    private bool _imageReleased;

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version { get { lock (gate) return _version; } }
    private int _version;

    public SegmentationResult? Current { get { lock (gate) return _result; } }

    public bool ModelReleased { get { lock (gate) return _modelReleased; } }

    /// <summary>The current result with the image it ran on, read together.</summary>
    public (SegmentationResult? Result, RgbImage? Image) Snapshot() { lock (gate) return (_result, _image); }

    /// <summary>There is a result whose trained model is not in memory.</summary>
    public bool TrainedModelReleased { get { lock (gate) return _modelReleased && _result is not null; } }

    /// <summary>The id the current result was stored under, or null.</summary>
    public string? StoredId { get { lock (gate) return _stored is { } s && ReferenceEquals(s.Result, _result) ? s.Id : null; } }

    /// <summary>Keeps the current result and its image alive until <see cref="ReleaseLease"/>; null when there is none.</summary>
    public (SegmentationResult Result, RgbImage Image)? Lease()
    {
        lock (gate)
        {
            if (_closed || _result is null || _image is null) return null;
            _leases++;
            return (_result, _image);
        }
    }

    /// <summary>Leases <paramref name="result"/> only while it is still the current one.</summary>
    public bool LeaseIfCurrent(SegmentationResult result)
    {
        lock (gate)
        {
            if (_closed || !ReferenceEquals(_result, result)) return false;
            _leases++;
            return true;
        }
    }

    public void ReleaseLease()
    {
        TrainedModel[] free;
        lock (gate)
        {
            if (--_leases > 0) return;
            free = _deferredDisposal.Where(m => !ReferenceEquals(m, _result?.Model)).ToArray();
            _deferredDisposal.Clear();
        }
        foreach (var m in free) m.Dispose();
    }

    /// <summary>
    /// Makes a result current (after the session ended, disposes it instead); the replaced one is disposed now or after
    /// its last lease. <paramref name="meanPng"/>, the result in mean colours already encoded, is served without encoding it again.
    /// </summary>
    public void Replace(SegmentationResult result, RgbImage image, bool modelInMemory = true, byte[]? meanPng = null)
        => ReplaceIf(expected: null, result, image, modelInMemory, meanPng);

    /// <summary>
    /// Makes <paramref name="result"/> current only while <paramref name="expected"/> still is (an edit of it); otherwise
    /// disposes <paramref name="result"/> and returns false, so an edit never hides a newer run.
    /// </summary>
    public bool ReplaceIfCurrent(SegmentationResult expected, SegmentationResult result, RgbImage image)
        => ReplaceIf(expected, result, image, modelInMemory: true, meanPng: null);

    private bool ReplaceIf(SegmentationResult? expected, SegmentationResult result, RgbImage image, bool modelInMemory, byte[]? meanPng)
    {
        SegmentationResult? old;
        bool replaced = false;
        lock (gate)
        {
            if (_closed || (expected is not null && !ReferenceEquals(_result, expected))) old = result;
            else
            {
                replaced = true;
                old = _result;
                _result = result;
                _image = image;
                _pngCache.Clear();
                if (meanPng is not null) _pngCache[ResultImage.MeanColours] = meanPng;
                _modelReleased = !modelInMemory;
                _imageReleased = false;
                _version++;
            }
        }
        Dispose(old);
        return replaced;
    }

    /// <summary>The session's image changed: the cached PNGs (the original among them) are stale.</summary>
    public void ImageChanged()
    {
        lock (gate)
        {
            _pngCache.Clear();
            _version++;
        }
    }

    public void MarkStored(SegmentationResult result, string id)
    {
        lock (gate) _stored = (result, id);
    }

    public long ResidentBytesLocked() => _pngCache.Values.Sum(p => (long)p.Length) + (_result?.Model?.ResidentBytes ?? 0);

    public bool IsLeasedLocked => _leases > 0;

    /// <summary>Drops the PNGs and the trained model (labels, clusters and plots stay), and the image when it is the one released. Call holding the gate.</summary>
    public long ReleaseLocked(RgbImage? releasedImage)
    {
        long freed = _pngCache.Values.Sum(p => (long)p.Length);
        _pngCache.Clear();
        if (releasedImage is not null && ReferenceEquals(_image, releasedImage))
        {
            _image = null;
            _imageReleased = true;
        }
        if (_result?.Model is { IsDisposed: false } model)
        {
            freed += model.ResidentBytes;
            model.Dispose(); // the model and its codes; the result's labels and tables stay usable
            _modelReleased = true;
        }
        return freed;
    }

    /// <summary>The session's image was decoded again: the result's comes back if it was the same. Call holding the gate.</summary>
    public void ImageReloadedLocked(RgbImage image)
    {
        if (_imageReleased) _image = image;
        _imageReleased = false;
    }

    /// <summary>The PNG of a result image (the segmented one in the given view), or null when unavailable; baselines and the stability map are the assessment's.</summary>
    public byte[]? GetPng(ResultImage which, ResultView view, SessionImageSource images)
    {
        RgbImage? image;
        SegmentationResult? result;
        which = which.In(view);
        lock (gate)
        {
            if (_closed) return null;
            image = images.Current; result = _result;
            if (_pngCache.TryGetValue(which, out var cached)) return cached;
        }
        if (image is null && which.Kind is ResultImageKind.Original or ResultImageKind.Boundaries) image = images.GetOrReload(); // released: decoded again
        byte[]? png = Encode(which, image, result);
        if (png is null) return null;
        lock (gate)
        {
            if (ReferenceEquals(image, images.Current) && ReferenceEquals(result, _result)) _pngCache[which] = png;
        }
        return png;
    }

    private static byte[]? Encode(ResultImage which, RgbImage? image, SegmentationResult? result)
    {
        bool sameSize = result is not null && image is not null && image.Width == result.Width && image.Height == result.Height;
        return which.Kind switch
        {
            ResultImageKind.Original when image is not null => ImageLoader.EncodePng(image),
            ResultImageKind.MeanColours when result is not null => ImageLoader.EncodePng(result.RenderMeanColours()),
            ResultImageKind.Palette when result is not null => ImageLoader.EncodePng(result.RenderPalette()),
            ResultImageKind.Boundaries when sameSize => ImageLoader.EncodePng(result!.RenderBoundaries(image!)),
            ResultImageKind.Labels when result is not null => ImageLoader.EncodeLabelPng(result.Labels, result.Width, result.Height),
            ResultImageKind.Highlight when sameSize && which.Index < result!.Clusters.Count
                => ImageLoader.EncodePng(ClusterHighlight.Render(result, image!, which.Index)),
            _ => null,
        };
    }

    /// <summary>The run report JSON of the current result, or null.</summary>
    public string? ReportJson(string? imageName)
    {
        var r = Current;
        if (r is null) return null;
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return RunReport.ToJson(r, peakMb, imageName);
    }

    /// <summary>The session ended: the result goes (now, or after its last lease) and nothing new is kept.</summary>
    public void Close()
    {
        SegmentationResult? result;
        lock (gate)
        {
            if (_closed) return;
            _closed = true;
            result = _result;
            _result = null;
            _image = null;
            _pngCache.Clear();
        }
        Dispose(result);
    }

    /// <summary>
    /// Disposes the model of a result that left, now or when the last lease ends, unless the current result shares it
    /// (a re-clustering or an edit of it). Call without holding the gate.
    /// </summary>
    private void Dispose(SegmentationResult? result)
    {
        if (result?.Model is not { } model) return;
        lock (gate)
        {
            if (ReferenceEquals(model, _result?.Model)) return;
            if (_leases > 0) { _deferredDisposal.Add(model); return; }
        }
        model.Dispose();
    }
}
