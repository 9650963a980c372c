using System;
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
        + "trailer does not match the data, or the trailer is cut short)";

    // 100,000 labels in 0–9: a labels file whose gzip takes many of the deflate stream's reads.
    private static readonly byte[] ManyLabels = Enumerable.Range(0, 100_000)
        .Select(i => (byte)(((i * 7919) % 10007) % 10))
        .ToArray();

    private static readonly byte[] Gzipped = Crafted.Gzip(Crafted.Labels(ManyLabels));

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
    public void A_trailer_cut_short_is_refused(int cut)
    {
        var bytes = Gzipped[..^cut];

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.Equal(ChecksumMismatch, message);
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
