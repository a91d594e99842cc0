namespace Segmenter.Bench.Scenes;

/// <summary>
/// Where the segments are: each layout returns one segment index per pixel (row-major) with every index present
/// in at least a minimum share of the pixels, so no segment of the ground truth is a sliver.
/// </summary>
internal static class SceneLayouts
{
    private const int MaxAttempts = 1000;

    /// <summary>Voronoi cells of <paramref name="k"/> random centres (straight borders, like ../shared's fixtures).</summary>
    public static int[] Voronoi(Random rng, int width, int height, int k, double minShare)
    {
        var truth = new int[width * height];
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var centres = Enumerable.Range(0, k).Select(_ => (X: rng.NextDouble() * width, Y: rng.NextDouble() * height)).ToArray();
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int best = 0;
                double bestD = double.MaxValue;
                for (int c = 0; c < k; c++)
                {
                    double dx = x - centres[c].X, dy = y - centres[c].Y, d = dx * dx + dy * dy;
                    if (d < bestD) { bestD = d; best = c; }
                }
                truth[y * width + x] = best;
            }
            if (EverySegmentHasShare(truth, k, minShare)) return truth;
        }
        throw new InvalidOperationException($"No Voronoi layout of {k} cells with {minShare:P0} each in {MaxAttempts} attempts.");
    }

    /// <summary>
    /// A background (segment 0) with <paramref name="k"/> − 1 curved shapes painted over it in order: circles,
    /// ellipses and blobs whose radius wobbles with the angle (later shapes may cover earlier ones).
    /// </summary>
    public static int[] CurvedShapes(Random rng, int width, int height, int k, double minShare)
    {
        var truth = new int[width * height];
        var counts = new int[k];
        counts[0] = truth.Length;
        int size = Math.Min(width, height), least = (int)Math.Ceiling(minShare * truth.Length);
        var inside = new List<int>();
        var lost = new int[k];
        // Shape by shape: redraw a shape until it keeps every segment painted so far (and itself) above the minimum,
        // which converges much faster than redrawing the whole layout.
        for (int s = 1; s < k; s++)
        {
            for (int attempt = 0; ; attempt++)
            {
                if (attempt == MaxAttempts)
                    throw new InvalidOperationException($"No place for shape {s} of {k - 1} with {minShare:P0} of the pixels each in {MaxAttempts} attempts.");
                Rasterise(CurvedShape.Random(rng, width, height, size), width, height, inside);
                Array.Clear(lost);
                foreach (int i in inside) lost[truth[i]]++;
                if (inside.Count < least || Enumerable.Range(0, s).Any(t => counts[t] - lost[t] < least)) continue;
                foreach (int i in inside) truth[i] = s;
                for (int t = 0; t < s; t++) counts[t] -= lost[t];
                counts[s] = inside.Count;
                break;
            }
        }
        return truth;
    }

    /// <summary>The indices of the pixels inside <paramref name="shape"/>, searched only in the square its largest radius reaches.</summary>
    private static void Rasterise(CurvedShape shape, int width, int height, List<int> inside)
    {
        inside.Clear();
        int reach = (int)Math.Ceiling(shape.MaxRadius) + 1;
        int x0 = Math.Max(0, (int)shape.Cx - reach), x1 = Math.Min(width - 1, (int)shape.Cx + reach);
        int y0 = Math.Max(0, (int)shape.Cy - reach), y1 = Math.Min(height - 1, (int)shape.Cy + reach);
        for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (shape.Contains(x, y)) inside.Add(y * width + x);
    }

    private static bool EverySegmentHasShare(int[] truth, int k, double minShare)
    {
        var counts = new int[k];
        foreach (int t in truth) counts[t]++;
        return counts.All(c => c >= minShare * truth.Length);
    }

    /// <summary>r(θ) = r0 · (1 + a3 sin(3θ + φ3) + a5 sin(5θ + φ5)), stretched by an aspect ratio and rotated.</summary>
    private sealed record CurvedShape(double Cx, double Cy, double R0, double Aspect, double Rotation,
        double A3, double Phi3, double A5, double Phi5)
    {
        public static CurvedShape Random(Random rng, int width, int height, int size)
        {
            double r0 = size * (0.13 + 0.12 * rng.NextDouble());
            bool blob = rng.NextDouble() < 0.5;
            return new CurvedShape(
                Cx: r0 + rng.NextDouble() * (width - 2 * r0),
                Cy: r0 + rng.NextDouble() * (height - 2 * r0),
                R0: r0,
                Aspect: 0.6 + 0.4 * rng.NextDouble(),
                Rotation: rng.NextDouble() * Math.PI,
                A3: blob ? 0.10 + 0.15 * rng.NextDouble() : 0,
                Phi3: rng.NextDouble() * 2 * Math.PI,
                A5: blob ? 0.05 + 0.10 * rng.NextDouble() : 0,
                Phi5: rng.NextDouble() * 2 * Math.PI);
        }

        /// <summary>No point of the shape is farther from its centre (the aspect only shrinks one axis).</summary>
        public double MaxRadius => R0 * (1 + A3 + A5);

        public bool Contains(int x, int y)
        {
            double dx = x + 0.5 - Cx, dy = y + 0.5 - Cy;
            // Into the shape's own frame: rotate, then undo the aspect stretch along the second axis.
            double u = dx * Math.Cos(Rotation) + dy * Math.Sin(Rotation);
            double v = (-dx * Math.Sin(Rotation) + dy * Math.Cos(Rotation)) / Aspect;
            double theta = Math.Atan2(v, u);
            double r = R0 * (1 + A3 * Math.Sin(3 * theta + Phi3) + A5 * Math.Sin(5 * theta + Phi5));
            return u * u + v * v <= r * r;
        }
    }
}
