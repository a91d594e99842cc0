using System.Text;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace Segmenter.Bench.Corpus;

public enum HostileOutcome
{
    /// <summary>The loader returns an image.</summary>
    Loads,
    /// <summary>The loader throws ImageRejectedException (and nothing else).</summary>
    Rejected,
}

/// <summary>One corpus file: its name in the directory, what the loader must do with it under default limits, and why it is there.</summary>
public sealed record HostileFile(string Name, HostileOutcome Expected, string Why);

/// <summary>
/// Files a public upload form will meet sooner or later: broken, truncated, mislabelled, oversized-by-header,
/// decompression bombs, animations with thousands of frames. Generated on demand (no binary fixtures in git) so the
/// engine, web and CLI tests can all run the same set. File extensions are deliberately misleading in places:
/// the loader must go by content.
/// </summary>
public static class HostileCorpus
{
    /// <summary>Writes every corpus file into <paramref name="directory"/> (created if needed) and lists them.</summary>
    public static IReadOnlyList<HostileFile> Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var list = new List<HostileFile>();
        foreach (var (file, bytes) in Build())
        {
            File.WriteAllBytes(Path.Combine(directory, file.Name), bytes());
            list.Add(file);
        }
        return list;
    }

    /// <summary>The corpus listing without writing anything (for xunit MemberData).</summary>
    public static IReadOnlyList<HostileFile> Files => Build().Select(e => e.File).ToList();

    private static IEnumerable<(HostileFile File, Func<byte[]> Bytes)> Build()
    {
        const HostileOutcome L = HostileOutcome.Loads, R = HostileOutcome.Rejected;
        (HostileFile, Func<byte[]>) E(string name, HostileOutcome o, string why, Func<byte[]> bytes) => (new HostileFile(name, o, why), bytes);

        byte[] Png() => TestImages.TwoTone(64, 48, new PngEncoder());
        byte[] Jpeg() => TestImages.TwoTone(64, 48, new JpegEncoder { Quality = 90 });
        byte[] Cut(byte[] b, int n) => b[..Math.Min(n, b.Length)];

        // --- ordinary files that must work -----------------------------------------------------------------
        yield return E("ok.png", L, "baseline PNG", Png);
        yield return E("ok.jpg", L, "baseline JPEG", Jpeg);
        yield return E("ok.bmp", L, "baseline BMP", () => TestImages.TwoTone(64, 48, new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder()));
        yield return E("ok.gif", L, "baseline GIF", () => TestImages.TwoTone(64, 48, new SixLabors.ImageSharp.Formats.Gif.GifEncoder()));
        yield return E("ok.webp", L, "lossless WebP", () => TestImages.TwoTone(64, 48, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));
        yield return E("ok-lossy.webp", L, "lossy WebP", () => TestImages.TwoTone(64, 48, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }));
        yield return E("one-pixel.png", L, "1×1 is the smallest legal image", () => TestImages.TwoTone(1, 1, new PngEncoder()));
        yield return E("one-pixel.gif", L, "1×1 GIF, hand-written", () => TestImages.GifManyFrames(1));
        yield return E("png-16bit.png", L, "16 bits per channel", () => TestImages.TwoTone(32, 32, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha }));
        yield return E("png-gray.png", L, "grayscale", () => TestImages.TwoTone(32, 32, new PngEncoder { ColorType = PngColorType.Grayscale }));
        yield return E("png-palette.png", L, "palette", () => TestImages.TwoTone(32, 32, new PngEncoder { ColorType = PngColorType.Palette }));
        yield return E("jpeg-cmyk.jpg", L, "Adobe CMYK JPEG (print workflows)", () => TestImages.CmykJpeg(255, 0, 0, 255));
        yield return E("jpeg-exif-orientation-6.jpg", L, "rotated camera photo", () => TestImages.JpegWithOrientation(40, 20, 6));
        yield return E("jpeg-exif-orientation-99.jpg", L, "orientation value outside 1..8 must be ignored, not crash", () => TestImages.JpegWithOrientation(40, 20, 99));
        yield return E("gif-3000-frames.gif", L, "animation bomb: 3000 frames on a 300×300 screen, only the first may be decoded",
            () => TestImages.GifManyFrames(3000, 300, 300));
        yield return E("png-itxt-20mb.png", L, "20 MB text chunk, still under the 64 MB byte limit",
            () => TestImages.InsertAfterIhdr(Png(), TestImages.ITxtChunk(20 * 1024 * 1024)));
        yield return E("jpeg-is-named.png", L, "a JPEG with a .png name: content decides", Jpeg);

        // --- not images at all -----------------------------------------------------------------------------
        yield return E("empty.png", R, "zero bytes", () => []);
        yield return E("random.png", R, "random bytes with an image name", () => Random(4096, 1));
        yield return E("random.jpg", R, "random bytes with an image name", () => Random(4096, 2));
        yield return E("notes.txt", R, "plain text", () => Encoding.UTF8.GetBytes("These are my notes.\nNot an image.\n"));
        yield return E("bmw.bmp", R, "text starting with BM", () => Encoding.UTF8.GetBytes("BMW 320i, 1998, for sale. Call after six."));
        yield return E("page.html", R, "HTML", () => Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"));
        yield return E("drawing.svg", R, "SVG is XML, not a raster format this app reads",
            () => Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>"));
        yield return E("just-signature.png", R, "PNG signature and nothing else", () => TestImages.PngSignature);
        yield return E("just-soi.jpg", R, "JPEG SOI marker and nothing else", () => [0xFF, 0xD8, 0xFF]);

        // --- truncated ---------------------------------------------------------------------------------------
        foreach (int cut in new[] { 12, 20, 33, 45 })
            yield return E($"png-truncated-at-{cut}.png", R, "cut inside the header/first chunks", () => Cut(Png(), cut));
        yield return E("png-truncated-half.png", R, "cut inside IDAT", () => { var b = Png(); return Cut(b, b.Length / 2); });
        foreach (int cut in new[] { 4, 20, 100 })
            yield return E($"jpeg-truncated-at-{cut}.jpg", R, "cut inside the JPEG headers", () => Cut(Jpeg(), cut));
        yield return E("jpeg-truncated-half.jpg", R, "cut inside the entropy-coded data", () => { var b = Jpeg(); return Cut(b, b.Length / 2); });
        yield return E("gif-truncated.gif", R, "cut inside the first frame", () => Cut(TestImages.GifManyFrames(1), 30));
        yield return E("webp-truncated.webp", R, "cut inside the VP8L bitstream",
            () => { var b = TestImages.TwoTone(64, 48, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }); return Cut(b, b.Length / 2); });

        // --- headers that lie ----------------------------------------------------------------------------------
        yield return E("png-claims-100000x100000.png", R, "10 gigapixel header: must be refused before decoding", () => TestImages.PngHeaderClaiming(100_000, 100_000));
        yield return E("png-claims-65535x65535.png", R, "4.3 gigapixel header: must be refused before decoding", () => TestImages.PngHeaderClaiming(65_535, 65_535));
        yield return E("png-claims-0x0.png", R, "zero-sized image", () => TestImages.PngHeaderClaiming(0, 0));
        yield return E("png-bad-crc.png", R, "IHDR CRC does not match",
            () => { var b = Png(); b[29] ^= 0xFF; return b; });
        yield return E("png-chunk-claims-2gb.png", R, "a chunk length of 2 GB in a tiny file",
            () => [.. Png().AsSpan(0, 33), 0x7F, 0xFF, 0xFF, 0xF0, (byte)'t', (byte)'E', (byte)'X', (byte)'t', 1, 2, 3, 4]);
        yield return E("gif-claims-65535x65535.gif", R, "GIF logical screen of 4.3 gigapixels", () => TestImages.GifManyFrames(1, 65535, 65535));
        yield return E("gif-malformed-comment.gif", R, "comment extension whose sub-block runs past the end of the file",
            () => [.. TestImages.GifManyFrames(0)[..^1], 0x21, 0xFE, 0xFF, (byte)'h', (byte)'i']);
        yield return E("gif-comment-then-frame.gif", L, "a well-formed comment before the frame",
            () => TestImages.GifManyFrames(1, beforeFirstFrame: [0x21, 0xFE, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0x00]));
        yield return E("jpeg-garbage-after-soi.jpg", R, "SOI then random bytes", () => [0xFF, 0xD8, 0xFF, .. Random(2048, 3)]);
        yield return E("webp-riff-only.webp", R, "RIFF/WEBP header with no chunk", () => [.. "RIFF"u8, 4, 0, 0, 0, .. "WEBP"u8]);
        yield return E("bmp-claims-huge.bmp", R, "BMP header claiming 100000×100000", BmpClaimingHuge);
    }

    private static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        // Make sure the random bytes do not accidentally start with a real signature.
        b[0] = 0x00;
        return b;
    }

    private static byte[] BmpClaimingHuge()
    {
        var b = new byte[14 + 40 + 16];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BitConverter.TryWriteBytes(b.AsSpan(2), b.Length);
        BitConverter.TryWriteBytes(b.AsSpan(10), 54);       // pixel data offset
        BitConverter.TryWriteBytes(b.AsSpan(14), 40);       // BITMAPINFOHEADER
        BitConverter.TryWriteBytes(b.AsSpan(18), 100_000);  // width
        BitConverter.TryWriteBytes(b.AsSpan(22), 100_000);  // height
        BitConverter.TryWriteBytes(b.AsSpan(26), (short)1); // planes
        BitConverter.TryWriteBytes(b.AsSpan(28), (short)24);// bits per pixel
        return b;
    }
}
