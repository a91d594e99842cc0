namespace Segmenter.Engine.Tests.Support;

/// <summary>A test class with its own temporary directory, deleted after each test (xunit makes one instance per test).</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest(string prefix) => Dir = Directory.CreateTempSubdirectory(prefix).FullName;

    protected string Dir { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
