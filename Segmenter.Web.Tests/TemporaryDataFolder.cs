namespace Segmenter.Web.Tests;

/// <summary>
/// A fresh, empty data folder for the app's run store (the in-process app, a store host, a bench child process),
/// removed on dispose once SQLite has let go of its file.
/// </summary>
internal sealed class TemporaryDataFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The app's settings that put its run store here.</summary>
    public Dictionary<string, string?> Settings => new() { ["Segmenter:DataFolder"] = Path };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
