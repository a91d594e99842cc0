using Segmenter.Engine.Imaging;

namespace Segmenter.Bench.Quality;

/// <summary>
/// A photo and the people's segmentations of it, found by file name in a BSDS500-style folder: images
/// (<c>.jpg</c>, <c>.jpeg</c>, <c>.png</c>) anywhere under it, each with either a <c>NAME.mat</c> (BSDS500's
/// groundTruth: a cell array of structs whose <c>Segmentation</c> field is a label image, one per annotator) or
/// label PNGs <c>NAME.gt.png</c> / <c>NAME.gt.*.png</c> (8-bit, value = segment, one file per annotator).
/// </summary>
internal sealed record AnnotatedPhoto(string Name, string ImagePath, string[] TruthPaths)
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Smallest and largest k the photos are segmented at, whatever the annotators' counts.</summary>
    public const int MinClusters = 2, MaxClusters = 12;

    /// <summary>
    /// Every annotated photo under <paramref name="dir"/>, ordered by path; with a <paramref name="limit"/>, that many
    /// spread evenly over the list (so a subset of train + val draws from both, not only the first folder).
    /// </summary>
    public static List<AnnotatedPhoto> Find(string dir, int? limit)
    {
        if (!Directory.Exists(dir)) throw new UsageException($"The photos folder '{dir}' does not exist.");
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var truths = files.Where(IsTruth).GroupBy(Stem).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var photos = files
            .Where(f => !IsTruth(f) && ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Where(f => truths.ContainsKey(Stem(f)))
            .Select(f => new AnnotatedPhoto(Stem(f), f, truths[Stem(f)]))
            .ToList();
        if (photos.Count == 0)
            throw new UsageException($"No photo under '{dir}' has a human segmentation beside it (NAME.mat or NAME.gt.png).");
        if (limit is not { } n || n >= photos.Count) return photos;
        if (n < 1) throw new UsageException($"--limit must be at least 1; got {n}.");
        return Enumerable.Range(0, n).Select(i => photos[(int)((long)i * photos.Count / n)]).ToList();
    }

    /// <summary>Each annotator's labels, row-major, checked against the photo's size.</summary>
    public List<int[]> ReadAnnotators(int width, int height)
    {
        var annotators = new List<int[]>();
        foreach (string path in TruthPaths)
        {
            if (path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase)) annotators.AddRange(FromMat(path, width, height));
            else
            {
                var image = ImageLoader.Load(path);
                if (image.Width != width || image.Height != height)
                    throw new InvalidDataException($"{path} is {image.Width}×{image.Height}; the photo is {width}×{height}.");
                annotators.Add(LabelMaps.Read(path));
            }
        }
        return annotators;
    }

    /// <summary>k for a photo: the annotators' median number of segments (the mean of the middle two when even, rounded), clamped.</summary>
    public static int ClustersFor(IReadOnlyList<int[]> annotators)
    {
        var counts = annotators.Select(a => a.Distinct().Count()).Order().ToArray();
        double median = counts.Length % 2 == 1 ? counts[counts.Length / 2] : (counts[counts.Length / 2 - 1] + counts[counts.Length / 2]) / 2.0;
        return Math.Clamp((int)Math.Round(median, MidpointRounding.AwayFromZero), MinClusters, MaxClusters);
    }

    /// <summary>BSDS500: <c>groundTruth</c> is a 1 × annotators cell of 1×1 structs; <c>Segmentation</c> is height × width, column-major.</summary>
    private static IEnumerable<int[]> FromMat(string path, int width, int height)
    {
        var variables = MatFile.Read(path);
        if (!variables.TryGetValue("groundTruth", out var value) || value is not MatCell cell)
            throw new InvalidDataException($"{path} has no 'groundTruth' cell array.");
        foreach (var annotator in cell.Cells)
        {
            if (annotator is not MatStruct { Elements: [var fields] } || !fields.TryGetValue("Segmentation", out var s) || s is not MatNumeric seg)
                throw new InvalidDataException($"{path}: a groundTruth entry has no numeric 'Segmentation' field.");
            if (seg.Dimensions is not [var rows, var columns] || rows != height || columns != width)
                throw new InvalidDataException($"{path}: a segmentation is {string.Join('×', seg.Dimensions)}; the photo is {height}×{width} (rows × columns).");
            var labels = new int[width * height];
            for (int x = 0; x < width; x++)
                for (int y = 0; y < height; y++) labels[y * width + x] = (int)seg.Values[x * height + y];
            yield return labels;
        }
    }

    private static bool IsTruth(string path) =>
        path.EndsWith(".mat", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(path).Contains(".gt.", StringComparison.OrdinalIgnoreCase);

    /// <summary>The name a photo and its truths share: the file name up to the first dot.</summary>
    private static string Stem(string path) => Path.GetFileName(path).Split('.')[0];
}
