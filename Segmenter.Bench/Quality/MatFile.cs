using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Segmenter.Bench.Quality;

/// <summary>A MATLAB value: numeric (any integer or float class, widened to double), cell array or struct array.</summary>
internal abstract record MatValue(int[] Dimensions)
{
    public int Count => Dimensions.Aggregate(1, (a, d) => a * d);
}

/// <summary>Values in MATLAB's column-major order: element (row r, column c) of a 2-D array is <c>Values[c·rows + r]</c>.</summary>
internal sealed record MatNumeric(int[] Dimensions, double[] Values) : MatValue(Dimensions);

internal sealed record MatCell(int[] Dimensions, MatValue[] Cells) : MatValue(Dimensions);

internal sealed record MatStruct(int[] Dimensions, IReadOnlyDictionary<string, MatValue>[] Elements) : MatValue(Dimensions);

internal sealed record MatText(int[] Dimensions, string Text) : MatValue(Dimensions);

/// <summary>
/// A minimal reader for MATLAB's level-5 MAT files (the format of BSDS500's groundTruth/*.mat), written here
/// because no MAT reader is available from the NuGet feed this project builds from. It reads what those files use:
/// the 128-byte header (little-endian only), <c>miCOMPRESSED</c> elements (zlib, through <see cref="ZLibStream"/>),
/// <c>miMATRIX</c> arrays of class cell, struct, char and every numeric class (data stored in any integer or float
/// type, including the compact forms MATLAB writes for doubles), and small (4-byte) data elements. Sparse, complex,
/// object and function-handle arrays are refused with a message. Sizes are checked against what is left, and
/// decompressed data are capped, so a damaged file fails cleanly rather than exhausting memory.
/// </summary>
internal static class MatFile
{
    private const int HeaderBytes = 128;
    private const long MaxDecompressedBytes = 512L * 1024 * 1024;

    // Data types (the tag's first word).
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7,
        MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15, MiUtf8 = 16;

    // Array classes (the array flags' low byte).
    private const int MxCell = 1, MxStruct = 2, MxObject = 3, MxChar = 4, MxSparse = 5, MxDouble = 6, MxUInt64 = 15;

    /// <summary>The file's top-level variables by name.</summary>
    public static IReadOnlyDictionary<string, MatValue> Read(string path) => Read(File.ReadAllBytes(path), path);

    public static IReadOnlyDictionary<string, MatValue> Read(byte[] bytes, string name = "the MAT file")
    {
        if (bytes.Length < HeaderBytes || !Encoding.ASCII.GetString(bytes, 0, 6).StartsWith("MATLAB", StringComparison.Ordinal))
            throw new InvalidDataException($"{name} is not a MATLAB 5.0 MAT file (no 'MATLAB' header).");
        if (bytes[126] != (byte)'I' || bytes[127] != (byte)'M')
            throw new InvalidDataException($"{name} is big-endian or not a level-5 MAT file; only little-endian level-5 files are read.");

        var variables = new Dictionary<string, MatValue>(StringComparer.Ordinal);
        var reader = new Cursor(bytes, HeaderBytes, bytes.Length, name);
        while (reader.Remaining >= 8)
        {
            var (type, data) = reader.Element();
            if (type == MiCompressed)
            {
                var inner = new Cursor(Inflate(data, name), 0, null, name);
                while (inner.Remaining >= 8) AddMatrix(inner.Element(), variables, name);
            }
            else AddMatrix((type, data), variables, name);
        }
        return variables;
    }

    private static void AddMatrix((int Type, Cursor Data) element, Dictionary<string, MatValue> variables, string name)
    {
        if (element.Type != MiMatrix) return; // other top-level elements carry nothing we read
        var (variable, value) = Matrix(element.Data, name);
        variables[variable] = value;
    }

