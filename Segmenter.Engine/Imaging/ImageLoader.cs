using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Segmenter.Engine.Imaging;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and WebP with ImageSharp. The format is recognised by its magic
/// bytes and the header identified before any pixel is decoded, so the pixel and byte budgets are enforced first.
/// Every refusal or failure is an <see cref="ImageRejectedException"/>.
/// </summary>
public static class ImageLoader
{
    public const string NotAnImageMessage = "The file is not an image this app can read (PNG, JPEG, BMP, GIF, WebP).";
    public const string EmptyFileMessage = "The file is empty.";
    public const string DamagedMessage = "The image file is damaged or incomplete and cannot be read.";
    public const string TruncatedJpegMessage = "The JPEG file is incomplete (it ends in the middle of the image data); it may have been cut off while copying or uploading.";

    private const int ChunkSize = 81_920;

    // Only the five accepted formats are registered, so ImageSharp can never fall back to TIFF/TGA/PBM decoders
    // for a file we did not sniff. The configuration is immutable after construction and shared between threads.
    private static readonly Configuration Config = new(
        new PngConfigurationModule(),
        new JpegConfigurationModule(),
        new GifConfigurationModule(),
        new BmpConfigurationModule(),
        new WebpConfigurationModule());

    public static RgbImage Load(Stream stream, ImageLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ImageLimits.Default;
        cancellationToken.ThrowIfCancellationRequested();

        // The decoders get a private, seekable, bounded copy: the caller's stream may be a network upload that
        // neither seeks nor stops, and Identify + Decode read the header twice.
        MemoryStream buffer;
        try
        {
            buffer = ReadBounded(stream, limits.MaxBytes, cancellationToken);
        }
        catch (IOException ex)
        {
            throw new ImageRejectedException("The file could not be read: " + ex.Message, ex);
        }
        return Decode(buffer, limits, cancellationToken);
    }

