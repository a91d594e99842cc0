namespace Segmenter.Bench.Tests.Support;

/// <summary>A test class whose every test gets a fresh temporary folder, deleted afterwards.</summary>
public abstract class TemporaryFolderTest(string prefix) : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
