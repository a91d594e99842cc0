namespace Segmenter.Engine.Imaging;

/// <summary>The five encodings the app accepts.</summary>
public enum SniffedFormat
{
    Unknown,
    Png,
    Jpeg,
    Bmp,
    Gif,
    Webp,
}

/// <summary>
/// Recognises an image by its first bytes. The file name and the browser's content type are never trusted:
/// both are chosen by whoever uploads the file, the magic bytes are what the decoder will actually see.
/// </summary>
public static class ImageFormatSniffer
{
    /// <summary>Bytes needed to tell the five formats apart (BMP, with its DIB header size, needs the most).</summary>
    public const int HeaderLength = 18;

    public static SniffedFormat Detect(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 8 && header[..8].SequenceEqual(Png)) return SniffedFormat.Png;
        // SOI followed by the first marker's 0xFF; every JPEG variant (JFIF, EXIF, Adobe, raw) starts this way.
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF) return SniffedFormat.Jpeg;
        if (header.Length >= 6 && (header[..6].SequenceEqual("GIF87a"u8) || header[..6].SequenceEqual("GIF89a"u8)))
            return SniffedFormat.Gif;
        if (header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header.Slice(8, 4).SequenceEqual("WEBP"u8))
            return SniffedFormat.Webp;
        // "BM" alone would match plenty of text files ("BMW…"); the 14-byte file header must also be followed by a
        // DIB header whose size field is one of the sizes Windows/OS2 ever defined.
        if (header.Length >= 18 && header[0] == (byte)'B' && header[1] == (byte)'M')
        {
            uint dibSize = BitConverter.ToUInt32(header.Slice(14, 4)); // little-endian on every platform .NET runs on
            if (dibSize is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124) return SniffedFormat.Bmp;
        }
        return SniffedFormat.Unknown;
    }

    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
}
