using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// What is measured beside the current result: the colour baselines (computed with every
/// run), a seed-stability figure and map (when the run was started as a stability run), and scores against an
/// uploaded ground truth. Tied to one result: a new result starts without them.
/// </summary>
public sealed record SteeringViews(SegmentationResult Result, IReadOnlyList<BaselineView> Baselines, SeedStability? Stability = null,
    int[]? Truth = null, TruthScore? TruthScore = null)
{
    /// <summary>Each baseline scored against the uploaded truth, in <see cref="Baselines"/>' order; empty without a truth (scored once, as the truth is read).</summary>
    public IReadOnlyList<TruthScore> BaselineTruthScores { get; init; } = [];

    /// <summary>
    /// The baselines' label maps were given up under the memory budget (their names and scores stay): they are
    /// computed again (same image, k and seed: the same labels) when a baseline is drawn or scored.
    /// </summary>
    public bool BaselineLabelsReleased { get; init; }

    /// <summary>Bytes of the baselines' label maps held now, for the memory budget.</summary>
    public long BaselineLabelBytes => Baselines.Sum(b => b.Labels.LongLength);

    public SteeringViews WithoutBaselineLabels() =>
        this with { Baselines = Baselines.Select(b => b with { Labels = [] }).ToArray(), BaselineLabelsReleased = true };

    public RunScores Scores => RunBaselines.Scores(Baselines, Stability?.MeanPairwiseAri) with
    {
        TruthAri = TruthScore?.Ari, TruthMeanIoU = TruthScore?.MatchedMeanIoU,
    };
}

