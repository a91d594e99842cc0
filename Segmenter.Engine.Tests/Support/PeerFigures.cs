using System.Text.Json;

namespace Segmenter.Engine.Tests.Support;

/// <summary>
/// The original Python pipeline's ARI per synthetic fixture, read from Fixtures/synthetic/peer-figures.json (the one
/// place they are written, next to the command that produced them).
/// </summary>
public static class PeerFigures
{
    public sealed record Run(int Seed, double Ari, double? Seconds);

    public sealed record Fixture(string Name, int K, IReadOnlyList<Run> Runs)
    {
        /// <summary>The first recorded run with <paramref name="seed"/>.</summary>
        public Run ForSeed(int seed) => Runs.First(r => r.Seed == seed);

        /// <summary>One run per distinct seed (the first recorded of each), in file order.</summary>
        public IReadOnlyList<Run> OnePerSeed => Runs.DistinctBy(r => r.Seed).ToArray();
    }

    private sealed record File(List<Fixture> Fixtures);

    public static string Path => System.IO.Path.Combine(TestPaths.SyntheticFixtures, "peer-figures.json");

    public static IReadOnlyList<Fixture> All { get; } = Load();

    public static Fixture Get(string name) => All.Single(f => f.Name == name);

    private static IReadOnlyList<Fixture> Load()
    {
        var file = JsonSerializer.Deserialize<File>(System.IO.File.ReadAllText(Path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
                   ?? throw new InvalidDataException(Path + " is empty.");
        return file.Fixtures;
    }
}
