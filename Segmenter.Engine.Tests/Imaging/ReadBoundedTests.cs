using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Tests.Imaging;

public sealed class ReadBoundedTests
{
    /// <summary>A forward-only stream that claims nothing about its length; counts what it serves.</summary>
    private abstract class ForwardOnlyStream : Stream
    {
        public long BytesServed { get; protected set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesServed; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Would serve 2 GB.</summary>
    private sealed class EndlessStream(long length = 2L * 1024 * 1024 * 1024) : ForwardOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - BytesServed);
            buffer.AsSpan(offset, n).Fill(0x41);
            BytesServed += n;
            return n;
        }
    }

    [Fact]
    public async Task Stops_as_soon_as_the_limit_is_exceeded_and_never_reads_the_whole_stream()
    {
        var stream = new EndlessStream();
        const long limit = 1024 * 1024;

        var ex = await Assert.ThrowsAsync<ImageRejectedException>(() => ImageLoader.ReadBoundedAsync(stream, limit));

        Assert.Equal("The file is larger than the 1 MB limit.", ex.Message);
        Assert.Equal(limit + 1, stream.BytesServed); // exactly one byte of proof, nothing more
    }

    [Fact]
    public void Synchronous_load_from_an_endless_stream_also_stops_at_the_limit()
    {
        var stream = new EndlessStream();
        var limits = ImageLimits.Default with { MaxBytes = 3 * 1024 * 1024 };

        var ex = Assert.Throws<ImageRejectedException>(() => ImageLoader.Load(stream, limits));

        Assert.Equal("The file is larger than the 3 MB limit.", ex.Message);
        Assert.Equal(limits.MaxBytes + 1, stream.BytesServed);
    }

    [Fact]
    public async Task Seekable_stream_over_the_limit_is_refused_without_reading()
    {
        var stream = new MemoryStream(new byte[5000]);
        var ex = await Assert.ThrowsAsync<ImageRejectedException>(() => ImageLoader.ReadBoundedAsync(stream, 4096));
        Assert.Equal("The file is larger than the 4 KB limit.", ex.Message);
        Assert.Equal(0, stream.Position);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(100_001)] // exactly at the limit is allowed
    public async Task Copies_streams_up_to_the_limit_and_returns_position_zero(int length)
    {
        var stream = new EndlessStream(length); // non-seekable path

        using var copy = await ImageLoader.ReadBoundedAsync(stream, 100_001);

        Assert.Equal(0, copy.Position);
        Assert.Equal(length, copy.Length);
        Assert.Equal(length, stream.BytesServed);
    }

    [Fact]
    public async Task Honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageLoader.ReadBoundedAsync(new EndlessStream(), 1 << 20, cts.Token));
    }

    /// <summary>Serves some bytes once.</summary>
    private sealed class OnceStream(byte[] bytes) : ForwardOnlyStream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            BytesServed += n;
            return n;
        }
    }

    [Fact]
    public async Task An_upload_is_read_once_and_its_own_bytes_come_back_with_the_decoded_image()
    {
        var pixels = new byte[5 * 4 * 3];
        new Random(7).NextBytes(pixels);
        var png = ImageLoader.EncodePng(new RgbImage(5, 4, pixels));
        var upload = new OnceStream(png);

        var loaded = await ImageLoader.LoadWithBytesAsync(upload, ImageLimits.Default);

        Assert.Equal(png.Length, upload.BytesServed); // one pass over the stream
        Assert.Equal(png, loaded.Bytes);              // the original, not a re-encoding
        Assert.Equal(pixels, loaded.Image.Pixels);
        Assert.Equal(pixels, ImageLoader.Decode(loaded.Bytes).Pixels);
    }

    [Fact]
    public void Decoding_bytes_in_memory_keeps_the_byte_budget()
    {
        var ex = Assert.Throws<ImageRejectedException>(() => ImageLoader.Decode(new byte[5000], ImageLimits.Default with { MaxBytes = 4096 }));
        Assert.Equal("The file is larger than the 4 KB limit.", ex.Message);
    }
}
