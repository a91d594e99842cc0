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
    private long _lastActiveTicks = DateTime.UtcNow.Ticks;

    /// <summary>The stored run this session continued from (opened with "Open in the bench"), or null.</summary>
    public string? ContinuedFrom { get; private set; }

    /// <summary>The trained model is not in memory: re-clustering retrains first (same seed, same model).</summary>
    public bool TrainedModelReleased => _results.TrainedModelReleased;

    public DateTime LastActiveUtc => new(Interlocked.Read(ref _lastActiveTicks), DateTimeKind.Utc);

    public long ResidentBytes
    {
        get
        {
            lock (_gate) return _results.ResidentBytesLocked() + _images.ResidentBytesLocked() + EditCodeBytes + BaselineLabelBytes;
        }
    }

    /// <summary>
    /// Drops the encoded PNGs, the trained model, the edits' per-pixel codes, the colour baselines' label maps and the
    /// decoded image when its upload is stored (labels, clusters and plots stay); nothing while busy.
    /// </summary>
    public long ReleaseResident()
    {
        lock (_gate)
        {
            if (_disposed || IsBusy || _results.IsLeasedLocked) return 0;
            var released = _images.ReleaseLocked();
            return (released is null ? 0 : released.Pixels.LongLength) + _results.ReleaseLocked(released) + ReleaseEditCodes() + ReleaseBaselineLabels();
        }
    }

    /// <summary>
    /// An image for the page: the original as uploaded (no re-encoding; from the store once a run stored it), the
    /// mean-colour segmentation from the store when the current result is stored, else <see cref="GetPng"/>'s PNG.
    /// </summary>
    public (byte[] Bytes, string ContentType)? GetImageFile(ResultImage which)
    {
        if (_disposed) return null;
        Touch();
        if (which == ResultImage.Original && _images.OriginalBytes() is { } original
            && RunCodec.ContentTypeOf(original) is var type && type.StartsWith("image/", StringComparison.Ordinal))
            return (original, type);
        if (which.In(View) == ResultImage.MeanColours && _results.StoredId is { } storedId
            && _store?.GetFileAsync(storedId, RunFile.Segmented).GetAwaiter().GetResult() is { } segmented)
            return segmented;
        return GetPng(which) is { } png ? (png, "image/png") : null;
    }

    private void Touch()
    {
        Interlocked.Exchange(ref _lastActiveTicks, DateTime.UtcNow.Ticks);
        _budget?.Enforce(keep: this);
    }

    /// <summary>A result's history row as it is shown the moment it lands (scores and run id come later).</summary>
    internal static RunRecord RecordOf(SegmentationResult result, string? imageName, PublishedImages drawn)
        => new(0, DateTime.UtcNow, imageName, result.Parameters, result.Reclustered, result.EpochLosses.ToArray(),
            result.FinalLoss, result.Inertia, double.NaN, double.NaN, result.Timings, drawn.ThumbnailPng is { } t ? Thumbnails.DataUrl(t) : null);

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
            _changes.Fail($"There is no stored run \"{id}\": it may have been deleted or evicted by the store's retention.");
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
                d.KMeansIterations, d.Timings, view.Plot, model: null) { Reclustered = s.Reclustered };
            ReplaceResult(result, image, modelInMemory: false);
            _runs.ShowFinished(d.EpochLosses, d.Parameters.Epochs);
        }
        ContinuedFrom = id;
        _changes.RaiseChanged();
        return true;
    }

    /// <summary>Re-clusters the trained codes, or, when the model was released, trains the same model again (same seed) with the new k.</summary>
    private SegmentationResult ReclusterOrRetrain(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken ct)
    {
        if (!_results.ModelReleased) return TrainedModel.Of(previous).Cluster(parameters, ct);
        _logger.LogInformation("Re-clustering a run whose trained model is not in memory: training it again with seed {Seed}", parameters.Seed);
        _runs.RestartTraining();
        return SegmentationPipeline.Run(image, parameters, ApplyProgress, ct, LivePreviewOptions.Default);
    }
}