    /// <summary>An miMATRIX body: flags, dimensions, name, then the class's own sub-elements.</summary>
    private static (string Name, MatValue Value) Matrix(Cursor c, string file)
    {
        if (c.Remaining == 0) return ("", new MatNumeric([0, 0], [])); // MATLAB writes empty cells as empty elements
        uint flags = (uint)c.Element().Data.Numbers()[0];
        int cls = (int)(flags & 0xFF);
        bool complex = (flags & 0x800) != 0;
        int[] dims = c.Element().Data.Numbers().Select(d => checked((int)d)).ToArray();
        string name = Encoding.ASCII.GetString(c.Element().Data.Bytes());
        int count = dims.Aggregate(1, (a, d) => checked(a * d));
        switch (cls)
        {
            case MxCell:
                var cells = new MatValue[count];
                for (int i = 0; i < count; i++) cells[i] = Matrix(c.Expect(MiMatrix), file).Value;
                return (name, new MatCell(dims, cells));
            case MxStruct:
                int fieldLength = (int)c.Element().Data.Numbers()[0];
                byte[] names = c.Element().Data.Bytes();
                if (fieldLength <= 0) throw new InvalidDataException($"{file}: a struct has a field name length of {fieldLength}.");
                var fields = Enumerable.Range(0, names.Length / fieldLength)
                    .Select(f => Encoding.ASCII.GetString(names, f * fieldLength, fieldLength).TrimEnd('\0')).ToArray();
                var elements = new IReadOnlyDictionary<string, MatValue>[count];
                for (int i = 0; i < count; i++)
                    elements[i] = fields.ToDictionary(f => f, _ => Matrix(c.Expect(MiMatrix), file).Value, StringComparer.Ordinal);
                return (name, new MatStruct(dims, elements));
            case MxChar:
                var (type, data) = c.Element();
                string text = type == MiUtf8 || type == MiUInt8 || type == MiInt8
                    ? Encoding.UTF8.GetString(data.Bytes())
                    : new string(data.Numbers().Select(v => (char)v).ToArray());
                return (name, new MatText(dims, text));
            case >= MxDouble and <= MxUInt64:
                if (complex) throw new InvalidDataException($"{file}: complex array '{name}' is not supported.");
                double[] values = c.Element().Data.Numbers();
                if (values.Length != count)
                    throw new InvalidDataException($"{file}: array '{name}' declares {count} values but holds {values.Length}.");
                return (name, new MatNumeric(dims, values));
            case MxSparse or MxObject:
                throw new InvalidDataException($"{file}: {(cls == MxSparse ? "sparse" : "object")} array '{name}' is not supported.");
            default:
                throw new InvalidDataException($"{file}: array '{name}' has class {cls}, which this reader does not support.");
        }
    }

    private static byte[] Inflate(Cursor data, string name)
    {
        using var input = new MemoryStream(data.Bytes());
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        try
        {
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxDecompressedBytes)
                    throw new InvalidDataException($"{name}: a compressed element expands beyond {MaxDecompressedBytes / 1048576} MB.");
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: a compressed element is damaged ({e.Message}).", e);
        }
        return output.ToArray();
    }

    /// <summary>A read position over a byte range; every read is checked against the range's end.</summary>
    private sealed class Cursor(byte[] bytes, int start, int? end, string file, int type = 0)
    {
        private readonly int end = end ?? bytes.Length;
        private int position = start;

        /// <summary>The data type of the element this cursor reads (0 for a whole file or decompressed stream).</summary>
        public int Type { get; } = type;

        public int Remaining => end - position;

        public Cursor Expect(int type)
        {
            var (t, data) = Element();
            return t == type ? data : throw new InvalidDataException($"{file}: expected a data element of type {type}, found {t}.");
        }

        /// <summary>The next data element's type and body. Small elements pack type and size into one word and 4 bytes of data.</summary>
        public (int Type, Cursor Data) Element()
        {
            Need(8);
            uint first = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
            if ((first >> 16) != 0)
            {
                int smallSize = (int)(first >> 16);
                if (smallSize > 4) throw new InvalidDataException($"{file}: a small data element claims {smallSize} bytes.");
                var small = new Cursor(bytes, position + 4, position + 4 + smallSize, file, (int)(first & 0xFFFF));
                position += 8;
                return ((int)(first & 0xFFFF), small);
            }
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
            position += 8;
            if (size > Remaining) throw new InvalidDataException($"{file}: a data element claims {size} bytes where {Remaining} remain.");
            int type = (int)first;
            var body = new Cursor(bytes, position, position + (int)size, file, type);
            // Elements are padded to 8 bytes, except compressed ones, whose stream length is exact.
            position += type == MiCompressed ? (int)size : (int)Math.Min(Remaining, (size + 7) & ~7u);
            return (type, body);
        }

        public byte[] Bytes() => bytes.AsSpan(position, Remaining).ToArray();

        /// <summary>The body read as numbers of the element's own data type, widened to double.</summary>
        public double[] Numbers()
        {
            int size = Type switch
            {
                MiInt8 or MiUInt8 => 1,
                MiInt16 or MiUInt16 => 2,
                MiInt32 or MiUInt32 or MiSingle => 4,
                MiDouble or MiInt64 or MiUInt64 => 8,
                _ => throw new InvalidDataException($"{file}: data type {Type} is not numeric."),
            };
            var values = new double[Remaining / size];
            for (int i = 0; i < values.Length; i++)
            {
                var at = bytes.AsSpan(position + i * size, size);
                values[i] = Type switch
                {
                    MiInt8 => (sbyte)at[0],
                    MiUInt8 => at[0],
                    MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                    MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                    MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                    MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                    MiSingle => BinaryPrimitives.ReadSingleLittleEndian(at),
                    MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(at),
                    MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(at),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(at),
                };
            }
            return values;
        }

        private void Need(int n)
        {
            if (Remaining < n) throw new InvalidDataException($"{file}: the file ends inside a data element.");
        }
    }
}
