using System.Globalization;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench.Quality;

/// <summary>
/// The classical region pipeline the engine's regions are measured against: scikit-image's Felzenszwalb–Huttenlocher
/// over-segmentation merged greedily (Ward's criterion on each region's mean CIE Lab, and optionally the local spread of
/// Lab) to k connected regions, run by <c>peers/felzenszwalb_merge.py</c> under Debian's Python. One row per tuning
/// point, so the chosen one is seen beside the ones it beat.
/// </summary>
internal static class RegionBaselines
{
    public const string Script = "felzenszwalb_merge.py";

    /// <summary>The tuned point: scale 500, merging on mean Lab and the Lab spread under a Gaussian of σ 4 px (best of the grid on train + val).</summary>
    public const string Tuned = "fh-merge";

    /// <summary>The grid the tuned point was chosen from: the over-segmentation's scale, with and without the spread feature.</summary>
    private static readonly (string Id, double Scale, double SpreadSigma)[] Grid =
    [
        (Tuned, 500, 4), ("fh-merge-s300", 300, 4), ("fh-merge-s100", 100, 4),
        ("fh-merge-s500-lab", 500, 0), ("fh-merge-s100-lab", 100, 0),
    ];

    public const string Regions = "regions", Clusters = "clusters";

    /// <summary>Ours in each mode (one of them is the default's own run, reused), then the classical grid.</summary>
    public static IEnumerable<QualityMethod> Rows() =>
    [
        new(Regions, "default, segments = regions (k connected regions cut from the merge tree)",
            (k, s) => QualityMethods.DefaultParameters(k, s) with { Segments = Segments.Regions }, null),
        new(Clusters, "default, segments = clusters (k-means classes)",
            (k, s) => QualityMethods.DefaultParameters(k, s) with { Segments = Segments.Clusters }, null),
        .. Grid.Select(g => new QualityMethod(g.Id,
            $"Felzenszwalb–Huttenlocher scale {g.Scale} + Ward merge on Lab{(g.SpreadSigma > 0 ? $" and Lab spread σ {g.SpreadSigma}" : "")} (scikit-image)",
            null, (input, _) => Run(input, g.Scale, g.SpreadSigma))),
    ];

    private static int[] Run(QualityInput input, double scale, double spreadSigma)
    {
        string script = Path.Combine(RepoPaths.RequireRoot(), "Segmenter.Bench", "peers", Script);
        string temp = Directory.CreateTempSubdirectory("segmenter-quality-fh-").FullName;
        try
        {
            string image = input.Path ?? Path.Combine(temp, "input.png");
            if (input.Path is null)
                using (var f = File.Create(image)) ImageLoader.SavePng(input.Image, f);
            string labels = Path.Combine(temp, "labels.png");
            string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            var run = ChildProcess.Run(PythonPeer.Python, [script, image, input.Clusters.ToString(CultureInfo.InvariantCulture), labels,
                "--scale", N(scale), "--spread-sigma", N(spreadSigma)], PythonPeer.Timeout);
            if (run.ExitCode != 0)
                throw new PeerFailedException($"{Script} failed on {input.Name}: " + (run.TimedOut ? "timed out" : $"exit {run.ExitCode}: {PythonPeer.LastLine(run.Stderr)}"));
            return LabelMaps.Read(labels);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }
}
