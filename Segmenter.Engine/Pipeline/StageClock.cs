using System.Diagnostics;

namespace Segmenter.Engine.Pipeline;

/// <summary>Times a run's stages and tells the caller as each begins.</summary>
internal sealed class StageClock(Stopwatch clock, Action<PipelineEvent>? progress, double decodeSeconds)
{
    private readonly Dictionary<PipelineStage, double> seconds = [];
    private PipelineStage? current;
    private double currentStart;

    public void Enter(PipelineStage stage)
    {
        double now = clock.Elapsed.TotalSeconds;
        if (current is { } c) seconds[c] = seconds.GetValueOrDefault(c) + now - currentStart;
        current = stage;
        currentStart = now;
        progress?.Invoke(new StageChanged(stage, now));
    }

    public StageTimings Timings(IReadOnlyList<EpochLoss> losses) => new(
        DecodeSeconds: decodeSeconds,
        TrainSeconds: seconds.GetValueOrDefault(PipelineStage.Training),
        EncodeSeconds: seconds.GetValueOrDefault(PipelineStage.Encoding),
        ClusterSeconds: seconds.GetValueOrDefault(PipelineStage.Clustering),
        RenderSeconds: seconds.GetValueOrDefault(PipelineStage.Rendering),
        TotalSeconds: clock.Elapsed.TotalSeconds,
        // A re-clustering trains nothing, so it has no first epoch of its own.
        FirstEpochSeconds: losses.Count > 0 && seconds.ContainsKey(PipelineStage.Training) ? losses[0].ElapsedSeconds : 0);
}