/// <summary>
/// The assessment of the current result (scoped: one per circuit): the colour baselines and the seed stability measured
/// with it (<see cref="RunPublisher"/>), and its scores against an uploaded ground truth. Its views are one volatile
/// reference, replaced whole.
/// </summary>
public sealed class SessionAssessment(SessionImage images, CurrentResult current, RunHistory history, SessionChanges changes,
    Store.RunStore? store = null)
{
    private SteeringViews? _steering;
    private int _stabilitySeedsRequested; // 0: none

    /// <summary>The colour baselines last computed, reused by a re-cluster at the same k and seed.</summary>
    internal BaselineCache Baselines { get; } = new();

    /// <summary>Seeds the next stability run trains (the page's field).</summary>
    public int? StabilitySeedCount { get; set; } = StabilitySeeds.Default;

    /// <summary>What is measured beside the current result, or null when nothing is (yet).</summary>
    public SteeringViews? Steering => Volatile.Read(ref _steering) is { } s && ReferenceEquals(s.Result, current.Result) ? s : null;

    /// <summary>The next run trains <paramref name="seeds"/> seeds (null: a plain run).</summary>
    internal void RequestSeeds(int? seeds) => Interlocked.Exchange(ref _stabilitySeedsRequested, seeds ?? 0);

    /// <summary>The seeds requested for the run being published, once.</summary>
    internal int? TakeRequestedSeeds() => Interlocked.Exchange(ref _stabilitySeedsRequested, 0) is var n and > 0 ? n : null;

    /// <summary>A run was measured: these views go with it.</summary>
    internal void Show(SteeringViews views) => Volatile.Write(ref _steering, views);

    /// <summary>
    /// Reads a ground-truth label PNG for the current result and scores the run and its baselines against it. A
    /// wrong size or unreadable file is refused with a message; the run, its views and the history are untouched.
    /// </summary>
    public async Task<bool> LoadTruthAsync(Stream stream, CancellationToken ct = default)
    {
        var steering = Steering;
        var result = current.Result;
        if (result is null) { changes.Fail("Run a segmentation first: the ground truth is scored against the current run."); return false; }
        // The result is shown before its scores and baselines are measured; the truth is scored beside them.
        if (steering is null) { changes.Fail("The run is still being scored: add the ground truth again once it has finished."); return false; }
        int[] truth;
        try
        {
            using var buffer = await images.ReadBoundedAsync(stream, ct);
            buffer.Position = 0;
            truth = TruthScore.ReadLabelMap(buffer, result.Width, result.Height);
        }
        catch (Exception ex) when (ex is ArgumentException or ImageRejectedException or IOException or InvalidOperationException)
        {
            changes.Fail($"The ground truth was not used: {ex.Message}");
            return false;
        }
        steering = await Task.Run(() => WithBaselineLabels(steering, ct), ct);
        var scored = steering with
        {
            Truth = truth, TruthScore = TruthScore.Of(truth, StabilitySeeds.Ints(result.Labels)),
            BaselineTruthScores = steering.Baselines.Select(b => b.Against(truth)).ToArray(),
        };
        Volatile.Write(ref _steering, scored);
        changes.Error = null;
        // The current result's row: by its stored id, or (no store) the newest row, which the result was published with.
        var storedId = current.StoredIdOf(result);
        if ((storedId is null ? history.Runs.LastOrDefault() : history.Runs.LastOrDefault(r => r.RunId == storedId)) is { } row)
        {
            var updated = row with { Scores = scored.Scores };
            history.Update(updated);
            if (store is not null && updated.RunId is { } id) await store.UpdateScoresAsync(id, scored.Scores, ct);
        }
        changes.RaiseChanged();
        return true;
    }

    /// <summary>
    /// The views with their baselines' label maps, computed again when the budget released them; the scores stay the
    /// ones measured with the run (an edited run keeps its trained run's). Unchanged when the image cannot be had.
    /// </summary>
    private SteeringViews WithBaselineLabels(SteeringViews steering, CancellationToken ct)
    {
        if (!steering.BaselineLabelsReleased) return steering;
        if (images.Reload() is not { } image || image.Width != steering.Result.Width || image.Height != steering.Result.Height) return steering;
        var fresh = Baselines.Beside(image, steering.Result, ct);
        var restored = steering with
        {
            Baselines = steering.Baselines.Zip(fresh, (held, again) => held with { Labels = again.Labels }).ToArray(),
            BaselineLabelsReleased = false,
        };
        return ReferenceEquals(Interlocked.CompareExchange(ref _steering, restored, steering), steering) ? restored : Volatile.Read(ref _steering) ?? restored;
    }

    /// <summary>Drops the baselines' label maps (names and scores stay), for the memory budget. Returns the bytes freed.</summary>
    internal long ReleaseBaselineLabels()
    {
        if (Volatile.Read(ref _steering) is not { BaselineLabelsReleased: false } steering) return 0;
        Volatile.Write(ref _steering, steering.WithoutBaselineLabels());
        Baselines.Forget();
        return steering.BaselineLabelBytes;
    }

    internal long BaselineLabelBytes => Volatile.Read(ref _steering)?.BaselineLabelBytes ?? 0;

    /// <summary>The stability map over the original, or a baseline's labels in palette colours; null for any other image.</summary>
    internal RgbImage? Draw(ResultImage which)
    {
        if (which.Kind is not (ResultImageKind.StabilityMap or ResultImageKind.Baseline) || Steering is not { } steering) return null;
        var image = which.Kind == ResultImageKind.StabilityMap ? images.Current ?? images.Reload() : null;
        if (which.Kind == ResultImageKind.StabilityMap)
            return steering.Stability is { } s && image is not null && image.PixelCount == s.Agreement.Length ? s.RenderOver(image) : null;
        if (which.Kind != ResultImageKind.Baseline || which.Index >= steering.Baselines.Count) return null;
        var labels = WithBaselineLabels(steering, CancellationToken.None).Baselines[which.Index].Labels;
        if (labels.LongLength != steering.Result.Labels.LongLength) return null;
        return ClusterPalette.Paint<byte>(labels, labels.Length == 0 ? 0 : labels.Max() + 1, steering.Result.Width, steering.Result.Height);
    }

    /// <summary>
    /// The views measured beside the run <paramref name="before"/> stay with its edit (baselines and stability describe
    /// the trained run); a ground-truth score is taken again on the edited labels.
    /// </summary>
    internal void CarryOver(SegmentationResult before, SegmentationResult edited)
    {
        if (Volatile.Read(ref _steering) is not { } s || !ReferenceEquals(s.Result, before)) return;
        Volatile.Write(ref _steering, s with
        {
            Result = edited,
            TruthScore = s.Truth is { } truth ? TruthScore.Of(truth, StabilitySeeds.Ints(edited.Labels)) : null,
        });
    }
}
