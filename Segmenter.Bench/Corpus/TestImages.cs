using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Bench.Corpus;

/// <summary>Builds test images in memory (ImageSharp encoders plus hand-written bytes for what no encoder will produce).</summary>
public static class TestImages
{
    public static readonly Rgba32 Red = new(220, 30, 30, 255);
    public static readonly Rgba32 Blue = new(30, 40, 210, 255);

    /// <summary>Left half <see cref="Red"/>, right half <see cref="Blue"/>: enough structure to see orientation and colour.</summary>
    public static Image<Rgba32> TwoTone(int width, int height)
    {
        var img = new Image<Rgba32>(width, height);
        img.ProcessPixelRows(a =>
        {
            for (int y = 0; y < a.Height; y++)
            {
                var row = a.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++) row[x] = x < width / 2 ? Red : Blue;
            }
        });
        return img;
    }

    public static byte[] Encode(Image img, IImageEncoder encoder)
    {
        using var ms = new MemoryStream();
        img.Save(ms, encoder);
        return ms.ToArray();
    }

    public static byte[] TwoTone(int width, int height, IImageEncoder encoder)
    {
        using var img = TwoTone(width, height);
        return Encode(img, encoder);
    }

    public static byte[] JpegWithOrientation(int width, int height, ushort orientation)
    {
        using var img = TwoTone(width, height);
        img.Metadata.ExifProfile = new ExifProfile();
        img.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        return Encode(img, new JpegEncoder { Quality = 90 });
    }

    // ---- hand-written PNG -----------------------------------------------------------------------------------

    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] PngChunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        for (int i = 0; i < 4; i++) chunk[4 + i] = (byte)type[i];
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] Ihdr(uint width, uint height, byte bitDepth = 8, byte colorType = 2)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(d, width);
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(4), height);
        d[8] = bitDepth; d[9] = colorType; // compression, filter, interlace = 0
        return PngChunk("IHDR", d);
    }

    /// <summary>A PNG whose IHDR (valid CRC) claims <paramref name="width"/>×<paramref name="height"/>, with a token IDAT.</summary>
    public static byte[] PngHeaderClaiming(uint width, uint height)
    {
        // zlib stream of a few zero bytes: far too little data for the claimed size, which is the point.
        byte[] idat = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01];
        return [.. PngSignature, .. Ihdr(width, height), .. PngChunk("IDAT", idat), .. PngChunk("IEND", [])];
    }

    /// <summary>Inserts a chunk right after IHDR (signature 8 + IHDR 25 bytes) of a valid PNG.</summary>
    public static byte[] InsertAfterIhdr(byte[] png, byte[] chunk) => [.. png.AsSpan(0, 33), .. chunk, .. png.AsSpan(33)];

    public static byte[] ITxtChunk(int textBytes)
    {
        var data = new byte[8 + 4 + textBytes];
        "Comment"u8.CopyTo(data); // keyword, then NUL, compression flag 0, method 0, empty language NUL, empty translated NUL
        data.AsSpan(12).Fill((byte)'a');
        return PngChunk("iTXt", data);
    }

    // ---- hand-written GIF -----------------------------------------------------------------------------------

    /// <summary>
    /// GIF89a with a <paramref name="screenWidth"/>×<paramref name="screenHeight"/> logical screen and
    /// <paramref name="frames"/> frames of one pixel each. Decoding every frame would allocate a full canvas per frame.
    /// </summary>
    public static byte[] GifManyFrames(int frames, ushort screenWidth = 1, ushort screenHeight = 1, byte[]? beforeFirstFrame = null)
    {
        using var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        Span<byte> lsd = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16LittleEndian(lsd, screenWidth);
        BinaryPrimitives.WriteUInt16LittleEndian(lsd[2..], screenHeight);
        lsd[4] = 0x80; // global colour table, 2 entries
        ms.Write(lsd);
        ms.Write([220, 30, 30, 30, 40, 210]); // colour 0 red, colour 1 blue
        if (beforeFirstFrame is not null) ms.Write(beforeFirstFrame);
        for (int i = 0; i < frames; i++)
        {
            ms.Write([0x21, 0xF9, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]); // graphic control: 1/100 s delay
            ms.Write([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);                 // image descriptor: 1×1 at 0,0
            ms.Write([0x02, 0x02, 0x44, 0x01, 0x00]);                    // LZW: clear, index 0, end
        }
        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    // ---- hand-written CMYK JPEG ------------------------------------------------------------------------------

    /// <summary>
    /// An 8×8 baseline JPEG with four components (CMYK, flat colour, Adobe APP14 transform 0). Written by hand because
    /// ImageSharp 2.1's encoder silently writes YCbCr when asked for CMYK. Values are stored the Adobe way
    /// (inverted: 255 = no ink), which is what Photoshop writes and what decoders assume for Adobe CMYK.
    /// </summary>
    public static byte[] CmykJpeg(byte c, byte m, byte y, byte k)
    {
        var o = new List<byte> { 0xFF, 0xD8 };
        // APP14 "Adobe": version 100, flags 0, 0, transform 0 (no colour transform = CMYK).
        o.AddRange([0xFF, 0xEE, 0x00, 0x0E, .. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, 0]);
        o.AddRange([0xFF, 0xDB, 0x00, 0x43, 0x00]); o.AddRange(Enumerable.Repeat((byte)1, 64)); // DQT: all ones
        o.AddRange([0xFF, 0xC0, 0x00, 20, 8, 0, 8, 0, 8, 4]);                                       // SOF0 8×8, 4 comps
        for (byte id = 1; id <= 4; id++) o.AddRange([id, 0x11, 0]);
        // DC table 0: category 10 → "0", category 11 → "10". AC table 0: only EOB → "0".
        o.AddRange([0xFF, 0xC4, 0x00, 2 + 1 + 16 + 2, 0x00, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 11]);
        o.AddRange([0xFF, 0xC4, 0x00, 2 + 1 + 16 + 1, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
        o.AddRange([0xFF, 0xDA, 0x00, 14, 4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);       // SOS

        var bits = new List<bool>();
        void Put(int value, int count) { for (int b = count - 1; b >= 0; b--) bits.Add(((value >> b) & 1) != 0); }
        foreach (byte v in new[] { c, m, y, k })
        {
            // A flat block has only a DC coefficient: 8 × (value − 128), quantised by 1. The encodable range
            // of this tiny table is categories 10 and 11, i.e. |DC| ≥ 512: values 0..63 and 192..255.
            int dc = 8 * (v - 128);
            int cat = 32 - int.LeadingZeroCount(Math.Abs(dc));
            if (cat == 10) Put(0b0, 1); else if (cat == 11) Put(0b10, 2);
            else throw new ArgumentOutOfRangeException(nameof(c), "use channel values ≤ 63 or ≥ 192");
            Put(dc >= 0 ? dc : dc + (1 << cat) - 1, cat);
            Put(0, 1); // EOB
        }
        while (bits.Count % 8 != 0) bits.Add(true); // pad with 1-bits
        for (int i = 0; i < bits.Count; i += 8)
        {
            byte b = 0;
            for (int j = 0; j < 8; j++) b = (byte)((b << 1) | (bits[i + j] ? 1 : 0));
            o.Add(b);
            if (b == 0xFF) o.Add(0x00); // byte stuffing
        }
        o.AddRange([0xFF, 0xD9]);
        return o.ToArray();
    }

    // ---- CRC-32 (PNG) ---------------------------------------------------------------------------------------

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>Number of colour components in the first SOF segment of a JPEG (3 = YCbCr/RGB, 4 = CMYK/YCCK).</summary>
    public static int JpegComponentCount(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return jpeg[i + 9];
        return -1;
    }
}
