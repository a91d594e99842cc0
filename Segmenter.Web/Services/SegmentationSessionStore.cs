using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// The session's side of the run store and the memory budget: finished runs are saved under the browser's history
/// id, the history is read back from the store, a stored run can be opened to continue from it, and the heavy,
/// reloadable state (trained model, encoded PNGs) is given up when the <see cref="ResidentBudget"/> asks.
/// </summary>
public sealed partial class SegmentationSession
{
    private readonly RunStore? _store;
    private readonly ResidentBudget? _budget;
    // The current image's upload: its bytes until a run stored them (then the store has them), and their hash.
    private Upload? _upload;
    // True when the current result's trained model was released (budget) or never here (opened from the store).
    private bool _resultReleased;
    private long _lastActiveTicks = DateTime.UtcNow.Ticks;

    // The last stored result and its id: its segmented PNG is served from the store, not encoded again and kept.
    private (SegmentationResult Result, string Id)? _stored;

    // Image: the decoded upload, null while released; Bytes: null once a run stored them.
    private sealed record Upload(RgbImage? Image, byte[]? Bytes, string Sha256);

    // The decoded image was released (its upload is in the store); and whether the result's image was the same one.
    private bool _imageReleased, _resultImageReleased;

    /// <summary>The browser's history id (from its cookie), or null: then runs are not stored.</summary>
    public string? HistoryOwner { get; private set; }

    /// <summary>The stored run this session continued from (opened with "Open in the bench"), or null.</summary>
    public string? ContinuedFrom { get; private set; }

    /// <summary>The trained model is not in memory: re-clustering retrains first (same seed, same model).</summary>
    public bool TrainedModelReleased { get { lock (_gate) return _resultReleased && _result is not null; } }

    public DateTime LastActiveUtc => new(Interlocked.Read(ref _lastActiveTicks), DateTimeKind.Utc);

    public long ResidentBytes
    {
        get
        {
            lock (_gate)
                return _pngCache.Values.Sum(p => (long)p.Length) + (_result?.TrainedStateBytes ?? 0) + (_upload?.Bytes?.LongLength ?? 0)
                    + (ReleasableImageLocked() is { } image ? image.Pixels.LongLength : 0);
        }
    }

    /// <summary>The decoded image when its upload is in the store (so it can be decoded again), else null. Call holding the lock.</summary>
    private RgbImage? ReleasableImageLocked()
        => _image is { } image && _upload is { Bytes: null } u && ReferenceEquals(u.Image, image) && _store is not null ? image : null;

    /// <summary>
    /// Drops the encoded PNGs, the trained model and the decoded image when its upload is stored (labels, clusters
    /// and plots stay); nothing while busy.
    /// </summary>
    public long ReleaseResident()
    {
        lock (_gate)
        {
            if (_disposed || IsBusy || _leases > 0) return 0;
            long freed = _pngCache.Values.Sum(p => (long)p.Length);
            _pngCache.Clear();
            if (ReleasableImageLocked() is { } image)
            {
                freed += image.Pixels.LongLength;
                _resultImageReleased = ReferenceEquals(_resultImage, image);
                if (_resultImageReleased) _resultImage = null;
                _image = null;
                _upload = _upload! with { Image = null };
                _imageReleased = true;
            }
            if (_result is { } result && result.TrainedStateBytes > 0)
            {
                freed += result.TrainedStateBytes;
                result.Dispose(); // the model and its codes; the result's labels and tables stay usable
                _resultReleased = true;
            }
            return freed;
        }
    }

