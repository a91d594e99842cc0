using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;

namespace Segmenter.Bench;

/// <summary>
/// <c>agree A.png B.png</c>: how far two label maps of one image agree (adjusted Rand index, and mean IoU after
/// matching B's clusters to A's), e.g. a run on a downscaled working copy against a full-resolution run.
/// </summary>
internal static class AgreeCommand
{
    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, [], ["--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        if (cl.Positionals.Count != 2) throw new UsageException($"agree compares two label PNGs; got {cl.Positionals.Count} argument(s).");
        var first = ImageLoader.Load(cl.Positionals[0]);
        var firstLabels = new int[first.PixelCount];
        for (int i = 0; i < firstLabels.Length; i++) firstLabels[i] = first.Pixels[3 * i];
        using var second = File.OpenRead(cl.Positionals[1]);
        var score = TruthScore.Of(firstLabels, TruthScore.ReadLabelMap(second, first.Width, first.Height));
        Console.WriteLine($"{first.Width}×{first.Height}: ARI {score.Ari:0.0000}, matched mean IoU {score.MatchedMeanIoU:0.0000}");
        return Program.Ok;
    }
}