    public static RgbImage Load(string path, ImageLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ImageLimits.Default;
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // FileNotFound/DirectoryNotFound are IOExceptions; the CLI shows this message to the person who typed the path.
            throw new ImageRejectedException($"The file '{path}' could not be opened: {ex.Message}", ex);
        }
        using (file)
        {
            return Load(file, limits, cancellationToken);
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> from a stream (e.g. an upload), refusing as soon as it is exceeded.</summary>
    public static async Task<MemoryStream> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        RejectIfDeclaredTooLong(stream, maxBytes);

        var result = new MemoryStream();
        var chunk = new byte[ChunkSize];
        long total = 0;
        while (true)
        {
            // Ask for at most one byte beyond the limit: that byte proves the stream is too long, and nothing
            // more than limit + 1 is ever pulled from a hostile or endless stream.
            int want = (int)Math.Min(chunk.Length, maxBytes + 1 - total);
            int read = await stream.ReadAsync(chunk.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            total += read;
            if (total > maxBytes) throw TooLarge(maxBytes);
            result.Write(chunk, 0, read);
        }
        result.Position = 0;
        return result;
    }

    public static void SavePng(RgbImage image, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        using var img = Image.LoadPixelData<Rgb24>(Config, image.Pixels, image.Width, image.Height);
        // Explicit colour type and depth: left alone, the encoder may pick a palette or 16-bit form from metadata.
        img.Save(destination, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
    }

    /// <summary>8-bit grayscale PNG, value = cluster index.</summary>
    public static void SaveLabelPng(byte[] labels, int width, int height, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(destination);
        if (width < 1 || height < 1) throw new ArgumentException($"A label map needs at least 1×1 pixels; got {width}×{height}.");
        if (labels.LongLength != (long)width * height)
            throw new ArgumentException($"Expected {(long)width * height} labels for {width}×{height}, got {labels.Length}.");
        using var img = Image.LoadPixelData<L8>(Config, labels, width, height);
        img.Save(destination, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
    }

    // ---------------------------------------------------------------------------------------------------------

    private static MemoryStream ReadBounded(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        RejectIfDeclaredTooLong(stream, maxBytes);
        var result = new MemoryStream();
        var chunk = new byte[ChunkSize];
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = (int)Math.Min(chunk.Length, maxBytes + 1 - total); // see ReadBoundedAsync
            int read = stream.Read(chunk, 0, want);
            if (read == 0) break;
            total += read;
            if (total > maxBytes) throw TooLarge(maxBytes);
            result.Write(chunk, 0, read);
        }
        result.Position = 0;
        return result;
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

    private static RgbImage Decode(MemoryStream buffer, ImageLimits limits, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0) throw new ImageRejectedException(EmptyFileMessage);

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var format = ImageFormatSniffer.Detect(bytes[..Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength)]);
        if (format == SniffedFormat.Unknown) throw new ImageRejectedException(NotAnImageMessage);
        if (format == SniffedFormat.Jpeg && !JpegHasEndAfterLastScan(bytes))
            throw new ImageRejectedException(TruncatedJpegMessage);

        // ImageSharp 2.1 only checks the token at a few points (and a corrupt file can loop or allocate for long
        // stretches), so the work runs on its own thread and this thread waits with the deadline. A dedicated
        // thread (LongRunning) rather than a pool thread: Blazor callers block a pool thread here already.
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Factory.StartNew(
            () => DecodeCore(buffer, format, limits, cts.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // The CTS outlives this call if the decode is abandoned; dispose it only once the worker has finished,
        // and observe its exception so an abandoned failure is not reported as unobserved.
        work.ContinueWith(t => { _ = t.Exception; cts.Dispose(); }, TaskScheduler.Default);

        int timeoutMs = limits.DecodeTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.Infinite
            : (int)Math.Clamp(limits.DecodeTimeout.TotalMilliseconds, 0, int.MaxValue);
        bool finished;
        try
        {
            finished = work.Wait(timeoutMs, cancellationToken);
        }
        catch (AggregateException)
        {
            finished = true; // the worker failed; GetResult below rethrows its own (already mapped) exception
        }
        catch (OperationCanceledException)
        {
            TryCancel(cts);
            throw; // the caller cancelled: pass it through untouched
        }
        if (!finished)
        {
            TryCancel(cts);
            throw new ImageRejectedException(
                $"Decoding the image took longer than {FormatSeconds(limits.DecodeTimeout)}; the file may be damaged or too complex.");
        }
        return work.GetAwaiter().GetResult();
    }

    private static RgbImage DecodeCore(MemoryStream buffer, SniffedFormat format, ImageLimits limits, CancellationToken ct)
    {
        // Each thread reads through its own view of the bytes, so an abandoned worker cannot disturb anything.
        using var input = new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length, writable: false);
        try
        {
            ct.ThrowIfCancellationRequested();
            IImageDecoder decoder = format switch
            {
                SniffedFormat.Png => new PngDecoder(),
                SniffedFormat.Jpeg => new JpegDecoder(),
                SniffedFormat.Bmp => new BmpDecoder(),
                // One frame is all segmentation needs; decoding every frame of an animation costs time and memory
                // proportional to the frame count, which an attacker controls.
                SniffedFormat.Gif => new GifDecoder { DecodingMode = FrameDecodingMode.First },
                SniffedFormat.Webp => new WebpDecoder(),
                _ => throw new ImageRejectedException(NotAnImageMessage),
            };

            // Header only: dimensions are known before a single pixel buffer is allocated.
            IImageInfo info = ((IImageInfoDetector)decoder).Identify(Config, input, ct)
                ?? throw new ImageRejectedException(NotAnImageMessage);
            CheckDimensions(info.Width, info.Height, limits);

            ct.ThrowIfCancellationRequested();
            input.Position = 0;
            // Rgba32 for every format: the alpha is kept so it can be flattened onto white below, and the
            // decoder converts 16-bit, grayscale, palette and CMYK sources into it.
            using Image<Rgba32> image = decoder.Decode<Rgba32>(Config, input, ct);
            CheckDimensions(image.Width, image.Height, limits); // a lying header must not slip past the budget
            ApplyExifOrientation(image);
            ct.ThrowIfCancellationRequested();
            return FlattenOntoWhite(image);
        }
        catch (ImageRejectedException) { throw; }
        catch (OperationCanceledException) { throw; }
        catch (UnknownImageFormatException ex) { throw new ImageRejectedException(NotAnImageMessage, ex); }
        catch (InvalidImageContentException ex) { throw new ImageRejectedException(DamagedMessage, ex); }
        catch (NotSupportedException ex)
        {
            throw new ImageRejectedException($"The {format.ToString().ToUpperInvariant()} file uses a feature this app cannot read.", ex);
        }
        catch (Exception ex) when (ex is InvalidMemoryOperationException or OutOfMemoryException or InsufficientMemoryException)
        {
            throw new ImageRejectedException("The image is too large to decode with the memory available.", ex);
        }
        catch (Exception ex)
        {
            // Malformed data surfaces from ImageSharp 2.1 as ImageFormatException, but also IndexOutOfRange,
            // ArgumentOutOfRange, EndOfStream, InvalidOperation…: to the person it is all "this file is broken".
            throw new ImageRejectedException(DamagedMessage, ex);
        }
    }

    /// <summary>
    /// ImageSharp pads a JPEG whose entropy-coded data stops early with grey and reports success; a cut-off upload
    /// would then be segmented as if the grey were real. This walks the marker segments (skipping APPn payloads such
    /// as EXIF thumbnails by their length) and the scan data (where 0xFF is always stuffed as FF 00 or is a restart
    /// marker) until the EOI marker. Whatever follows EOI (camera trailers, motion-photo video) is not looked at.
    /// </summary>
    private static bool JpegHasEndAfterLastScan(ReadOnlySpan<byte> jpeg)
    {
        int i = 2; // after SOI
        while (true)
        {
            while (i < jpeg.Length && jpeg[i] == 0xFF) i++; // fill bytes before a marker
            if (i >= jpeg.Length) return false;
            byte marker = jpeg[i++];
            if (marker == 0xD9) return true;                        // EOI
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;  // TEM, RSTn: no length
            if (i + 2 > jpeg.Length) return false;
            int length = (jpeg[i] << 8) | jpeg[i + 1];
            if (length < 2) return true; // malformed segment: let the decoder report it in its own words
            i += length;
            if (marker != 0xDA) continue;
            // Entropy-coded data after SOS: runs until an 0xFF that is neither stuffing (FF 00) nor RSTn.
            while (true)
            {
                int ff = i < jpeg.Length ? jpeg[i..].IndexOf((byte)0xFF) : -1;
                if (ff < 0 || i + ff + 1 >= jpeg.Length) return false;
                i += ff;
                byte next = jpeg[i + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) { i += 2; continue; }
                break; // i is at the next marker's 0xFF
            }
        }
    }

    private static void CheckDimensions(int width, int height, ImageLimits limits)
    {
        if (width < 1 || height < 1)
            throw new ImageRejectedException($"The image claims to be {width}×{height} pixels, which is not a usable size.");
        long pixels = (long)width * height;
        if (pixels > limits.MaxPixels)
            throw new ImageRejectedException($"The image is {width}×{height} pixels; the limit is {FormatPixels(limits.MaxPixels)}.");
        if (pixels * 3 > Array.MaxLength)
            throw new ImageRejectedException($"The image is {width}×{height} pixels, too large to hold in memory.");
    }

    private static void ApplyExifOrientation(Image<Rgba32> image)
    {
        // Orientation 1..8 are the only defined values; anything else (0, 99, 65535 from a broken camera or an
        // attacker) is treated as "as stored" rather than handed to AutoOrient.
        IExifValue<ushort>? orientation = image.Metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        if (orientation is null) return;
        if (orientation.Value is >= 2 and <= 8) image.Mutate(Config, x => x.AutoOrient());
        else image.Metadata.ExifProfile!.RemoveValue(ExifTag.Orientation);
    }

    /// <summary>Composites straight (non-premultiplied) alpha onto white: transparent areas read as background, not black.</summary>
    private static RgbImage FlattenOntoWhite(Image<Rgba32> image)
    {
        int width = image.Width, height = image.Height;
        var pixels = new byte[(long)width * height * 3];
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgba32> row = accessor.GetRowSpan(y);
                int o = y * width * 3;
                foreach (ref readonly Rgba32 p in row)
                {
                    int a = p.A, inv = 255 - a;
                    pixels[o++] = (byte)((p.R * a + 255 * inv + 127) / 255);
                    pixels[o++] = (byte)((p.G * a + 255 * inv + 127) / 255);
                    pixels[o++] = (byte)((p.B * a + 255 * inv + 127) / 255);
                }
            }
        });
        return new RgbImage(width, height, pixels);
    }

    private static void TryCancel(CancellationTokenSource cts)
    {
        try { cts.Cancel(); }
        catch (ObjectDisposedException) { } // the worker finished and disposed it in the meantime
    }

    private static ImageRejectedException TooLarge(long maxBytes) =>
        new($"The file is larger than the {FormatBytes(maxBytes)} limit.");

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static string FormatPixels(long pixels) => pixels >= 100_000
        ? string.Create(CultureInfo.InvariantCulture, $"{pixels / 1_000_000.0:0.##} megapixels")
        : string.Create(CultureInfo.InvariantCulture, $"{pixels} pixels");

    private static string FormatSeconds(TimeSpan t) => t < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");
}
