using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>A finished run (or an edit of one) to publish: the result, the image it ran on, and what the store keeps with it.</summary>
public sealed record FinishedRun(SegmentationResult Result, RgbImage Image, string? ImageName)
{
    /// <summary>Seeds of a stability run (the first is this run); null for a plain run.</summary>
    public int? StabilitySeeds { get; init; }

    /// <summary>The run this one was edited from and how; an edit is drawn and stored, not scored.</summary>
    public RunEdit? Edit { get; init; }

    /// <summary>The strokes the result was re-clustered by, stored with it.</summary>
    public Scribbles? Strokes { get; init; }

    /// <summary>The model file to store instead of the result's own (a stored run's model that was applied).</summary>
    public byte[]? ModelFile { get; init; }

    /// <summary>The stored run whose model was applied (no training), recorded in the report.</summary>
    public string? FromRun { get; init; }
}

/// <summary>What is measured beside a run: the colour baselines and, for a stability run, the seeds' agreement.</summary>
public sealed record RunAssessment(IReadOnlyList<BaselineView> Baselines, SeedStability? Stability)
{
    public RunScores Scores => RunBaselines.Scores(Baselines, Stability?.MeanPairwiseAri);
}

/// <summary>
/// Who a run is published for, told after each step so it can show it at once: the page shows the drawn result before
/// it is scored and fills the scores in as they come; the API only needs the stored run. By default every hook does
/// nothing and a failure fails the publishing.
/// </summary>
public abstract class PublishTarget
{
    /// <summary>The store's owner of the run (a browser's history id, or the API's); null: the run is not stored.</summary>
    public abstract string? Owner { get; }

    /// <summary>The id the run is stored under (the API hands its run's id out before the run ends).</summary>
    public virtual string NewRunId() => RunCodec.NewId();

    /// <summary>The upload's own bytes, stored once per distinct upload.</summary>
    public abstract byte[] OriginalOf(RgbImage image);

    /// <summary>The colour baselines already computed for this image, k and seed, reused; null computes them.</summary>
    public virtual BaselineCache? Baselines => null;

    /// <summary>Both colour baselines beside the run, each scored against its labels: from <see cref="Baselines"/>, else computed.</summary>
    public virtual IReadOnlyList<BaselineView> BaselinesBeside(RgbImage image, SegmentationResult result, CancellationToken ct)
        => Baselines?.Beside(image, result, ct) ?? RunBaselines.Of(image, result, ct);

    /// <summary>The images are drawn; false stops the publishing there (a newer result replaced this one).</summary>
    public virtual bool Drawn(PublishedImages drawn) => true;

    public virtual void Scored(RunQuality quality) { }

    /// <summary>The stability run's other seeds start training.</summary>
    public virtual void SeedsStarting() { }

    public virtual void Assessed(RunAssessment assessment) { }

    /// <summary>The baselines or seeds failed; true publishes the run without their scores, false fails it.</summary>
    public virtual bool AssessmentFailed(Exception failure) => false;

    public virtual void Stored(string id) { }

    /// <summary>Storing failed; true keeps the run unstored, false fails it.</summary>
    public virtual bool StoreFailed(Exception failure) => false;
}

/// <summary>
/// The one way a finished run is published, for the page's jobs and the HTTP API alike: draw its images, score it on a
/// sample of its codes, measure the colour baselines (and the other seeds of a stability run) beside it, and store it.
/// The steps run in that order on the caller's (job's) thread; the target sees each as it lands.
/// </summary>
public sealed class RunPublisher(ILogger<RunPublisher> logger, RunStore? store = null)
{
    /// <summary>Codes sampled per run for its silhouette and Davies–Bouldin scores.</summary>
    public const int QualitySample = 2000;

    /// <summary>Publishes <paramref name="run"/> for <paramref name="target"/>; returns the stored run's id, or null when it was not stored.</summary>
    public string? Publish(FinishedRun run, PublishTarget target, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var result = run.Result;
        var drawn = PublishedImages.Draw(result, logger);
        if (!target.Drawn(drawn)) return null;
        var shown = clock.Elapsed;

        var quality = new RunQuality(double.NaN, double.NaN, 0);
        RunScores? scores = null;
        if (run.Edit is null)
        {
            quality = Score(result);
            target.Scored(quality);
        }
        var scored = clock.Elapsed;
        if (run.Edit is null && Assess(run, target, ct) is { } assessment)
        {
            scores = assessment.Scores;
            target.Assessed(assessment);
        }
        var assessed = clock.Elapsed;

        var id = Store(run, target, quality, scores, drawn);
        if (run.Edit is null)
            logger.LogInformation("Published {Kind} k={Clusters} ({Width}x{Height}): shown after {ShownMs:F0} ms, quality +{QualityMs:F0} ms, " +
                "baselines and seeds +{BesideMs:F0} ms, stored +{StoredMs:F0} ms", result.Reclustered ? "re-cluster" : "run", result.Parameters.Clusters,
                result.Width, result.Height, shown.TotalMilliseconds, (scored - shown).TotalMilliseconds, (assessed - scored).TotalMilliseconds,
                (clock.Elapsed - assessed).TotalMilliseconds);
        return id;
    }

    /// <summary>Silhouette and Davies–Bouldin on a sample of the run's codes; NaN when the run holds no codes to score.</summary>
    private RunQuality Score(SegmentationResult result)
    {
        try { return TrainedModel.Of(result).Quality(result, QualitySample); }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            logger.LogInformation("The run has no codes to score: {Reason}", ex.Message);
            return new RunQuality(double.NaN, double.NaN, 0);
        }
    }

    private RunAssessment? Assess(FinishedRun run, PublishTarget target, CancellationToken ct)
    {
        var (result, image) = (run.Result, run.Image);
        try
        {
            var baselines = target.BaselinesBeside(image, result, ct);
            SeedStability? stability = null;
            if (run.StabilitySeeds is { } seeds)
            {
                target.SeedsStarting();
                stability = StabilitySeeds.Measure((p, c) => SegmentationPipeline.Run(image, p, null, c), result, seeds, null, ct);
            }
            return new RunAssessment(baselines, stability);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or TrainingFailedException && target.AssessmentFailed(ex))
        {
            logger.LogWarning(ex, "Could not score the run beside its baselines or seeds");
            return null;
        }
    }

    private string? Store(FinishedRun run, PublishTarget target, RunQuality quality, RunScores? scores, PublishedImages drawn)
    {
        if (store is null || target.Owner is not { } owner) return null;
        try
        {
            var id = target.NewRunId();
            store.SaveAsync(RunSnapshot.Of(id, owner, run.ImageName, target.OriginalOf(run.Image), run.Result, quality, thumbnailPng: drawn.ThumbnailPng,
                model: run.ModelFile, fromRun: run.FromRun, scores: scores, meanPng: drawn.MeanPng, edit: run.Edit, strokes: run.Strokes),
                CancellationToken.None).GetAwaiter().GetResult();
            target.Stored(id);
            return id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && target.StoreFailed(ex))
        {
            logger.LogError(ex, run.Edit is null ? "Could not store the run" : "Could not store the edited run");
            return null;
        }
    }
}
