using System;
using System.Buffers.Binary;
using System.IO;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: a big-endian header (a 4-byte magic number whose
/// third byte is the element type, 0x08 for unsigned bytes, and whose fourth is the number of
/// dimensions, then each dimension as a 4-byte size) followed by the elements, row-major.
/// </summary>
/// <remarks>
/// Images are 0x00000803 (count, rows, columns) and labels 0x00000801 (count). The readers take
/// gzip or raw data, told apart by the bytes (1f 8b), never by the file name, and check the
/// header against the data before they trust it: a declared size is only allocated as the data
/// arrives, so a huge count over a few bytes fails at once, without a huge allocation. The data
/// must end with the declared elements: bytes after them (raw or decompressed) are an error, and
/// so is gzip data that fails its checksum or is followed by anything but another gzip member.
/// Every failure is one line that starts with the file's name and says what was expected and
/// what was found.
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an images file: unsigned bytes, 3 dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a labels file: unsigned bytes, 1 dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    // Memory for the elements is first taken in a block of this size, then doubled as data
    // arrives, so no more than about twice what the file really holds is ever allocated.
    private const int FirstBlock = 1 << 20;

    /// <summary>
    /// Reads an images file: count × rows × columns bytes, image after image, each row-major.
    /// </summary>
    /// <param name="name">The file's name, used to start every error message.</param>
    /// <param name="stream">The file's bytes, raw or gzip; read but not closed.</param>
    /// <returns>The header's sizes and the pixels, or an error naming the first problem.</returns>
    public static Fin<(int Count, int Rows, int Columns, byte[] Pixels)> ReadImages(
        string name, Stream stream) =>
        Read(name, stream, ImagesMagic, "images", (content, compressed, dims) =>
        {
            var (count, rows, columns) = (dims[0], dims[1], dims[2]);
            if (rows == 0 || columns == 0)
            {
                return Error.New(
                    $"{name}: the header declares images of {rows} × {columns} pixels; "
                    + "expected at least 1 × 1");
            }

            var what = $"{Plural.Of(count, "image")} of {rows} × {columns}";
            return
                from size in Size(name, what, count, (ulong)rows * columns)
                let record = new Record("image", (int)(size / count))
                from pixels in ReadBody(name, content, compressed, what, record, size)
                select ((int)count, (int)rows, (int)columns, pixels);
        });

    /// <summary>Reads a labels file: count bytes, one class index per record.</summary>
    /// <param name="name">The file's name, used to start every error message.</param>
    /// <param name="stream">The file's bytes, raw or gzip; read but not closed.</param>
    /// <returns>The labels, or an error naming the first problem.</returns>
    public static Fin<byte[]> ReadLabels(string name, Stream stream) =>
        Read(name, stream, LabelsMagic, "labels", (content, compressed, dims) =>
        {
            var what = Plural.Of(dims[0], "label");
            return
                from size in Size(name, what, dims[0], 1)
                from labels in ReadBody(name, content, compressed, what, new("label", 1), size)
                select labels;
        });

    /// <summary>
    /// Writes a raw (uncompressed) images file: the header for count = pixels / (rows·cols),
    /// then the pixels. Wrap <paramref name="s"/> in a GZipStream for a .gz file.
    /// </summary>
    /// <exception cref="ArgumentException">The pixels are not a whole number of images.</exception>
    public static void WriteImages(Stream s, int rows, int cols, ReadOnlySpan<byte> pixels)
    {
        if (rows < 1 || cols < 1 || pixels.Length % (rows * cols) != 0)
        {
            throw new ArgumentException(
                $"{pixels.Length} pixels are not a whole number of {rows} × {cols} images",
                nameof(pixels));
        }

        WriteHeader(s, ImagesMagic, pixels.Length / (rows * cols), rows, cols);
        s.Write(pixels);
    }

    /// <summary>Writes a raw (uncompressed) labels file: the header, a byte per label.</summary>
    public static void WriteLabels(Stream s, ReadOnlySpan<byte> labels)
    {
        WriteHeader(s, LabelsMagic, labels.Length);
        s.Write(labels);
    }

    // The steps common to both kinds: open (gunzip if need be), check the magic, read the
    // dimensions, hand them to the kind's own body reader, and turn I/O failures into messages.
    private static Fin<T> Read<T>(
        string name,
        Stream stream,
        int magic,
        string kind,
        Func<Stream, bool, uint[], Fin<T>> body)
    {
        try
        {
            var (content, compressed) = Gzip.Open(stream);
            using (content)
            {
                var dimensions = magic & 0xff;
                return
                    from found in ReadHeader(name, content, compressed, magic, kind, dimensions)
                    from empty in found[0] == 0
                        ? Error.New($"{name}: the set is empty (0 {kind}); expected at least one")
                        : Fin<uint[]>.Succ(found)
                    from result in body(content, compressed, found)
                    select result;
            }
        }
        catch (Gzip.BadDataException e)
        {
            return Error.New($"{name}: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return Error.New($"{name}: the gzip data is corrupt ({OneLine(e.Message)})");
        }
        catch (IOException e)
        {
            return Error.New($"{name}: cannot read the file ({OneLine(e.Message)})");
        }
    }

    private static Fin<uint[]> ReadHeader(
        string name, Stream content, bool compressed, int magic, string kind, int dimensions)
    {
        var header = new byte[4 * (1 + dimensions)];
        var got = Fill(content, header);
        if (got < 4)
        {
            return Error.New(
                $"{name}: {Cut(content)}the {Described(compressed)} ends after {Gzip.Bytes(got)}; "
                + $"expected an IDX {kind} header of {header.Length} bytes"
                + Gzip.StopsEarly(content));
        }

        var found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic)
        {
            return Error.New(
                $"{name}: expected an IDX {kind} file (magic 0x{magic:X8}), found "
                + DescribeMagic(found));
        }

        if (got < header.Length)
        {
            return Error.New(
                $"{name}: {Cut(content)}the {Described(compressed)} ends after {got} bytes, "
                + $"inside the header; expected {header.Length} header bytes"
                + Gzip.StopsEarly(content));
        }

        var sizes = new uint[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 * (d + 1)));
        }

        return sizes;
    }

    // count × each (each ≤ 2³² for images, whose rows × columns are two uints; 1 for labels),
    // checked against the largest array .NET allocates before any arithmetic can overflow.
    private static Fin<int> Size(string name, string what, uint count, ulong each)
    {
        if (each > (ulong)Array.MaxLength || count * each > (ulong)Array.MaxLength)
        {
            return Error.New(
                $"{name}: the header declares {what}, {count * (System.UInt128)each} bytes; "
                + $"expected at most {Array.MaxLength} bytes (the largest array)");
        }

        return (int)(count * each);
    }

    // The elements, taken in growing blocks so that memory follows the data actually read, and
    // then the end of the data, which must come right after them.
    private static Fin<byte[]> ReadBody(
        string name, Stream content, bool compressed, string what, Record record, int size)
    {
        var remaining = Gzip.Remaining(content);
        if (remaining < size)
        {
            return Truncated(name, content, compressed, what, record, size, remaining.Value);
        }

        if (remaining > size)
        {
            return Extra(name, compressed, what, size, remaining.Value - size);
        }

        var buffer = new byte[Math.Min(size, FirstBlock)];
        var filled = 0;
        while (filled < size)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(size, 2L * buffer.Length));
            }

            var n = content.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                return Truncated(name, content, compressed, what, record, size, filled);
            }

            filled += n;
        }

        var extra = remaining is null ? Gzip.CountRest(content, Gzip.MostCounted) : 0;
        return extra > 0 ? Extra(name, compressed, what, size, extra) : buffer;
    }

    // What the data holds, in records and in bytes, as the header's count is given: "6000
    // (4704000 bytes)", and the bytes of a record it stops inside. The note on gzip data that
    // stopped early is given only when it did: a whole gzip file may hold fewer records than
    // its header declares.
    private static Error Truncated(
        string name,
        Stream content,
        bool compressed,
        string what,
        Record record,
        int size,
        long found)
    {
        var (whole, rest) = (found / record.Bytes, found % record.Bytes);
        var held = (whole, rest) switch
        {
            (0, 0) => "none of them",
            (_, 0) => $"only {whole} ({Plural.Of(found, "byte")})",
            (0, _) => $"only {Plural.Of(found, "byte")}, less than one {record.Name}",
            _ => $"only {whole} and {Plural.Of(rest, "byte")} of the next "
                + $"({Plural.Of(found, "byte")})",
        };
        return Error.New(
            $"{name}: truncated: the header declares {what} ({Plural.Of(size, "byte")}) but "
            + $"the {Described(compressed)} holds {held}" + Gzip.StopsEarly(content));
    }

    // "truncated: " in front of a message about a header when the gzip data stopped early.
    private static string Cut(Stream content) =>
        Gzip.CutShort(content) ? "truncated: " : string.Empty;

    private static Error Extra(
        string name, bool compressed, string what, int size, long extra) =>
        Error.New(
            $"{name}: {Gzip.Bytes(extra)} {(compressed ? "of decompressed data " : string.Empty)}"
            + $"after the {size} declared by the header ({what}); expected the data to end there");

    private static string DescribeMagic(int found) => found switch
    {
        _ when (found >> 16) != 0 => $"0x{found:X8}, which is not an IDX header",
        ImagesMagic => $"0x{found:X8} (an images file)",
        LabelsMagic => $"0x{found:X8} (a labels file)",
        _ => $"0x{found:X8} (element type 0x{(found >> 8) & 0xff:X2}, "
            + $"{Plural.Of(found & 0xff, "dimension")})",
    };

    private static string Described(bool compressed) =>
        compressed ? "decompressed data" : "data";

    private static int Fill(Stream content, Span<byte> buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = content.Read(buffer[filled..]);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    private static void WriteHeader(Stream s, int magic, params ReadOnlySpan<int> dimensions)
    {
        Span<byte> header = stackalloc byte[4 * (1 + dimensions.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header[(4 * (d + 1))..], dimensions[d]);
        }

        s.Write(header);
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();

    // One record of a file: its name, for messages, and its size in bytes.
    private readonly record struct Record(string Name, int Bytes);
}
