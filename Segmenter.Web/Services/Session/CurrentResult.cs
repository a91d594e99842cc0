using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The session's current result (scoped: one per circuit) and what is drawn from it: the run, the image it ran on,
/// the view it is shown in, the PNGs encoded for the page (cached until either changes), the id it was stored under,
/// and the leases that keep its native memory alive while work uses it off the lock. It holds the current result's
/// <see cref="TrainedModel"/>, so it disposes it: when a result of another model replaces it (or after the last lease
/// then), when the memory budget releases it, and on close. Re-clusterings and edits share their run's model, so
/// replacing a result by one of them keeps the model. It locks the <see cref="SessionGate"/>, shared with
/// <see cref="SessionImage"/>, so a memory release sees both at once.
/// </summary>
public sealed class CurrentResult : IDisposable
{
    private readonly Lock gate;
    private readonly SessionGate _session;
    private readonly SessionImage _images;
    private readonly SessionChanges _changes;

    public CurrentResult(SessionGate session, SessionImage images, SessionChanges changes)
    {
        _session = session;
        gate = session.Lock;
        _images = images;
        _changes = changes;
        images.Replaced += ImageChanged;
        images.ReloadedLocked += ImageReloadedLocked;
        images.ReleasedLocked += ImageReleasedLocked;
    }

    private readonly Dictionary<ResultImage, byte[]> _pngCache = new();
    private readonly List<TrainedModel> _deferredDisposal = [];
    // Made on the first release: the label maps of results the budget released, read back on their next use.
    private LabelSpill? _spill;
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
    // The session's image generation the result ran on (SessionImage.Generation), or -1 for another image.
    private int _imageGeneration = -1;
    private ResultView _view = ResultView.MeanColours;

    /// <summary>A new run (not an edit) became the current result: the session is in use, and the run's working buffers are garbage now.</summary>
    internal event Action? NewRunShown;

    /// <summary>The last lease ended: work off the lock no longer holds the result, so it can be released.</summary>
    internal event Action? Unleased;

    /// <summary>How the segmented image is shown.</summary>
    public ResultView View => _view;

    public void SetView(ResultView view)
    {
        if (_view == view) return;
        _view = view;
        _changes.RaiseChanged();
    }

    /// <summary>The current result ran on the session's current image (held or released), so its codes describe it.</summary>
    internal bool RanOnCurrentImage { get { lock (gate) return _result is not null && _imageGeneration == _images.Generation; } }

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version { get { lock (gate) return _version; } }
    private int _version;

    public SegmentationResult? Result { get { lock (gate) return _result; } }

    internal bool ModelReleased { get { lock (gate) return _modelReleased; } }

    /// <summary>The current result with the image it ran on, read together.</summary>
    internal (SegmentationResult? Result, RgbImage? Image) Snapshot() { lock (gate) return (_result, _image); }

    /// <summary>There is a result whose trained model is not in memory.</summary>
    public bool TrainedModelReleased { get { lock (gate) return _modelReleased && _result is not null; } }

    /// <summary>The id <paramref name="result"/> was stored under while it is the current result, else null.</summary>
    internal string? StoredIdOf(SegmentationResult result) { lock (gate) return ReferenceEquals(_result, result) ? StoredId : null; }

    /// <summary>The id the current result was stored under, or null.</summary>
    internal string? StoredId { get { lock (gate) return _stored is { } s && ReferenceEquals(s.Result, _result) ? s.Id : null; } }

    /// <summary>Keeps the current result and its image alive until <see cref="ReleaseLease"/>; null when there is none.</summary>
    internal (SegmentationResult Result, RgbImage Image)? Lease()
    {
        lock (gate)
        {
            if (_closed || _result is null || _image is null) return null;
            _leases++;
            return (_result, _image);
        }
    }

    /// <summary>Leases <paramref name="result"/> only while it is still the current one.</summary>
    internal bool LeaseIfCurrent(SegmentationResult result)
    {
        lock (gate)
        {
            if (_closed || !ReferenceEquals(_result, result)) return false;
            _leases++;
            return true;
        }
    }

    internal void ReleaseLease()
    {
        TrainedModel[] free;
        LabelSpill? spill = null;
        lock (gate)
        {
            if (--_leases > 0) return;
            free = _deferredDisposal.Where(m => !ReferenceEquals(m, _result?.Model)).ToArray();
            _deferredDisposal.Clear();
            // The session ended while work read the result: its spilled label maps go now that nothing reads them.
            if (_closed) spill = TakeSpillLocked();
        }
        foreach (var m in free) m.Dispose();
        spill?.Dispose();
        Unleased?.Invoke();
    }

    /// <summary>
    /// Makes a result current (after the session ended, disposes it instead); the replaced one is disposed now or after
    /// its last lease. <paramref name="meanPng"/>, the result in mean colours already encoded, is served without encoding it again.
    /// </summary>
    internal void Replace(SegmentationResult result, RgbImage image, bool modelInMemory = true, byte[]? meanPng = null)
        => ReplaceIf(expected: null, result, image, modelInMemory, meanPng);

