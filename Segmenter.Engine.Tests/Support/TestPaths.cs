namespace Segmenter.Engine.Tests.Support;

/// <summary>Where the repository and the read-only ../shared folder beside it are, from the test binary.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Assets => Path.Combine(RepoRoot, "assets");
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
    public static string SyntheticFixtures => Path.Combine(Shared, "fixtures", "synthetic");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Segmenter.sln"))) return dir.FullName;
        throw new InvalidOperationException("Segmenter.sln not found above " + AppContext.BaseDirectory);
    }
}
