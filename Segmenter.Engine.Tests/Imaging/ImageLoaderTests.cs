using Segmenter.Bench.Corpus;
using System.Diagnostics;
using Segmenter.Engine.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Engine.Tests.Imaging;

public sealed class ImageLoaderTests
{
    private static RgbImage LoadBytes(byte[] bytes, ImageLimits? limits = null, CancellationToken ct = default)
        => ImageLoader.Load(new MemoryStream(bytes), limits, ct);

    private static (byte R, byte G, byte B) At(RgbImage img, int x, int y)
    {
        int i = (y * img.Width + x) * 3;
        return (img.Pixels[i], img.Pixels[i + 1], img.Pixels[i + 2]);
    }

    private static void AssertNear(Rgba32 expected, (byte R, byte G, byte B) actual, int tolerance, string what = "")
    {
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance
                    && Math.Abs(expected.B - actual.B) <= tolerance,
            $"{what} expected ~({expected.R},{expected.G},{expected.B}) got ({actual.R},{actual.G},{actual.B})");
    }

    public static TheoryData<string, int> Encoders => new()
    {
        { "png", 0 }, { "bmp", 0 }, { "gif", 12 }, { "webp-lossless", 0 }, { "webp-lossy", 24 }, { "jpeg", 24 },
    };

    private static IImageEncoder EncoderFor(string name) => name switch
    {
        "png" => new PngEncoder(),
        "bmp" => new BmpEncoder(),
        "gif" => new GifEncoder(),
        "webp-lossless" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        "webp-lossy" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 90 },
        "jpeg" => new JpegEncoder { Quality = 95 },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void Round_trip_keeps_size_and_colours(string format, int tolerance)
    {
        var img = LoadBytes(TestImages.TwoTone(64, 48, EncoderFor(format)));

        Assert.Equal(64, img.Width);
        Assert.Equal(48, img.Height);
        Assert.Equal(64 * 48 * 3, img.Pixels.Length);
        AssertNear(TestImages.Red, At(img, 8, 24), tolerance, "left");
        AssertNear(TestImages.Blue, At(img, 56, 24), tolerance, "right");
    }

    [Fact]
    public void Transparent_png_is_flattened_onto_white()
    {
        using var src = new Image<Rgba32>(4, 1);
        src[0, 0] = new Rgba32(0, 0, 0, 0);       // fully transparent black → white
        src[1, 0] = new Rgba32(255, 0, 0, 128);   // half red → pink
        src[2, 0] = new Rgba32(0, 0, 255, 255);   // opaque blue stays blue
        src[3, 0] = new Rgba32(10, 200, 10, 0);   // transparent green → white
        var img = LoadBytes(TestImages.Encode(src, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }));

        Assert.Equal(((byte)255, (byte)255, (byte)255), At(img, 0, 0));
        AssertNear(new Rgba32(255, 127, 127), At(img, 1, 0), 1);
        Assert.Equal(((byte)0, (byte)0, (byte)255), At(img, 2, 0));
        Assert.Equal(((byte)255, (byte)255, (byte)255), At(img, 3, 0));
    }

    [Fact]
    public void Exif_orientation_6_rotates_so_width_and_height_swap()
    {
        var img = LoadBytes(TestImages.JpegWithOrientation(40, 20, 6));

        Assert.Equal(20, img.Width);
        Assert.Equal(40, img.Height);
        // Orientation 6 = rotate 90° clockwise: the stored left (red) half ends up on top.
        AssertNear(TestImages.Red, At(img, 10, 5), 30, "top");
        AssertNear(TestImages.Blue, At(img, 10, 35), 30, "bottom");
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)9)]
    [InlineData((ushort)99)]
    [InlineData((ushort)65535)]
    public void Bogus_exif_orientation_is_ignored(ushort orientation)
    {
        var img = LoadBytes(TestImages.JpegWithOrientation(40, 20, orientation));

        Assert.Equal(40, img.Width);
        Assert.Equal(20, img.Height);
    }

    [Theory]
    [InlineData(PngColorType.RgbWithAlpha, PngBitDepth.Bit16)]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit16)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit16)]
    [InlineData(PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit8)]
    public void Png_variants_load(PngColorType colorType, PngBitDepth bitDepth)
    {
        var img = LoadBytes(TestImages.TwoTone(32, 16, new PngEncoder { ColorType = colorType, BitDepth = bitDepth }));

        Assert.Equal(32, img.Width);
        Assert.Equal(16, img.Height);
        if (colorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha)
        {
            var (r, g, b) = At(img, 4, 4);
            Assert.True(r == g && g == b, "grey stays grey");
        }
        else
        {
            AssertNear(TestImages.Red, At(img, 4, 4), 8);
            AssertNear(TestImages.Blue, At(img, 28, 4), 8);
        }
    }

    [Fact]
    public void Cmyk_jpeg_loads_as_rgb()
    {
        // Adobe-inverted storage: C, K = 255 (no ink), M, Y = 0 (full ink) → red.
        var jpeg = TestImages.CmykJpeg(255, 0, 0, 255);
        Assert.Equal(4, TestImages.JpegComponentCount(jpeg));

        var img = LoadBytes(jpeg);

        Assert.Equal(8, img.Width);
        Assert.Equal(8, img.Height);
        AssertNear(new Rgba32(255, 0, 0), At(img, 4, 4), 8, "CMYK red");
    }

    [Fact]
    public void One_pixel_image_loads()
    {
        var img = LoadBytes(TestImages.TwoTone(1, 1, new PngEncoder()));
        Assert.Equal(1, img.Width);
        Assert.Equal(1, img.Height);
    }

    // How fast (only the first frame decoded) is the bench's `hostile` target (gif-3000-frames.gif within 2 s).
    [Fact]
    public void A_gif_with_thousands_of_frames_loads_as_its_first_frame()
    {
        var img = LoadBytes(TestImages.GifManyFrames(3000, 300, 300));

        Assert.Equal(300, img.Width);
        Assert.Equal(300, img.Height);
        AssertNear(TestImages.Red, At(img, 0, 0), 0); // frame 1 paints colour 0 at the origin
    }

    [Theory]
    [InlineData(100_000u, 100_000u)]
    [InlineData(65_535u, 65_535u)]
    public void An_oversized_png_header_is_refused_before_decoding(uint width, uint height)
    {
        // The file is a header and a few bytes of data: only the header check gives the size message, since decoding
        // 4 to 10 gigapixels would run out of memory (or find the data missing) first. Its time is the bench's
        // `hostile` target.
        var ex = Assert.Throws<ImageRejectedException>(() => LoadBytes(TestImages.PngHeaderClaiming(width, height)));

        Assert.Equal($"The image is {width}×{height} pixels; the limit is 40 megapixels.", ex.Message);
    }

    [Fact]
    public void Pixel_limit_applies_to_real_images_too()
    {
        var ex = Assert.Throws<ImageRejectedException>(
            () => LoadBytes(TestImages.TwoTone(100, 100, new PngEncoder()), ImageLimits.Default with { MaxPixels = 5_000 }));
        Assert.Equal("The image is 100×100 pixels; the limit is 5000 pixels.", ex.Message);
    }

    [Theory]
    [InlineData(new byte[0], "The file is empty.")]
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E }, ImageLoader.NotAnImageMessage)] // "<html>"
    [InlineData(new byte[] { 0x47, 0x49, 0x46 }, ImageLoader.NotAnImageMessage)]                    // "GIF" with no version
    public void Non_images_get_a_clear_message(byte[] bytes, string message)
    {
        var ex = Assert.Throws<ImageRejectedException>(() => LoadBytes(bytes));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Not_an_image_message_names_the_formats()
    {
        var ex = Assert.Throws<ImageRejectedException>(() => LoadBytes("hello, world"u8.ToArray()));
        Assert.Contains("PNG, JPEG, BMP, GIF, WebP", ex.Message);
    }

    [Fact]
    public void Huge_text_chunk_over_a_small_byte_limit_gets_the_byte_limit_message()
    {
        var png = TestImages.InsertAfterIhdr(TestImages.TwoTone(16, 16, new PngEncoder()), TestImages.ITxtChunk(2 * 1024 * 1024));
        var limits = ImageLimits.Default with { MaxBytes = 1024 * 1024 };

        var fromStream = Assert.Throws<ImageRejectedException>(() => LoadBytes(png, limits));
        Assert.Equal("The file is larger than the 1 MB limit.", fromStream.Message);

        string path = Path.Combine(Path.GetTempPath(), $"segmenter-itxt-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, png);
        try
        {
            var fromFile = Assert.Throws<ImageRejectedException>(() => ImageLoader.Load(path, limits));
            Assert.Equal("The file is larger than the 1 MB limit.", fromFile.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Huge_text_chunk_under_the_byte_limit_loads()
    {
        var png = TestImages.InsertAfterIhdr(TestImages.TwoTone(16, 16, new PngEncoder()), TestImages.ITxtChunk(20 * 1024 * 1024));
        var img = LoadBytes(png);
        Assert.Equal(16, img.Width);
    }

    [Fact]
    public void Truncated_files_are_rejected_at_every_cut_point()
    {
        var png = TestImages.TwoTone(64, 48, new PngEncoder());
        var jpeg = TestImages.TwoTone(64, 48, new JpegEncoder());
        foreach (var (name, bytes) in new[] { ("png", png), ("jpeg", jpeg) })
        {
            // Every 7th prefix (and the very short ones) up to the point where only the end marker is missing.
            for (int cut = 1; cut < bytes.Length - 12; cut += cut < 40 ? 1 : 7)
            {
                var error = Record.Exception(() => LoadBytes(bytes[..cut]));
                Assert.True(error is ImageRejectedException, $"{name} cut at {cut}/{bytes.Length}: {error?.GetType().Name ?? "loaded"}");
            }
        }
    }

    [Fact]
    public void Missing_file_is_a_rejection_not_an_io_exception()
    {
        var ex = Assert.Throws<ImageRejectedException>(() => ImageLoader.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".png")));
        Assert.Contains("could not be opened", ex.Message);
    }

    [Fact]
    public void Caller_cancellation_passes_through_as_operation_canceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LoadBytes(TestImages.TwoTone(8, 8, new PngEncoder()), ct: cts.Token));
    }

    [Fact]
    public void Decode_that_outlives_the_timeout_is_rejected_with_the_timeout_in_the_message()
    {
        // A zero deadline: the loader looks once, right after handing 20 MB of text to the decoding thread, which needs
        // milliseconds to parse it. A 1 ms deadline made the verdict the scheduler's: a waiting thread woken late found
        // the decode done. The loader must give up and say why.
        var png = TestImages.InsertAfterIhdr(TestImages.TwoTone(16, 16, new PngEncoder()), TestImages.ITxtChunk(20 * 1024 * 1024));
        var limits = ImageLimits.Default with { DecodeTimeout = TimeSpan.Zero };

        var ex = Assert.Throws<ImageRejectedException>(() => LoadBytes(png, limits));
        Assert.StartsWith("Decoding the image took longer than 0 ms;", ex.Message);
    }

    [Fact]
    public void SavePng_writes_an_rgb_png_that_reads_back_identically()
    {
        var pixels = new byte[3 * 2 * 3];
        new Random(7).NextBytes(pixels);
        var original = new RgbImage(3, 2, pixels);
        using var ms = new MemoryStream();

        ImageLoader.SavePng(original, ms);

        ms.Position = 0;
        var info = Image.Identify(ms.ToArray(), out var format);
        Assert.Equal("PNG", format.Name);
        Assert.Equal(PngColorType.Rgb, info.Metadata.GetPngMetadata().ColorType);
        ms.Position = 0;
        var back = ImageLoader.Load(ms);
        Assert.Equal(original.Pixels, back.Pixels);
    }

    [Fact]
    public void SaveLabelPng_writes_8_bit_grayscale_with_the_label_as_value()
    {
        byte[] labels = [0, 1, 2, 3, 4, 5, 250, 255];
        using var ms = new MemoryStream();

        ImageLoader.SaveLabelPng(labels, 4, 2, ms);

        var bytes = ms.ToArray();
        var info = Image.Identify(bytes);
        Assert.Equal(PngColorType.Grayscale, info.Metadata.GetPngMetadata().ColorType);
        Assert.Equal(PngBitDepth.Bit8, info.Metadata.GetPngMetadata().BitDepth);
        Assert.Equal(8, info.PixelType.BitsPerPixel);
        using var back = Image.Load<L8>(bytes);
        var values = new byte[8];
        back.CopyPixelDataTo(values);
        Assert.Equal(labels, values);
    }

    [Fact]
    public void SaveLabelPng_refuses_a_size_mismatch()
    {
        Assert.Throws<ArgumentException>(() => ImageLoader.SaveLabelPng(new byte[5], 2, 2, new MemoryStream()));
    }
}

public sealed class JpegCompletenessTests
{
    [Fact]
    public void Data_after_the_end_marker_is_allowed()
    {
        // Cameras and motion photos append trailers (here: bytes that include FF DA and no FF D9) after EOI.
        byte[] jpeg = [.. TestImages.TwoTone(16, 16, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder()), 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6];
        var img = ImageLoader.Load(new MemoryStream(jpeg));
        Assert.Equal(16, img.Width);
    }

    [Fact]
    public void A_jpeg_cut_just_before_its_end_marker_is_reported_as_incomplete()
    {
        var jpeg = TestImages.TwoTone(64, 48, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder());
        var ex = Assert.Throws<ImageRejectedException>(() => ImageLoader.Load(new MemoryStream(jpeg[..^2])));
        Assert.Equal(ImageLoader.TruncatedJpegMessage, ex.Message);
    }

    [Fact]
    public void Jpeg_with_an_exif_segment_still_loads()
    {
        // The EXIF APP1 segment is skipped by its length, whatever bytes it holds.
        var img = ImageLoader.Load(new MemoryStream(TestImages.JpegWithOrientation(24, 12, 1)));
        Assert.Equal(24, img.Width);
    }
}
