using System.Globalization;

namespace Segmenter.Engine.Imaging;

/// <summary>
/// Reading an upload or a file into memory with a byte budget: a seekable stream that declares too much is refused
/// before a byte is read, any other stream as soon as it passes the budget (never more than budget + 1 is pulled).
/// </summary>
public static partial class ImageLoader
{
    private const int ChunkSize = 81_920;

    /// <summary>Reads at most <paramref name="maxBytes"/> from a stream (e.g. an upload), refusing as soon as it is exceeded.</summary>
    public static async Task<MemoryStream> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
    {
        var counter = StartBounded(stream, maxBytes, out var chunk);
        int read;
        while ((read = await stream.ReadAsync(chunk.AsMemory(0, counter.NextWant(chunk.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            counter.Append(chunk, read);
        return counter.Finish();
    }

    private static MemoryStream ReadBounded(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        var counter = StartBounded(stream, maxBytes, out var chunk);
        int read;
        while (!cancellationToken.IsCancellationRequested && (read = stream.Read(chunk, 0, counter.NextWant(chunk.Length))) > 0)
            counter.Append(chunk, read);
        cancellationToken.ThrowIfCancellationRequested();
        return counter.Finish();
    }

    private static BoundedBuffer StartBounded(Stream stream, long maxBytes, out byte[] chunk)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        RejectIfDeclaredTooLong(stream, maxBytes);
        chunk = new byte[ChunkSize];
        return new BoundedBuffer(maxBytes);
    }

    /// <summary>The bytes read so far and the budget they must stay within.</summary>
    private sealed class BoundedBuffer(long maxBytes)
    {
        private readonly MemoryStream _bytes = new();
        private long _total;

        // Ask for at most one byte beyond the limit: that byte proves the stream is too long, and nothing
        // more than limit + 1 is ever pulled from a hostile or endless stream.
        public int NextWant(int chunkLength) => (int)Math.Min(chunkLength, maxBytes + 1 - _total);

        public void Append(byte[] chunk, int read)
        {
            _total += read;
            if (_total > maxBytes) throw TooLarge(maxBytes);
            _bytes.Write(chunk, 0, read);
        }

        public MemoryStream Finish()
        {
            _bytes.Position = 0;
            return _bytes;
        }
    }

    /// <summary>A seekable stream (file, buffered upload) tells its length up front: refuse without reading a byte.</summary>
    private static void RejectIfDeclaredTooLong(Stream stream, long maxBytes)
    {
        long remaining;
        try
        {
            if (!stream.CanSeek) return;
            remaining = stream.Length - stream.Position;
        }
        catch (NotSupportedException)
        {
            return; // some wrappers claim CanSeek but cannot report Length; the counted read still applies
        }
        if (remaining > maxBytes) throw TooLarge(maxBytes);
    }

    private static ImageRejectedException TooLarge(long maxBytes) =>
        new($"The file is larger than the {FormatBytes(maxBytes)} limit.");

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