    /// <summary>
    /// An image for the page: the original as uploaded (no re-encoding; from the store once a run stored it), the
    /// mean-colour segmentation from the store when the current result is stored, else <see cref="GetPng"/>'s PNG.
    /// </summary>
    public (byte[] Bytes, string ContentType)? GetImageFile(string which)
    {
        Upload? upload; string? storedId; ResultView view;
        lock (_gate)
        {
            if (_disposed) return null;
            upload = _upload is { } u && ReferenceEquals(u.Image, _image) ? u : null;
            storedId = _stored is { } st && ReferenceEquals(st.Result, _result) ? st.Id : null;
            view = View;
        }
        Touch();
        if (which == "original" && upload is not null
            && (upload.Bytes ?? _store?.GetImageAsync(upload.Sha256).GetAwaiter().GetResult()) is { } original
            && RunCodec.ContentTypeOf(original) is var type && type.StartsWith("image/", StringComparison.Ordinal))
            return (original, type);
        if ((which == "mean" || (which == "segmented" && view == ResultView.MeanColours)) && storedId is not null
            && _store?.GetFileAsync(storedId, RunFile.Segmented).GetAwaiter().GetResult() is { } segmented)
            return segmented;
        return GetPng(which) is { } png ? (png, "image/png") : null;
    }

