using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// What is measured beside the current result (issue 15, parts 3–5): the colour baselines (computed with every
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

public sealed partial class SegmentationSession
{
    /// <summary>The image names of the views this file draws (<c>/image/{session}/{name}.png</c>).</summary>

    private SteeringViews? _steering;
    private readonly BaselineCache _baselines = new();
    private int? _stabilitySeedsRequested;

    /// <summary>Seeds the next stability run trains (the page's field).</summary>
    public int? StabilitySeedCount { get; set; } = StabilitySeeds.Default;

    /// <summary>What is measured beside the current result, or null when nothing is (yet).</summary>
    public SteeringViews? Steering => Volatile.Read(ref _steering) is { } s && ReferenceEquals(s.Result, Result) ? s : null;

    /// <summary>Trains <see cref="StabilitySeedCount"/> seeds as one job; the first becomes the run, the others measure its stability.</summary>
    public async Task<bool> StartStabilityAsync()
    {
        if (StabilitySeeds.Check(StabilitySeedCount) is { } error) { _changes.Fail(error); return false; }
        lock (_gate) _stabilitySeedsRequested = StabilitySeedCount;
        bool started = await StartAsync();
        if (!started) lock (_gate) _stabilitySeedsRequested = null;
        return started;
    }

    /// <summary>
    /// Reads a ground-truth label PNG for the current result and scores the run and its baselines against it. A
    /// wrong size or unreadable file is refused with a message; the run, its views and the history are untouched.
    /// </summary>
    public async Task<bool> LoadTruthAsync(Stream stream, CancellationToken ct = default)
    {
        var steering = Steering;
        var result = Result;
        if (result is null || steering is null) { _changes.Fail("Run a segmentation first: the ground truth is scored against the current run."); return false; }
        int[] truth;
        try
        {
            using var buffer = await _images.ReadBoundedAsync(stream, ct);
            buffer.Position = 0;
            truth = TruthScore.ReadLabelMap(buffer, result.Width, result.Height);
        }
        catch (Exception ex) when (ex is ArgumentException or ImageRejectedException or IOException or InvalidOperationException)
        {
            _changes.Fail($"The ground truth was not used: {ex.Message}");
            return false;
        }
        steering = await Task.Run(() => WithBaselineLabels(steering, ct), ct);
        var scored = steering with
        {
            Truth = truth, TruthScore = TruthScore.Of(truth, StabilitySeeds.Ints(result.Labels)),
            BaselineTruthScores = steering.Baselines.Select(b => b.Against(truth)).ToArray(),
        };
        Volatile.Write(ref _steering, scored);
        _changes.Error = null;
        // The current result's row: by its stored id, or (no store) the newest row, which the result was published with.
        var storedId = StoredIdOf(result);
        if ((storedId is null ? History.Runs.LastOrDefault() : History.Runs.LastOrDefault(r => r.RunId == storedId)) is { } row)
        {
            var updated = row with { Scores = scored.Scores };
            History.Update(updated);
            if (_store is not null && updated.RunId is { } id) await _store.UpdateScoresAsync(id, scored.Scores, ct);
        }
        _changes.RaiseChanged();
        return true;
    }

    private string? StoredIdOf(SegmentationResult result)
    {
        return ReferenceEquals(_results.Current, result) ? _results.StoredId : null;
    }

    /// <summary>
    /// The views with their baselines' label maps, computed again when the budget released them; the scores stay the
    /// ones measured with the run (an edited run keeps its trained run's). Unchanged when the image cannot be had.
    /// </summary>
    private SteeringViews WithBaselineLabels(SteeringViews steering, CancellationToken ct)
    {
        if (!steering.BaselineLabelsReleased) return steering;
        if (Image is not { } image || image.Width != steering.Result.Width || image.Height != steering.Result.Height) return steering;
        var fresh = _baselines.Beside(image, steering.Result, ct);
        var restored = steering with
        {
            Baselines = steering.Baselines.Zip(fresh, (held, again) => held with { Labels = again.Labels }).ToArray(),
            BaselineLabelsReleased = false,
        };
        return ReferenceEquals(Interlocked.CompareExchange(ref _steering, restored, steering), steering) ? restored : Volatile.Read(ref _steering) ?? restored;
    }

    /// <summary>Drops the baselines' label maps (names and scores stay); part of <see cref="ReleaseResident"/>. Returns the bytes freed.</summary>
    private long ReleaseBaselineLabels()
    {
        if (Volatile.Read(ref _steering) is not { BaselineLabelsReleased: false } steering) return 0;
        Volatile.Write(ref _steering, steering.WithoutBaselineLabels());
        _baselines.Forget();
        return steering.BaselineLabelBytes;
    }

    private long BaselineLabelBytes => Volatile.Read(ref _steering)?.BaselineLabelBytes ?? 0;

    /// <summary>The stability map over the original, or a baseline's labels in palette colours; null for any other image.</summary>
    private RgbImage? SteeringImage(ResultImage which, RgbImage? image)
    {
        if (Steering is not { } steering) return null;
        if (which.Kind == ResultImageKind.StabilityMap)
            return steering.Stability is { } s && image is not null && image.PixelCount == s.Agreement.Length ? s.RenderOver(image) : null;
        if (which.Kind != ResultImageKind.Baseline || which.Index >= steering.Baselines.Count) return null;
        var labels = WithBaselineLabels(steering, CancellationToken.None).Baselines[which.Index].Labels;
        if (labels.LongLength != steering.Result.Labels.LongLength) return null;
        return ClusterPalette.Paint<byte>(labels, labels.Length == 0 ? 0 : labels.Max() + 1, steering.Result.Width, steering.Result.Height);
    }
}
