using System;
using System.IO;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class IdxTests
{
    private static readonly byte[] SixPixels = [0, 1, 2, 253, 254, 255];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_read_back_as_written_raw_or_gzip(bool gzip)
    {
        // Given two 1 × 3 images
        var bytes = Crafted.Maybe(gzip, Crafted.Images(1, 3, SixPixels));

        // When
        var (count, rows, columns, pixels) = FinAssert.Succeeds(
            Idx.ReadImages("images", new MemoryStream(bytes)));

        // Then
        Assert.Equal((2, 1, 3), (count, rows, columns));
        Assert.Equal(SixPixels, pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_read_back_as_written_raw_or_gzip(bool gzip)
    {
        var bytes = Crafted.Maybe(gzip, Crafted.Labels(3, 1, 4, 1, 5));

        var labels = FinAssert.Succeeds(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        Assert.Equal(new byte[] { 3, 1, 4, 1, 5 }, labels);
    }

    [Fact]
    public void Gzip_is_told_from_the_bytes_not_the_name()
    {
        var gzipped = Crafted.Gzip(Crafted.Labels(7));
        var raw = Crafted.Labels(8);

        var fromPlainName = Idx.ReadLabels("labels-idx1-ubyte", new MemoryStream(gzipped));
        var fromGzName = Idx.ReadLabels("labels-idx1-ubyte.gz", new MemoryStream(raw));

        Assert.Equal(new byte[] { 7 }, FinAssert.Succeeds(fromPlainName));
        Assert.Equal(new byte[] { 8 }, FinAssert.Succeeds(fromGzName));
    }

    [Fact]
    public void A_stream_that_cannot_seek_and_gives_one_byte_a_read_is_read_whole()
    {
        var stream = new TrickleStream(Crafted.Gzip(Crafted.Images(1, 3, SixPixels)));

        var (count, _, _, pixels) = FinAssert.Succeeds(Idx.ReadImages("images", stream));

        Assert.Equal(2, count);
        Assert.Equal(SixPixels, pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_labels_file_read_as_images_names_both_magic_numbers(bool gzip)
    {
        var bytes = Crafted.Maybe(gzip, Crafted.Labels(1, 2, 3));

        var message = FinAssert.Fails(Idx.ReadImages("train-images", new MemoryStream(bytes)));

        Assert.Equal(
            "train-images: expected an IDX images file (magic 0x00000803), found 0x00000801 "
            + "(a labels file)",
            message);
    }

    [Theory]
    [InlineData(0x0901, "element type 0x09, 1 dimension")]
    [InlineData(0x0902, "element type 0x09, 2 dimensions")]
    [InlineData(0x0800, "element type 0x08, 0 dimensions")]
    public void Another_IDX_magic_counts_its_dimensions_in_words(int magic, string what)
    {
        var bytes = Crafted.Concat(Crafted.Header(magic, 3), [1, 2, 3]);

        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        Assert.Equal(
            $"labels: expected an IDX labels file (magic 0x00000801), found 0x{magic:X8} ({what})",
            message);
    }

    [Fact]
    public void A_file_that_is_not_IDX_at_all_says_so()
    {
        var bytes = "PK\u0003\u0004 not idx"u8.ToArray();

        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        Assert.Equal(
            "labels: expected an IDX labels file (magic 0x00000801), found 0x504B0304, which is "
            + "not an IDX header",
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_header_cut_short_is_reported_with_the_bytes_found(bool gzip)
    {
        var header = Crafted.Header(Idx.ImagesMagic, 2, 1, 3);
        var bytes = Crafted.Maybe(gzip, header[..10]);

        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        Assert.StartsWith("images: the ", message);
        Assert.Contains(
            "ends after 10 bytes, inside the header; expected 16 header bytes", message);
    }

    [Fact]
    public void An_empty_file_is_a_truncated_header()
    {
        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream([])));

        Assert.Equal(
            "labels: the data ends after 0 bytes; expected an IDX labels header of 8 bytes",
            message);
    }

    [Theory]
    [InlineData(false, "data")]
    [InlineData(true, "decompressed data")]
    public void Pixels_cut_short_are_truncated_data(bool gzip, string what)
    {
        var whole = Crafted.Images(1, 3, SixPixels);
        var bytes = Crafted.Maybe(gzip, whole[..^2]);

        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        Assert.StartsWith(
            $"images: truncated: the header declares 2 images of 1 × 3 (6 bytes) but the {what} "
            + "holds only 1 and 1 byte of the next (4 bytes)",
            message);
    }

    // The count the header declares and the count the data holds are both given in records,
    // each with its bytes; the data's are 2000000 images declared of which 6000 are there.
    [Theory]
    [InlineData(6000, 0, "only 6000 (4704000 bytes)")]
    [InlineData(6000, 10, "only 6000 and 10 bytes of the next (4704010 bytes)")]
    [InlineData(0, 500, "only 500 bytes, less than one image")]
    [InlineData(0, 0, "none of them")]
    public void Truncated_images_are_counted_in_images_and_in_bytes(
        int images, int extra, string held)
    {
        var header = Crafted.Header(Idx.ImagesMagic, 2_000_000, 28, 28);
        var bytes = Crafted.Concat(header, new byte[(images * 784) + extra]);

        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        Assert.Equal(
            "images: truncated: the header declares 2000000 images of 28 × 28 (1568000000 "
            + $"bytes) but the data holds {held}",
            message);
    }

    [Fact]
    public void Truncated_labels_are_counted_in_labels_and_in_bytes()
    {
        var bytes = Crafted.Concat(Crafted.Header(Idx.LabelsMagic, 60000), new byte[59990]);

        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        Assert.Equal(
            "labels: truncated: the header declares 60000 labels (60000 bytes) but the data "
            + "holds only 59990 (59990 bytes)",
            message);
    }

    [Fact]
    public void One_image_or_label_is_named_in_the_singular()
    {
        var image = Crafted.Images(1, 3, 0, 1, 2);
        var label = Crafted.Labels(7);

        var images = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(image[..^1])));
        var labels = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(label[..^1])));

        Assert.StartsWith(
            "images: truncated: the header declares 1 image of 1 × 3 (3 bytes)", images);
        Assert.StartsWith("labels: truncated: the header declares 1 label (1 byte)", labels);
    }

    [Fact]
    public void A_gzip_stream_cut_in_the_middle_fails_with_one_line()
    {
        // Given a gzip file of 4,000 random-looking labels, cut to half its length
        var labels = new byte[4000];
        new Random(7).NextBytes(labels);
        var gzipped = Crafted.Gzip(Crafted.Labels(labels));
        var cut = gzipped[..(gzipped.Length / 2)];

        // When
        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(cut)));

        // Then
        Assert.StartsWith(
            "labels.gz: truncated: the header declares 4000 labels (4000 bytes)", message);
        Assert.Contains("gzip", message);
    }

    [Fact]
    public void Damaged_gzip_data_fails_with_one_line()
    {
        byte[] bytes = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 0, 1];

        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        Assert.StartsWith("labels.gz: ", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_huge_declared_image_count_over_ten_bytes_fails_at_once(bool gzip)
    {
        // Given 2³¹ − 1 images of 28 × 28 declared, and 10 bytes of data
        var header = Crafted.Header(Idx.ImagesMagic, int.MaxValue, 28, 28);
        var bytes = Crafted.Maybe(gzip, Crafted.Concat(header, new byte[10]));
        var before = GC.GetAllocatedBytesForCurrentThread();

        // When
        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        // Then it is refused before anything near that size is allocated
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (16 << 20));
        Assert.Equal(
            $"images: the header declares 2147483647 images of 28 × 28, {2147483647L * 784} bytes; "
            + $"expected at most {Array.MaxLength} bytes (the largest array)",
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_declared_count_that_fits_in_memory_allocates_only_what_arrives(bool gzip)
    {
        // Given 2³⁰ labels declared (1 GiB, a legal array) and 10 bytes of data
        var bytes = Crafted.Maybe(
            gzip, Crafted.Concat(Crafted.Header(Idx.LabelsMagic, 1u << 30), new byte[10]));
        var before = GC.GetAllocatedBytesForCurrentThread();

        // When
        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        // Then the 1 GiB was never allocated
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (16 << 20));
        Assert.Contains(
            "truncated: the header declares 1073741824 labels (1073741824 bytes)", message);
        Assert.Contains("holds only 10 (10 bytes)", message);
    }

    [Fact]
    public void Images_with_a_zero_side_are_refused()
    {
        var bytes = Crafted.Header(Idx.ImagesMagic, 5, 0, 28);

        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        Assert.Equal(
            "images: the header declares images of 0 × 28 pixels; expected at least 1 × 1",
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_empty_set_is_refused(bool gzip)
    {
        var images = Crafted.Maybe(gzip, Crafted.Header(Idx.ImagesMagic, 0, 28, 28));
        var labels = Crafted.Maybe(gzip, Crafted.Labels());

        var imagesMessage = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(images)));
        var labelsMessage = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(labels)));

        Assert.Equal("images: the set is empty (0 images); expected at least one", imagesMessage);
        Assert.Equal("labels: the set is empty (0 labels); expected at least one", labelsMessage);
    }

    [Theory]
    [InlineData(false, "labels: 3 bytes after")]
    [InlineData(true, "labels: 3 bytes of decompressed data after")]
    public void Bytes_after_the_declared_labels_are_refused_raw_or_gzip(bool gzip, string start)
    {
        var bytes = Crafted.Maybe(gzip, Crafted.Concat(Crafted.Labels(1, 2), [9, 9, 9]));

        var message = FinAssert.Fails(Idx.ReadLabels("labels", new MemoryStream(bytes)));

        Assert.Equal(
            $"{start} the 2 declared by the header (2 labels); expected the data to end there",
            message);
    }

    [Theory]
    [InlineData(false, "images: 1 byte after")]
    [InlineData(true, "images: 1 byte of decompressed data after")]
    public void A_byte_after_the_declared_images_is_refused_raw_or_gzip(bool gzip, string start)
    {
        var bytes = Crafted.Maybe(gzip, Crafted.Concat(Crafted.Images(1, 3, SixPixels), [0]));

        var message = FinAssert.Fails(Idx.ReadImages("images", new MemoryStream(bytes)));

        Assert.Equal(
            $"{start} the 6 declared by the header (2 images of 1 × 3); expected the data to end "
            + "there",
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bytes_after_the_declared_data_are_refused_from_a_stream_that_cannot_seek(
        bool gzip)
    {
        var bytes = Crafted.Maybe(gzip, Crafted.Concat(Crafted.Labels(1, 2), [9, 9, 9, 9]));

        var message = FinAssert.Fails(Idx.ReadLabels("labels", new TrickleStream(bytes)));

        Assert.StartsWith("labels: 4 bytes ", message);
        Assert.EndsWith(
            "after the 2 declared by the header (2 labels); expected the data to end there",
            message);
    }

    [Fact]
    public void Many_decompressed_bytes_after_the_data_are_counted_without_keeping_them()
    {
        // Given 2 labels followed by 64 MiB of zeros, gzipped to a few dozen kilobytes
        var bytes = Crafted.Gzip(Crafted.Concat(Crafted.Labels(1, 2), new byte[64 << 20]));
        var before = GC.GetAllocatedBytesForCurrentThread();

        // When
        var message = FinAssert.Fails(Idx.ReadLabels("labels.gz", new MemoryStream(bytes)));

        // Then
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (16 << 20));
        Assert.Equal(
            $"labels.gz: {64 << 20} bytes of decompressed data after the 2 declared by the "
            + "header (2 labels); expected the data to end there",
            message);
    }

    [Fact]
    public void Reading_leaves_the_callers_stream_open()
    {
        var stream = new MemoryStream(Crafted.Gzip(Crafted.Labels(1)));

        FinAssert.Succeeds(Idx.ReadLabels("labels", stream));

        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Writing_images_that_are_not_whole_throws()
    {
        Assert.Throws<ArgumentException>(
            () => Idx.WriteImages(new MemoryStream(), 2, 2, SixPixels));
    }

    /// <summary>A forward-only stream that hands out at most one byte per read.</summary>
    internal sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == bytes.Length || count == 0)
            {
                return 0;
            }

            buffer[offset] = bytes[_position++];
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) =>
            throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException();
    }
}
