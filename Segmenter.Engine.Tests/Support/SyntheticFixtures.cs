using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Tests.Support;

/// <summary>The synthetic fixtures the repository carries (Fixtures/synthetic): names and true k from k.txt, images, truth.</summary>
public static class SyntheticFixtures
{
    public static string Directory => Path.Combine(TestPaths.RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "synthetic");

    /// <summary>Each fixture's true number of segments, from k.txt ("name k" per line), in file order.</summary>
    public static IReadOnlyList<(string Name, int K)> All { get; } =
        File.ReadAllLines(Path.Combine(Directory, "k.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2)
            .Select(f => (f[0], int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();

    public static int K(string name) => All.Single(f => f.Name == name).K;

    public static RgbImage Image(string name) => ImageLoader.Load(Path.Combine(Directory, name + ".png"));

    /// <summary>The ground truth: grey label map, R = G = B = segment index.</summary>
    public static int[] Truth(string name)
    {
        var truthImage = ImageLoader.Load(Path.Combine(Directory, name + ".gt.png"));
        var truth = new int[truthImage.PixelCount];
        for (int i = 0; i < truth.Length; i++) truth[i] = truthImage.Pixels[3 * i];
        return truth;
    }
}
