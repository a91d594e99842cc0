using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Sweeps;

/// <summary>A measured run: its settings, its stage times and its image's pixels.</summary>
public sealed record MeasuredRun(SegmentationParameters Parameters, StageTimings Timings, long Pixels);

/// <summary>
/// How long a sweep takes, from a run measured on this server: training time scales with epochs × training pixels
/// (the sample each epoch draws, or every working pixel), the rest of a run (encode, cluster, score, store) is taken
/// as it was; the runs share <c>workers</c> slots.
/// </summary>
public static class SweepEstimate
{
    public static double Seconds(SegmentationParameters basis, IReadOnlyList<SweepAxis> axes, MeasuredRun measured, int workers)
    {
        var m = measured.Parameters;
        double perPixelEpoch = measured.Timings.TrainSeconds / Math.Max(1.0, (double)m.Epochs * TrainingPixels(m, measured.Pixels));
        double rest = Math.Max(0, measured.Timings.TotalSeconds - measured.Timings.TrainSeconds);
        var combinations = SweepAxes.Combinations(axes);
        double total = combinations.Sum(values =>
        {
            var p = basis;
            for (int i = 0; i < axes.Count; i++) p = axes[i].Field.With(p, values[i]);
            return rest + perPixelEpoch * p.Epochs * TrainingPixels(p, measured.Pixels);
        });
        return total / Math.Clamp(workers, 1, Math.Max(1, combinations.Count));
    }

    private static double TrainingPixels(SegmentationParameters p, long pixels)
    {
        long working = p.WorkingPixelLimit > 0 ? Math.Min(pixels, p.WorkingPixelLimit) : pixels;
        return p.TrainingSample is int sample ? Math.Min(sample, working) : working;
    }
}
