using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The stroke fine-tune (issue 15, part 2, "optional"): the held run's network trains a few more epochs with the
/// strokes as an extra loss (<see cref="TrainedModel.FineTune"/>), as a session job with progress and cancel; its
/// epochs continue the loss curve. The strokes are then applied to the new codes and published as an edit, so Undo
/// in the cluster panel goes back to the labels before.
/// </summary>
public sealed partial class SegmentationSession
{
    /// <summary>Whether the held run's network can be fine-tuned now (a result with its trained model, nothing running).</summary>
    public bool CanFineTune => CanEditClusters && Result?.Model is { IsDisposed: false };

    /// <summary>
    /// Starts the fine-tune job with one brush label per pixel (as <see cref="ReclusterWithScribblesAsync"/>) and
    /// <paramref name="epochs"/> epochs. Strokes or epochs that cannot be used go to the error channel and change
    /// nothing; false when refused.
    /// </summary>
    public Task<bool> FineTuneWithScribblesAsync(byte[] brushOfPixel, int epochs)
    {
        if (!CanFineTune || Result is not { } shown)
        {
            _changes.Fail("Fine-tuning needs a finished run whose trained model is still held, and no other job or edit running.");
            return Task.FromResult(false);
        }
        Scribbles strokes;
        var settings = new FineTuneSettings(epochs);
        try
        {
            strokes = new Scribbles(shown.Width, shown.Height, brushOfPixel);
            TrainedModel.Of(shown).FineTuneStrokes(strokes, settings);
        }
        catch (ArgumentException ex) { _changes.Fail($"The fine-tune did not start: {ex.Message}"); return Task.FromResult(false); }

        _runs.BeginOther();
        _changes.Error = null;
        return Task.FromResult(_runs.Launch(SessionActivity.FineTuning, $"{ImageName} fine-tune {epochs} epochs",
            ct => FineTuneJobAsync(strokes, settings, ct)));
    }

    private async Task FineTuneJobAsync(Scribbles strokes, FineTuneSettings settings, CancellationToken ct)
    {
        await WithCurrentResult("fine-tuning", (result, _) =>
        {
            // The fine-tune's epochs continue the curve the run drew, in epoch number and in time.
            var before = EpochLosses;
            int epochsBefore = before.Count;
            double secondsBefore = before.Count > 0 ? before[^1].ElapsedSeconds : 0;
            _runs.EnterStage(PipelineStage.Training);
            try
            {
                TrainedModel.Of(result).FineTune(strokes, settings, loss => _runs.ApplyProgress(new EpochCompleted(loss with
                {
                    Epoch = epochsBefore + loss.Epoch,
                    TotalEpochs = epochsBefore + loss.TotalEpochs,
                    ElapsedSeconds = secondsBefore + loss.ElapsedSeconds,
                })), ct);
            }
            catch
            {
                // A cancelled or failed fine-tune has put the network back: its epochs are gone from the curve too,
                // and the codes the edits hold stay right.
                _runs.RewindLosses(before);
                throw;
            }
            // Every code changed: the edits' codes are stale and encoded again.
            ReleaseEditCodes();
        });
        _runs.EnterStage(PipelineStage.Clustering);
        if (!await ApplyStrokesAsync(strokes, fromJob: true))
            throw new InvalidOperationException(_changes.Error ?? "The fine-tuned strokes were not applied.");
    }
}
