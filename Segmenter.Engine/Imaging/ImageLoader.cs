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
public static partial class ImageLoader
{
    public const string NotAnImageMessage = "The file is not an image this app can read (PNG, JPEG, BMP, GIF, WebP).";
    public const string EmptyFileMessage = "The file is empty.";
    public const string DamagedMessage = "The image file is damaged or incomplete and cannot be read.";
    public const string TruncatedJpegMessage = "The JPEG file is incomplete (it ends in the middle of the image data); it may have been cut off while copying or uploading.";

    // Only the five accepted formats are registered, so ImageSharp can never fall back to TIFF/TGA/PBM decoders
    // for a file we did not sniff. The configuration is immutable after construction and shared between threads.
    private static readonly Configuration Config = new(
        new PngConfigurationModule(),
        new JpegConfigurationModule(),
        new GifConfigurationModule(),
        new BmpConfigurationModule(),
        new WebpConfigurationModule())
    {
        // ImageSharp's default pool keeps freed unmanaged buffers up to a share of physical memory (gigabytes on a
        // server) until a minute of inactivity: a server decoding 40 MP uploads and encoding their PNGs for many
        // visitors kept them all. A small pool still serves the chunks of ordinary images.
        MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = PooledMegabytes }),
    };

    /// <summary>The one ImageSharp configuration of the engine (its formats and bounded pool): every image it builds goes through it.</summary>
    internal static Configuration Configuration => Config;

    /// <summary>Unmanaged image buffers ImageSharp may keep pooled between decodes and encodes.</summary>
    public const int PooledMegabytes = 64;

    /// <summary>Gives ImageSharp's pooled buffers back to the system (after a big run, with the app's other memory returns).</summary>
    public static void ReleasePooledBuffers() => Config.MemoryAllocator.ReleaseRetainedResources();

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

    /// <summary>
    /// Reads an upload once (bounded by <see cref="ImageLimits.MaxBytes"/>) and decodes the buffered bytes; the bytes
    /// come back with the image, so the original can be shown and stored as it came, never re-encoded.
    /// </summary>
    public static async Task<LoadedImage> LoadWithBytesAsync(Stream stream, ImageLimits limits, CancellationToken cancellationToken = default)
    {
        using var buffer = await ReadBoundedAsync(stream, limits.MaxBytes, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var image = await Task.Run(() => Decode(bytes, limits, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new LoadedImage(image, bytes);
    }

    /// <summary>Decodes bytes already in memory (an upload read once, a stored original) under the same budgets.</summary>
    public static RgbImage Decode(byte[] bytes, ImageLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        limits ??= ImageLimits.Default;
        if (bytes.LongLength > limits.MaxBytes) throw TooLarge(limits.MaxBytes);
        return Decode(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), limits, cancellationToken);
    }

    private static RgbImage Decode(MemoryStream buffer, ImageLimits limits, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0) throw new ImageRejectedException(EmptyFileMessage);

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var format = ImageFormatSniffer.Detect(bytes[..Math.Min(bytes.Length, ImageFormatSniffer.HeaderLength)]);
        if (format == SniffedFormat.Unknown) throw new ImageRejectedException(NotAnImageMessage);
        if (format == SniffedFormat.Jpeg && !JpegEnd.AfterLastScan(bytes))
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


    private static string FormatPixels(long pixels) => pixels >= 100_000
        ? string.Create(CultureInfo.InvariantCulture, $"{pixels / 1_000_000.0:0.##} megapixels")
        : string.Create(CultureInfo.InvariantCulture, $"{pixels} pixels");

    private static string FormatSeconds(TimeSpan t) => t < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");
}

/// <summary>A decoded image and the bytes it was decoded from.</summary>
public sealed record LoadedImage(RgbImage Image, byte[] Bytes);
