using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>
/// Gzip data is checked as RFC 1952 asks: the header, the CRC-32 and size in each member's
/// trailer, and the end of the file, read through <see cref="Idx"/> as the commands read it.
/// </summary>
public class GzipTests
{
    private const string ChecksumMismatch =
        "labels.gz: the gzip data is corrupt (checksum mismatch: the CRC-32 or size in its "
        + "trailer does not match the data)";

    // 100,000 labels in 0–9: a labels file whose gzip takes many of the deflate stream's reads.
    private static readonly byte[] ManyLabels = Enumerable.Range(0, 100_000)
        .Select(i => (byte)(((i * 7919) % 10007) % 10))
        .ToArray();

    private static readonly byte[] Gzipped = Crafted.Gzip(Crafted.Labels(ManyLabels));

    // `: | gzip -n`: the header, the deflate data "03 00" (a last block of fixed codes that
    // holds only its end) and the trailer, eight zero bytes (the CRC-32 and size of nothing).
    private static readonly byte[] EmptyMember =
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    // A labels file's header for 32 labels and the first 20: the test adds the other 12.
    private static readonly byte[] LabelsBut12 =
        Crafted.Concat(Crafted.Header(Idx.LabelsMagic, 32), ManyLabels[..20]);

    // `printf a | gzip -n`.
    private static readonly byte[] OneByteMember =
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x04, 0x00, 0x43, 0xbe, 0xb7, 0xe8, 1, 0, 0, 0];

    [Fact]
    public void A_valid_gzip_file_of_many_chunks_reads_whole()
    {
        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", new MemoryStream(Gzipped)));

        Assert.Equal(ManyLabels, labels);
    }

    [Fact]
    public void A_flipped_byte_inside_the_deflate_data_is_corrupt_data()
    {
        // Given a byte in the middle of the compressed data changed
        var bytes = (byte[])Gzipped.Clone();
        bytes[bytes.Length / 2] ^= 0x55;

        // When
        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        // Then the deflate decoder refuses it or the checksum does not match
        Assert.StartsWith("labels.gz: the gzip data is corrupt (", message);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(5)]
    [InlineData(4)]
    [InlineData(1)]
    public void A_flipped_byte_in_the_trailer_is_a_checksum_mismatch(int fromEnd)
    {
        // Given a byte of the CRC-32 (8 to 5 from the end) or of the size (4 to 1) changed
        var bytes = (byte[])Gzipped.Clone();
        bytes[^fromEnd] ^= 0x01;

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(ChecksumMismatch, message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public void A_trailer_cut_short_is_truncated(int cut)
    {
        var bytes = Gzipped[..^cut];

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            $"labels.gz: truncated: the file ends inside a gzip trailer, after {8 - cut} of its 8 "
            + "bytes; is the file cut short?",
            message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(30)]
    public void A_member_cut_before_its_data_begins_is_truncated_not_empty(int keep)
    {
        // Given the gzip header whole but no final deflate block: no data came out of it
        var message = FinAssert.Fails(
            Idx.ReadLabels("labels.gz", new MemoryStream(Gzipped[..keep])));

        Assert.Equal(
            "labels.gz: truncated: the decompressed data ends after 0 bytes; expected an IDX "
            + "labels header of 8 bytes (the gzip data stops early; is the file cut short?)",
            message);
    }

    [Fact]
    public void A_data_file_cut_after_its_gzip_header_fails_with_code_1_and_one_line()
    {
        // Given the training images of a data directory cut to their 10-byte gzip header
        using var dir = new Commands.TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        var images = Path.Combine(data, DataSets.TrainImages + ".gz");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..10]);

        var result = Commands.Cli.Run("train", "--data", data, "--out", dir.File("m.json"));

        Assert.Equal(
            $"error: {images}: truncated: the decompressed data ends after 0 bytes; expected an "
            + "IDX images header of 16 bytes (the gzip data stops early; is the file cut short?)",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void An_empty_member_then_one_cut_after_its_header_is_truncated()
    {
        var bytes = Crafted.Concat(EmptyMember, Gzipped[..10]);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            "labels.gz: truncated: the decompressed data ends after 0 bytes; expected an IDX "
            + "labels header of 8 bytes (the gzip data stops early; is the file cut short?)",
            message);
    }

    [Theory]
    [InlineData(3, "ends after 3 bytes; expected an IDX labels header of 8 bytes")]
    [InlineData(6, "ends after 6 bytes, inside the header; expected 8 header bytes")]
    public void A_member_cut_inside_the_IDX_header_is_truncated(int given, string ends)
    {
        // Given a stored block that announces the 8 header bytes and 2 labels, cut after
        // `given` of them
        var raw = Crafted.Labels(4, 2);
        byte[] header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        byte[] stored = [1, (byte)raw.Length, 0, (byte)~raw.Length, 0xff];
        byte[] bytes = [.. header, .. stored, .. raw[..given]];

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            $"labels.gz: truncated: the decompressed data {ends} (the gzip data stops early; "
            + "is the file cut short?)",
            message);
    }

    [Fact]
    public void Whole_gzip_data_with_fewer_labels_than_declared_does_not_say_it_stops_early()
    {
        var bytes = Crafted.Gzip(LabelsBut12);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            "labels.gz: truncated: the header declares 32 labels (32 bytes) but the decompressed "
            + "data holds only 20 (20 bytes)",
            message);
    }

    [Fact]
    public void Compressed_data_cut_among_the_labels_says_it_stops_early()
    {
        var message = FinAssert.Fails(
            Idx.ReadLabels("labels.gz", new MemoryStream(Gzipped[..(Gzipped.Length / 2)])));

        Assert.StartsWith(
            "labels.gz: truncated: the header declares 100000 labels (100000 bytes) but the "
            + "decompressed data holds only ",
            message);
        Assert.EndsWith(" bytes) (the gzip data stops early; is the file cut short?)", message);
    }

    [Fact]
    public void Compressed_data_cut_after_the_last_label_is_refused()
    {
        // Given the labels' data whole, but the end of the deflate stream and the trailer lost
        var bytes = Gzipped[..^9];

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.StartsWith("labels.gz: truncated: ", message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "3 bytes")]
    [InlineData(new byte[] { 0 }, "1 byte")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "12 bytes")]
    [InlineData(new byte[] { 0x1f }, "1 byte")]
    public void Bytes_after_the_gzip_data_are_trailing_data(byte[] after, string count)
    {
        var bytes = Crafted.Concat(Gzipped, after);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            $"labels.gz: {count} of trailing data after the gzip data; expected the file to end "
            + "there",
            message);
    }

    [Fact]
    public void Trailing_data_is_found_through_a_stream_that_gives_one_byte_a_read()
    {
        var bytes = Crafted.Concat(Crafted.Gzip(Crafted.Labels(1, 2, 3)), [7, 7]);
        var stream = new IdxTests.TrickleStream(bytes);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", stream));

        Assert.Equal(
            "labels.gz: 2 bytes of trailing data after the gzip data; expected the file to end "
            + "there",
            message);
    }

    [Fact]
    public void A_bad_checksum_is_found_through_a_stream_that_gives_one_byte_a_read()
    {
        var bytes = Crafted.Gzip(Crafted.Labels(1, 2, 3));
        bytes[^6] ^= 0x80;
        var stream = new IdxTests.TrickleStream(bytes);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", stream));

        Assert.Equal(ChecksumMismatch, message);
    }

    [Fact]
    public void Gzip_members_one_after_another_read_as_one_file()
    {
        // Given the file split in two and each half gzipped, as `cat a.gz b.gz` makes
        var raw = Crafted.Labels(ManyLabels);
        var bytes = Crafted.Concat(Crafted.Gzip(raw[..30_000]), Crafted.Gzip(raw[30_000..]));

        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(ManyLabels, labels);
    }

    [Fact]
    public void A_corrupt_second_member_is_refused()
    {
        var raw = Crafted.Labels(ManyLabels);
        var second = Crafted.Gzip(raw[30_000..]);
        second[^7] ^= 0x10;
        var bytes = Crafted.Concat(Crafted.Gzip(raw[..30_000]), second);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(ChecksumMismatch, message);
    }

    [Fact]
    public void A_header_with_every_optional_field_reads()
    {
        var bytes = WithOptionalFields(Crafted.Gzip(Crafted.Labels(4, 2)), headerCrcDelta: 0);

        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(new byte[] { 4, 2 }, labels);
    }

    [Fact]
    public void A_header_checksum_that_does_not_match_is_refused()
    {
        var bytes = WithOptionalFields(Crafted.Gzip(Crafted.Labels(4, 2)), headerCrcDelta: 1);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal("labels.gz: the gzip data is corrupt (header checksum mismatch)", message);
    }

    [Fact]
    public void A_compression_method_other_than_deflate_is_refused()
    {
        var bytes = Crafted.Gzip(Crafted.Labels(1));
        bytes[2] = 7;

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            "labels.gz: the gzip header declares compression method 7; expected 8 (deflate)",
            message);
    }

    [Fact]
    public void Reserved_header_flags_are_refused()
    {
        var bytes = Crafted.Gzip(Crafted.Labels(1));
        bytes[3] = 0x20;

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            "labels.gz: the gzip header sets reserved flags (0x20); expected them clear",
            message);
    }

    [Fact]
    public void A_gzip_header_cut_short_is_truncated()
    {
        var message = FinAssert.Fails(
            Idx.ReadLabels("labels.gz", new MemoryStream([0x1f, 0x8b, 0x08, 0x00, 0x00])));

        Assert.Equal("labels.gz: truncated: the file ends inside a gzip header", message);
    }

    [Fact]
    public void A_member_of_empty_content_is_empty_data_not_trailing_data()
    {
        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(EmptyMember)));

        Assert.Equal(
            "labels.gz: the decompressed data ends after 0 bytes; expected an IDX labels header "
            + "of 8 bytes",
            message);
    }

    [Fact]
    public void A_member_of_one_byte_is_one_byte_of_data()
    {
        var message = FinAssert.Fails(
            Idx.ReadLabels("labels.gz", new MemoryStream(OneByteMember)));

        Assert.Equal(
            "labels.gz: the decompressed data ends after 1 byte; expected an IDX labels header "
            + "of 8 bytes",
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Members_of_no_content_and_of_one_byte_read_as_one_file(bool trickle)
    {
        // Given a labels file with each byte in a member of its own, an empty member before,
        // between and after them, and the same read one byte a read
        var raw = Crafted.Labels(3, 1, 4, 1, 5);
        var bytes = raw.Aggregate(EmptyMember, (file, b) =>
            [.. file, .. Crafted.Gzip([b]), .. EmptyMember]);
        Stream stream = trickle ? new IdxTests.TrickleStream(bytes) : new MemoryStream(bytes);

        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", stream));

        Assert.Equal(new byte[] { 3, 1, 4, 1, 5 }, labels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void Members_of_a_few_bytes_each_read_as_one_file(int size)
    {
        // Given the labels file cut into pieces of `size` bytes (0: one empty member first)
        var raw = Crafted.Labels(ManyLabels[..50]);
        var pieces = size == 0
            ? [[], raw]
            : raw.Chunk(size).ToArray();
        var bytes = pieces.Aggregate(Array.Empty<byte>(), (file, piece) =>
            [.. file, .. piece.Length == 0 ? EmptyMember : Crafted.Gzip(piece)]);

        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(ManyLabels[..50], labels);
    }

    [Theory]
    [InlineData(1, "1 byte")]
    [InlineData(9, "9 bytes")]
    public void Bytes_after_an_empty_member_are_trailing_data(int count, string what)
    {
        var bytes = Crafted.Concat(EmptyMember, new byte[count]);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            $"labels.gz: {what} of trailing data after the gzip data; expected the file to end "
            + "there",
            message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_member_whose_deflate_data_ends_in_its_own_trailer_reads_whole(int members)
    {
        // Given members whose content (kept in a stored block, so the deflate data ends with
        // it) ends with the very 8 bytes of the member's trailer, its CRC-32 and size
        var member = EndingInItsOwnTrailer(LabelsBut12, out var content);
        var bytes = Enumerable.Repeat(member, members).SelectMany(m => m).ToArray();

        var read = Gunzip(bytes);
        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels.gz", new MemoryStream(member)));

        Assert.Equal(member[^8..], content[^8..]);
        Assert.Equal(Enumerable.Repeat(content, members).SelectMany(c => c), read);
        Assert.Equal(content[8..], labels);
    }

    [Fact]
    public void Bytes_after_a_member_that_ends_like_its_trailer_are_counted_exactly()
    {
        var member = EndingInItsOwnTrailer(LabelsBut12, out _);
        var bytes = Crafted.Concat(member, [1, 2, 3]);

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(
            "labels.gz: 3 bytes of trailing data after the gzip data; expected the file to end "
            + "there",
            message);
    }

    // A gzip member of one stored block whose content is `start` with 12 bytes added: 4 chosen
    // so that the content's CRC-32 is 0x5EED5EED, then the member's trailer: that CRC-32 and
    // the content's size, little-endian.
    private static byte[] EndingInItsOwnTrailer(byte[] start, out byte[] content)
    {
        const uint Crc = 0x5EED5EED;
        var size = start.Length + 12;
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)size);
        byte[] With(uint chosen)
        {
            var four = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(four, chosen);
            return [.. start, .. four, .. trailer];
        }

        // The CRC-32 of With(x) less that of With(0) is linear in x over GF(2): solve for x.
        var zero = Crc32(With(0));
        var basis = new (uint Value, uint Chosen)[32];
        for (var bit = 0; bit < 32; bit++)
        {
            var (value, chosen) = (Crc32(With(1u << bit)) ^ zero, 1u << bit);
            for (var top = 31; top >= 0 && value != 0; top--)
            {
                if (((value >> top) & 1) == 0)
                {
                    continue;
                }

                if (basis[top].Value == 0)
                {
                    basis[top] = (value, chosen);
                    break;
                }

                (value, chosen) = (value ^ basis[top].Value, chosen ^ basis[top].Chosen);
            }
        }

        var (target, x) = (Crc ^ zero, 0u);
        for (var top = 31; top >= 0; top--)
        {
            if (((target >> top) & 1) != 0)
            {
                (target, x) = (target ^ basis[top].Value, x ^ basis[top].Chosen);
            }
        }

        content = With(x);
        Assert.Equal(Crc, Crc32(content));
        byte[] header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        byte[] stored =
            [1, (byte)size, (byte)(size >> 8), (byte)~size, (byte)(~size >> 8)];
        return [.. header, .. stored, .. content, .. trailer];
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        var (content, compressed) = Gzip.Open(new MemoryStream(bytes));
        Assert.True(compressed);
        using var output = new MemoryStream();
        content.CopyTo(output);
        return output.ToArray();
    }

    // The member with FEXTRA, FNAME, FCOMMENT and FHCRC set and their fields inserted after the
    // 10 fixed header bytes; the header CRC is off by headerCrcDelta.
    private static byte[] WithOptionalFields(byte[] member, int headerCrcDelta)
    {
        byte[] header = [.. member[..3], 0x1e, .. member[4..10]];
        byte[] fields = [3, 0, (byte)'a', (byte)'b', (byte)'c', .. "x.idx\0"u8, .. "hi\0"u8];
        byte[] covered = [.. header, .. fields];
        var crc = (ushort)(Crc32(covered) + headerCrcDelta);
        return [.. covered, (byte)crc, (byte)(crc >> 8), .. member[10..]];
    }

    private static uint Crc32(byte[] data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
