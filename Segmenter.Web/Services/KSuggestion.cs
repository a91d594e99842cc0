using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>The k sweep of the current codes and the k it suggests, with the reason in words.</summary>
public sealed record KSweep(IReadOnlyList<KSweepPoint> Points, int SuggestedK, string Reason)
{
    /// <summary>Silhouettes this close to the best count as a tie, broken by the inertia elbow.</summary>
    public const double TieTolerance = 0.01;

    public static KSweep From(IReadOnlyList<KSweepPoint> points)
    {
        if (points.Count == 0) throw new ArgumentException("The sweep has no points.", nameof(points));
        int elbow = Elbow(points);
        var scored = points.Where(p => double.IsFinite(p.Silhouette)).ToArray();
        if (scored.Length == 0)
            return new KSweep(points, elbow, $"k = {elbow}: the elbow of the inertia curve (no silhouette could be computed).");
        double best = scored.Max(p => p.Silhouette);
        var tied = scored.Where(p => p.Silhouette >= best - TieTolerance).Select(p => p.K).ToArray();
        if (tied.Length == 1)
            return new KSweep(points, tied[0], $"k = {tied[0]}: the best silhouette ({best:0.000}).");
        // Ties: the one nearest the elbow (the smaller k when equally near).
        int pick = tied.OrderBy(k => Math.Abs(k - elbow)).ThenBy(k => k).First();
        return new KSweep(points, pick,
            $"k = {pick}: silhouettes of k = {string.Join(", ", tied)} are within {TieTolerance} of the best ({best:0.000}); the inertia elbow is at k = {elbow}.");
    }

    /// <summary>The k whose (normalised) inertia lies farthest below the chord from the first to the last point.</summary>
    public static int Elbow(IReadOnlyList<KSweepPoint> points)
    {
        if (points.Count < 3) return points[0].K;
        var first = points[0]; var last = points[^1];
        double span = first.Inertia - last.Inertia;
        if (!(span > 0)) return first.K;
        int best = first.K; double bestGap = double.NegativeInfinity;
        foreach (var p in points)
        {
            double x = (double)(p.K - first.K) / (last.K - first.K);
            double y = (p.Inertia - last.Inertia) / span; // 1 at the first point, 0 at the last
            double gap = (1 - x) - y;                      // how far below the chord
            if (gap > bestGap) { bestGap = gap; best = p.K; }
        }
        return best;
    }
}
