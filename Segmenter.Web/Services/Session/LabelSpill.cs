namespace Segmenter.Web.Services;

/// <summary>
/// The session's spill folder (one per <see cref="CurrentResult"/>, made on the first spill): label maps of held results
/// written out when the memory budget releases the session, and read back on their next use. A map is written once,
/// as its raw bytes (a read-back is one sequential read, no decoding; the label map is immutable, so a later spill of
/// the same result writes nothing). It is a scratch file in the temp folder, not the run store: an edit's result is
/// not stored, and a read-back must not wait on a database from the page's thread. The folder goes when the session ends.
/// </summary>
internal sealed class LabelSpill : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "segmenter-spill", Guid.NewGuid().ToString("N"));
    private int _files;
    private bool _disposed;

    /// <summary>Writes <paramref name="labels"/> to a new file and returns the reader that reads it back.</summary>
    public Func<byte[]> Write(byte[] labels)
    {
        string path;
        lock (this)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Directory.CreateDirectory(_folder);
            path = Path.Combine(_folder, $"{++_files}.labels");
        }
        File.WriteAllBytes(path, labels);
        return () => File.ReadAllBytes(path);
    }

    public void Dispose()
    {
        lock (this)
        {
            if (_disposed) return;
            _disposed = true;
        }
        try { if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
