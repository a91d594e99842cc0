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
        var (first, width, height) = LabelMaps.ReadSized(cl.Positionals[0]);
        using var second = File.OpenRead(cl.Positionals[1]);
        var score = TruthScore.Of(first, TruthScore.ReadLabelMap(second, width, height)); // refuses another size with a message
        Console.WriteLine($"{width}×{height}: ARI {score.Ari:0.0000}, matched mean IoU {score.MatchedMeanIoU:0.0000}");
        return Program.Ok;
    }
}
