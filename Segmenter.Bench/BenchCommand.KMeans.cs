using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>The bench's k-means part: our estimator against scikit-learn's on identical codes.</summary>
internal static partial class BenchCommand
{

    private sealed record KMeansComparison(string Preset, int Codes, int Dims, double OursSeconds, double OursInertia, int OursIterations,
        double? SklearnSeconds, double? SklearnInertia, int? SklearnIterations, string? Note)
    {
        public double? InertiaDiffPercent => SklearnInertia is { } s ? 100 * (OursInertia - s) / s : null;
    }

    /// <summary>
    /// Trains once on the astronaut (Fast preset, k = 4), takes every pixel's 32-d code and times
    /// KMeans(4, nInit 10, seed 42) against scikit-learn's KMeans(4, n_init=10, random_state=42) on the same codes.
    /// </summary>
    private static KMeansComparison CompareKMeans(string root, bool sklearn)
    {
        const int dims = 32, k = 4;
        var image = ImageLoader.Load(Path.Combine(root, "assets", "astronaut.png"));
        float[] codes;
        using (var trained = SegmentationPipeline.Run(image, SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k }).Model!)
            codes = trained.Encode();
        int n = codes.Length / dims;

        new KMeans(k, nInit: 1, seed: 1).Fit(codes[..(4096 * dims)], dims); // JIT warm-up, not timed
        var sw = Stopwatch.StartNew();
        var ours = new KMeans(k, nInit: 10, seed: 42).Fit(codes, dims);
        double oursSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"k-means ours: {n}×{dims} codes, {oursSeconds:0.000} s, inertia {ours.Inertia:0.####}");

        if (!sklearn) return new("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations, null, null, null, "scikit-learn skipped");
        string file = Path.Combine(Path.GetTempPath(), $"segmenter-codes-{Environment.ProcessId}.f32");
        try
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The codes file is written little-endian.");
            File.WriteAllBytes(file, MemoryMarshal.AsBytes(codes.AsSpan()).ToArray());
            string script = Path.Combine(root, "Segmenter.Bench", "peers", "kmeans_sklearn.py");
            var run = ChildProcess.Run(PythonPeer.Python, [script, file, n.ToString(CultureInfo.InvariantCulture), dims.ToString(CultureInfo.InvariantCulture),
                k.ToString(CultureInfo.InvariantCulture)], PythonPeer.Timeout);
            var json = run.ExitCode == 0 ? PythonPeer.LastJson(run.Stdout) : null;
            if (json is null)
                return new("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations, null, null, null, $"scikit-learn failed: {PythonPeer.LastLine(run.Stderr)}");
            var result = new KMeansComparison("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations,
                json["seconds"]!.GetValue<double>(), json["inertia"]!.GetValue<double>(), json["n_iter"]!.GetValue<int>(), null);
            Console.WriteLine($"k-means scikit-learn: {result.SklearnSeconds:0.000} s, inertia {result.SklearnInertia:0.####}");
            return result;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