    /// <summary>Decodes a released image again from the stored upload (null when there is none or it fails).</summary>
    private RgbImage? ReloadReleasedImage()
    {
        Upload? upload;
        lock (_gate)
        {
            if (_image is not null) return _image;
            if (_disposed || !_imageReleased || _upload is null || _store is null) return null;
            upload = _upload;
        }
        RgbImage image;
        try
        {
            var bytes = _store.GetImageAsync(upload.Sha256).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException("the store no longer holds the upload (evicted by its retention)");
            image = _codec.Load(new MemoryStream(bytes), Limits, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Could not decode the released image again");
            lock (_gate) { _imageReleased = false; _upload = null; }
            Error = $"The image was released to save memory and could not be read again ({ex.Message}); choose it again.";
            return null;
        }
        lock (_gate)
        {
            if (_image is null && _imageReleased && ReferenceEquals(_upload, upload))
            {
                _image = image;
                _upload = upload with { Image = image };
                if (_resultImageReleased) _resultImage = image;
                _imageReleased = _resultImageReleased = false;
            }
        }
        Touch();
        return _image;
    }

    private void Touch()
    {
        Interlocked.Exchange(ref _lastActiveTicks, DateTime.UtcNow.Ticks);
        _budget?.Enforce(keep: this);
    }

    private void KeepUpload(RgbImage image, byte[] bytes)
    {
        var sha = RunCodec.Sha256Hex(bytes);
        lock (_gate)
            if (ReferenceEquals(_image, image)) _upload = new Upload(image, bytes, sha);
    }

    /// <summary>Reads the browser's stored runs into the history; from then on finished runs are stored under its id.</summary>
    public async Task AttachHistoryAsync(string? ownerId)
    {
        if (_store is null || !RunCodec.IsId(ownerId) || HistoryOwner is not null) return;
        HistoryOwner = ownerId;
        try
        {
            var runs = await _store.ListAsync(ownerId!, RunHistory.Capacity);
            foreach (var r in runs.Reverse()) History.Add(ToRecord(r));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not read the run history");
            Fail($"The run history could not be read from the store: {ex.Message}");
        }
        RaiseChanged();
    }

    private static RunRecord ToRecord(StoredRunSummary r)
        => new(0, r.CreatedUtc, r.ImageName, r.Details.Parameters, r.Reclustered, r.Details.EpochLosses, r.Details.FinalLoss, r.Details.Inertia,
            r.Details.Silhouette, r.Details.DaviesBouldin, r.Details.Timings, r.ThumbnailPng.Length > 0 ? Thumbnails.DataUrl(r.ThumbnailPng) : null, r.Id, r.Details.Scores);

    /// <summary>Stores a finished run (on the job's thread, before it counts as finished); returns the record with its id.</summary>
    private RunRecord Persist(RunRecord record, SegmentationResult result, RgbImage image, RgbImage? mean, byte[]? thumbnail)
    {
        if (_store is null || HistoryOwner is null) return record;
        try
        {
            Upload? upload;
            lock (_gate) upload = _upload is { } u && ReferenceEquals(u.Image, image) ? u : null;
            // The upload's own bytes (once per distinct upload); an image set without an upload is stored as its PNG.
            byte[] original = upload?.Bytes
                ?? (upload is not null ? _store.GetImageAsync(upload.Sha256).GetAwaiter().GetResult() : null)
                ?? _codec.EncodePng(image);
            var id = RunCodec.NewId();
            var quality = new RunQuality(record.Silhouette, record.DaviesBouldin, QualitySample);
            _store.SaveAsync(RunSnapshot.Of(id, HistoryOwner, record.ImageName, original, result, quality, _codec, mean, thumbnail, scores: record.Scores)).GetAwaiter().GetResult();
            // Stored: the store holds the upload's bytes now, the session only their hash.
            lock (_gate)
            {
                if (_upload is { } u2 && ReferenceEquals(u2.Image, image)) _upload = u2 with { Bytes = null };
                _stored = (result, id);
            }
            return record with { RunId = id };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not store the run");
            Fail($"The run finished but could not be stored, so it will not be in the history after a reload: {ex.Message}");
            return record;
        }
    }

    /// <summary>Deletes a run of the history from the store and the list.</summary>
    public async Task<bool> DeleteRunAsync(int number)
    {
        var record = History.Runs.FirstOrDefault(r => r.Number == number);
        if (record is null) return false;
        try
        {
            if (record.RunId is { } id && _store is not null) await _store.DeleteAsync(id, HistoryOwner);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not delete run {Id}", record.RunId);
            Fail($"Could not delete run #{number}: {ex.Message}");
            return false;
        }
        History.Remove(number);
        RaiseChanged();
        return true;
    }

    /// <summary>
    /// "Open in the bench": the stored run's image, settings and result become this session's, to continue from
    /// there. Its trained model is not stored, so re-clustering it first retrains with the same seed.
    /// </summary>
    public async Task<bool> OpenStoredRunAsync(string id)
    {
        if (_store is null || IsBusy) return false;
        var view = await _store.GetAsync(id);
        var original = view is null ? null : await _store.GetImageAsync(view.ImageSha256);
        var labels = view is null ? null : await _store.GetLabelsAsync(id);
        if (view is null || original is null || labels is null)
        {
            Fail($"There is no stored run \"{id}\": it may have been deleted or evicted by the store's retention.");
            return false;
        }
        var s = view.Summary;
        if (!await LoadUploadAsync(new MemoryStream(original), s.ImageName ?? "image")) return false;
        var d = s.Details;
        RunSettings.Fill(Form, d.Parameters);
        var image = Image!;
        if (image.Width == s.Width && image.Height == s.Height)
        {
            var result = new SegmentationResult(d.Parameters, s.Width, s.Height, labels, d.ClusterTable, d.EpochLosses, d.Inertia,
                d.KMeansIterations, d.Timings, view.Plot, state: null) { Reclustered = s.Reclustered };
            Volatile.Write(ref _losses, d.EpochLosses.ToArray());
            PlannedEpochs = d.Parameters.Epochs;
            ReplaceResult(result, image);
            lock (_gate) _resultReleased = true;
            State = SessionState.Finished;
            Stage = PipelineStage.Done;
        }
        ContinuedFrom = id;
        RaiseChanged();
        return true;
    }

    /// <summary>Re-clusters the trained codes, or, when the model was released, trains the same model again (same seed) with the new k.</summary>
    private SegmentationResult ReclusterOrRetrain(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken ct)
    {
        bool released;
        lock (_gate) released = _resultReleased;
        if (!released) return _engine.Recluster(previous, image, parameters, ct);
        _logger.LogInformation("Re-clustering a run whose trained model is not in memory: training it again with seed {Seed}", parameters.Seed);
        Volatile.Write(ref _losses, []);
        Stage = PipelineStage.Training;
        RaiseChanged();
        return _engine.Run(image, parameters, ApplyProgress, ct);
    }
}
