using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// Edited results (merge, split, undo, stroke re-cluster) stored as runs of their own: a history row and a
/// <c>/runs/{id}</c> link, with the run they were edited from and what was done (<see cref="RunEdit"/>).
/// </summary>
public sealed partial class SegmentationSession
{
    /// <summary>
    /// Stores <paramref name="result"/> (an edit of the run <paramref name="parentRunId"/>, captured by the caller
    /// before the edit replaced it) as a run, adds it to the history and returns its id; null when runs are not
    /// stored (no history id) or the store failed (then the page says why and the edit itself stays).
    /// </summary>
    public async Task<string?> StoreEditedRunAsync(SegmentationResult result, string editSummary, string? parentRunId)
    {
        if (_store is null || HistoryOwner is not { } owner || Image is not { } image) return null;
        try
        {
            byte[] original = _images.OriginalBytesOf(image) ?? ImageLoader.EncodePng(image);
            var id = RunCodec.NewId();
            var drawn = PublishedImages.Draw(result, _logger);
            // An edit is not scored for silhouette/Davies–Bouldin here: it is stored as soon as it lands.
            var quality = new RunQuality(double.NaN, double.NaN, QualitySample);
            await _store.SaveAsync(RunSnapshot.Of(id, owner, ImageName, original, result, quality, drawn.Mean, drawn.ThumbnailPng,
                meanPng: drawn.MeanPng, edit: new RunEdit(parentRunId, editSummary)));
            _results.MarkStored(result, id);
            History.Add(new RunRecord(0, DateTime.UtcNow, ImageName, result.Parameters, result.Reclustered, result.EpochLosses.ToArray(),
                result.FinalLoss, result.Inertia, double.NaN, double.NaN, result.Timings,
                drawn.ThumbnailPng is { } t ? Thumbnails.DataUrl(t) : null, id));
            _signals.RaiseChanged();
            return id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not store the edited run");
            _signals.Fail($"The edit was applied but could not be stored, so it will not be in the history after a reload: {ex.Message}");
            return null;
        }
    }
}
