using System.IO.Compression;
using System.Text;
using Segmenter.Bench.Quality;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Quality;

/// <summary>
/// The bench's MAT v5 reader on files written here byte by byte, shaped like BSDS500's groundTruth files: a
/// compressed 1×2 cell of 1×1 structs {Segmentation uint16, Boundaries logical}, plus an uncompressed double stored
/// in MATLAB's compact uint8 form with a small (4-byte) name element.
/// </summary>
public sealed class MatFileTests() : TemporaryFolderTest("segmenter-mat-")
{
    // Two annotators of a 3 (rows) × 4 (columns) image, row-major as a person reads them.
    private static readonly int[] First = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3];
    private static readonly int[] Second = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];

    [Fact]
    public void Reads_a_compressed_ground_truth_cell_of_structs()
    {
        var vars = MatFile.Read(WriteGroundTruth());
        var cell = Assert.IsType<MatCell>(vars["groundTruth"]);
        Assert.Equal([1, 2], cell.Dimensions);
        var first = Assert.IsType<MatStruct>(cell.Cells[0]);
        var seg = Assert.IsType<MatNumeric>(first.Elements[0]["Segmentation"]);
        Assert.Equal([3, 4], seg.Dimensions);
        Assert.Equal(ColumnMajor(First).Select(v => (double)v), seg.Values);
        Assert.IsType<MatNumeric>(first.Elements[0]["Boundaries"]);
        var scalar = Assert.IsType<MatNumeric>(vars["k"]);
        Assert.Equal([200.0], scalar.Values);
    }

    [Fact]
    public void Annotators_come_back_row_major_with_their_median_k()
    {
        string mat = WriteGroundTruth();
        var photo = new AnnotatedPhoto("photo", "photo.jpg", [mat]);
        var annotators = photo.ReadAnnotators(width: 4, height: 3);
        Assert.Equal(First, annotators[0]);
        Assert.Equal(Second, annotators[1]);
        Assert.Equal(3, AnnotatedPhoto.ClustersFor(annotators)); // counts 3 and 2 → median 2.5 → 3
        var e = Assert.Throws<InvalidDataException>(() => photo.ReadAnnotators(width: 3, height: 4));
        Assert.Contains("the photo is 4×3", e.Message);
    }

    [Fact]
    public void Damaged_files_fail_with_a_message()
    {
        byte[] whole = File.ReadAllBytes(WriteGroundTruth());
        var truncated = Assert.Throws<InvalidDataException>(() => MatFile.Read(whole[..(whole.Length - 40)], "cut.mat"));
        Assert.StartsWith("cut.mat", truncated.Message);
        var notMat = Assert.Throws<InvalidDataException>(() => MatFile.Read(new byte[200], "zeros.mat"));
        Assert.Contains("not a MATLAB 5.0 MAT file", notMat.Message);
    }

    private static int[] ColumnMajor(int[] rowMajor, int rows = 3, int columns = 4) =>
        Enumerable.Range(0, rows * columns).Select(i => rowMajor[(i % rows) * columns + i / rows]).ToArray();

    private string WriteGroundTruth()
    {
        string path = Path.Combine(Dir, "truth.mat");
        using var file = new BinaryWriter(File.Create(path));
        var header = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by MatFileTests".PadRight(116));
        file.Write(header);
        file.Write(new byte[8]);          // subsystem data offset
        file.Write((ushort)0x0100);       // version
        file.Write("IM"u8);               // little-endian indicator

        var annotators = new[] { First, Second }.Select(a => Struct(
            ("Segmentation", Matrix(11 /* mxUINT16 */, [3, 4], "", Element(4 /* miUINT16 */, ColumnMajor(a).SelectMany(v => BitConverter.GetBytes((ushort)v)).ToArray()))),
            ("Boundaries", Matrix(9 /* mxUINT8 */, [3, 4], "", Element(2 /* miUINT8 */, new byte[12]), logical: true)))).ToArray();
        byte[] cell = Matrix(1 /* mxCELL */, [1, 2], "groundTruth", annotators.SelectMany(x => x).ToArray());

        using (var packed = new MemoryStream())
        {
            using (var z = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(cell);
            file.Write(15); // miCOMPRESSED
            file.Write((int)packed.Length);
            file.Write(packed.ToArray());
        }
        // A double stored as uint8, as MATLAB does when the values fit; its name "k" in a small element.
        file.Write(Matrix(6 /* mxDOUBLE */, [1, 1], "k", Element(2, [200])));
        return path;
    }

    private static byte[] Struct(params (string Name, byte[] Value)[] fields)
    {
        const int nameLength = 32;
        var names = new byte[nameLength * fields.Length];
        for (int f = 0; f < fields.Length; f++) Encoding.ASCII.GetBytes(fields[f].Name).CopyTo(names, f * nameLength);
        return Matrix(2 /* mxSTRUCT */, [1, 1], "",
            [.. SmallElement(5 /* miINT32 */, BitConverter.GetBytes(nameLength)), .. Element(1 /* miINT8 */, names), .. fields.SelectMany(f => f.Value)]);
    }

    private static byte[] Matrix(int cls, int[] dims, string name, byte[] body, bool logical = false)
    {
        byte[] flags = [(byte)cls, (byte)(logical ? 0x02 : 0), 0, 0, 0, 0, 0, 0];
        byte[] content =
        [
            .. Element(6 /* miUINT32 */, flags),
            .. Element(5 /* miINT32 */, dims.SelectMany(BitConverter.GetBytes).ToArray()),
            .. (name.Length is > 0 and <= 4 ? SmallElement(1, Encoding.ASCII.GetBytes(name)) : Element(1, Encoding.ASCII.GetBytes(name))),
            .. body,
        ];
        return Element(14 /* miMATRIX */, content);
    }

    /// <summary>Tag (type, byte count) then the data, padded to a multiple of 8 bytes.</summary>
    private static byte[] Element(int type, byte[] data)
    {
        var padded = new byte[8 + ((data.Length + 7) & ~7)];
        BitConverter.GetBytes(type).CopyTo(padded, 0);
        BitConverter.GetBytes(data.Length).CopyTo(padded, 4);
        data.CopyTo(padded, 8);
        return padded;
    }

    /// <summary>Type and byte count packed into one word, then up to 4 bytes of data.</summary>
    private static byte[] SmallElement(int type, byte[] data)
    {
        var packed = new byte[8];
        BitConverter.GetBytes(type | (data.Length << 16)).CopyTo(packed, 0);
        data.CopyTo(packed, 4);
        return packed;
    }
}
