namespace Segmenter.Engine.Tests.Support;

/// <summary>Where the repository and the files the tests carry are, from the test binary. Nothing outside the repository.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Assets => Path.Combine(RepoRoot, "assets");
    public static string SyntheticFixtures => Path.Combine(RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "synthetic");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Segmenter.sln"))) return dir.FullName;
        throw new InvalidOperationException("Segmenter.sln not found above " + AppContext.BaseDirectory);
    }
}