    /// <summary>
    /// Makes <paramref name="result"/> current only while <paramref name="expected"/> still is (an edit of it); otherwise
    /// disposes <paramref name="result"/> and returns false, so an edit never hides a newer run.
    /// </summary>
    internal bool ReplaceIfCurrent(SegmentationResult expected, SegmentationResult result, RgbImage image)
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
                if (expected is null) _imageGeneration = _images.GenerationOfLocked(image);
                _version++;
            }
        }
        Dispose(old);
        if (replaced && expected is null) NewRunShown?.Invoke();
        return replaced;
    }

    /// <summary>The session's image changed: the cached PNGs (the original among them) are stale.</summary>
    private void ImageChanged()
    {
        lock (gate)
        {
            _pngCache.Clear();
            _version++;
        }
    }

    internal void MarkStored(SegmentationResult result, string id)
    {
        lock (gate) _stored = (result, id);
    }

    internal long ResidentBytesLocked() => _pngCache.Values.Sum(p => (long)p.Length) + (_result?.Model?.ResidentBytes ?? 0)
        + (_result is { LabelsInMemory: true } held ? (long)held.Width * held.Height : 0);

    internal bool IsLeasedLocked => _leases > 0;

    /// <summary>
    /// Drops the PNGs and the trained model and spills the label map (read back on its next use); the cluster table and
    /// the plot's points stay. Call holding the gate.
    /// </summary>
    internal long ReleaseLocked()
    {
        long freed = _pngCache.Values.Sum(p => (long)p.Length);
        _pngCache.Clear();
        if (_result is { } result && !_closed) freed += result.SpillLabels((_spill ??= new LabelSpill()).Write);
        if (_result?.Model is { IsDisposed: false } model)
        {
            freed += model.ResidentBytes;
            model.Dispose(); // the model and its codes; the result's labels and tables stay usable
            _modelReleased = true;
        }
        return freed;
    }

    /// <summary>The session's image was released: the result lets go of it too when it is the same. Call holding the gate.</summary>
    private void ImageReleasedLocked(RgbImage image)
    {
        if (!ReferenceEquals(_image, image)) return;
        _image = null;
        _imageReleased = true;
    }

    /// <summary>The session's image was decoded again: the result's comes back if it was the same. Call holding the gate.</summary>
    private void ImageReloadedLocked(RgbImage image)
    {
        if (_imageReleased) _image = image;
        _imageReleased = false;
    }

    /// <summary>The PNG of a result image (the segmented one in the given view), or null when unavailable; baselines and the stability map are the assessment's.</summary>
    internal byte[]? GetPng(ResultImage which)
    {
        var images = _images;
        RgbImage? image;
        SegmentationResult? result;
        which = which.In(_view);
        lock (gate)
        {
            if (_closed) return null;
            image = images.Current; result = _result;
            if (_pngCache.TryGetValue(which, out var cached)) return cached;
        }
        if (image is null && which.Kind is ResultImageKind.Original or ResultImageKind.Boundaries) image = images.Reload(); // released: decoded again
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

    /// <summary>
    /// Runs a job's <paramref name="work"/> on the pool against the current result, which stays alive (leased) until
    /// the work ends; a released image is decoded again first, so the result has its image.
    /// </summary>
    internal Task WorkOnAsync(string what, SessionJobs jobs, Action<SegmentationResult, RgbImage> work)
        => Task.Run(() =>
        {
            _images.Reload();
            if (_session.Ended) throw new OperationCanceledException();
            if (Lease() is not ({ } result, { } image))
            {
                _changes.Error = "There is no trained result any more; train again.";
                throw new InvalidOperationException(_changes.Error);
            }
            jobs.MarkRunning();
            try { work(result, image); }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex) { _changes.Error = $"{char.ToUpperInvariant(what[0])}{what[1..]} failed: {ex.Message}"; throw; }
            finally { ReleaseLease(); }
        }, CancellationToken.None);

    /// <summary>The run report JSON of the current result, or null.</summary>
    public string? ReportJson()
    {
        var r = Result;
        if (r is null) return null;
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return RunReport.ToJson(r, peakMb, _images.Name);
    }

    /// <summary>The session ended: the result goes (now, or after its last lease) and nothing new is kept.</summary>
    internal void Close()
    {
        SegmentationResult? result;
        LabelSpill? spill;
        lock (gate)
        {
            if (_closed) return;
            _closed = true;
            result = _result;
            _result = null;
            _image = null;
            _pngCache.Clear();
            spill = _leases == 0 ? TakeSpillLocked() : null;   // else the last lease's end deletes it
        }
        Dispose(result);
        spill?.Dispose();
    }

    private LabelSpill? TakeSpillLocked()
    {
        var spill = _spill;
        _spill = null;
        return spill;
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

    public void Dispose()
    {
        _session.End();
        Close();
    }
}
