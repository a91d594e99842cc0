namespace Segmenter.Engine.Imaging;

/// <summary>Whether a JPEG's bytes reach their end-of-image marker (ImageSharp pads a cut-off file with grey instead).</summary>
internal static class JpegEnd
{
    /// <summary>
    /// ImageSharp pads a JPEG whose entropy-coded data stops early with grey and reports success; a cut-off upload
    /// would then be segmented as if the grey were real. This walks the marker segments (skipping APPn payloads such
    /// as EXIF thumbnails by their length) and the scan data (where 0xFF is always stuffed as FF 00 or is a restart
    /// marker) until the EOI marker. Whatever follows EOI (camera trailers, motion-photo video) is not looked at.
    /// </summary>
    public static bool AfterLastScan(ReadOnlySpan<byte> jpeg)
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
}
