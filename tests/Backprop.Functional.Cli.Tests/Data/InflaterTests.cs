using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>
/// The deflate decoder gives what .NET's DeflateStream gives for everything zlib writes, and
/// hands back exactly the bytes that follow the deflate data, however the input arrives.
/// </summary>
public class InflaterTests
{
    // Bytes after the deflate data, which the decoder must hand back untouched.
    private static readonly byte[] After = [0, 0, 0, 0, 0x1f, 0x8b, 3, 0, 0xff, 1, 2, 3, 0];

    // (.NET's DeflateStream writes nothing at all for no content, so empty content is the
    // test of its own below, with the two bytes gzip writes.)
    public static TheoryData<string, int> Contents() => new()
    {
        { "zeros", 1 },
        { "zeros", 2 },
        { "zeros", 300_000 },
        { "random", 1 },
        { "random", 7 },
        { "random", 100_000 },
        { "text", 1000 },
        { "text", 250_000 },
        { "pixels", 200_000 },
    };

    public static IEnumerable<ZLibCompressionOptions> Settings() =>
        from level in new[] { 0, 1, 6, 9 }
        from strategy in Enum.GetValues<ZLibCompressionStrategy>()
        select new ZLibCompressionOptions
        {
            CompressionLevel = level,
            CompressionStrategy = strategy,
        };

    [Theory]
    [MemberData(nameof(Contents))]
    public void Everything_zlib_writes_decodes_as_DeflateStream_decodes_it(string kind, int size)
    {
        var content = Content(kind, size);
        foreach (var options in Settings())
        {
            var deflated = Deflate(content, options);

            var (output, leftover) = Inflate(new MemoryStream([.. deflated, .. After]));

            var what = $"{kind} {size}, level {options.CompressionLevel}, "
                + $"{options.CompressionStrategy}";
            Assert.True(content.AsSpan().SequenceEqual(output), what);
            Assert.True(After.AsSpan().SequenceEqual(leftover), what);
            Assert.Equal(content, Reference(deflated));
        }
    }

    [Theory]
    [InlineData("text", 5000)]
    [InlineData("random", 3000)]
    [InlineData("zeros", 1)]
    public void Input_one_byte_a_read_decodes_the_same_and_leaves_the_same(string kind, int size)
    {
        var content = Content(kind, size);
        var deflated = Deflate(content, new ZLibCompressionOptions { CompressionLevel = 9 });

        var (output, leftover) = Inflate(new IdxTests.TrickleStream([.. deflated, .. After]));

        Assert.Equal(content, output);
        Assert.Equal(After, leftover);
    }

    [Fact]
    public void The_deflate_data_of_empty_content_ends_after_its_two_bytes()
    {
        // Given "03 00", a final block of fixed codes holding only its end, then eight zeros
        var (output, leftover) = Inflate(new MemoryStream([3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));

        Assert.Empty(output);
        Assert.Equal(new byte[8], leftover);
    }

    [Fact]
    public void Input_that_ends_inside_the_data_is_cut_short_after_what_came_before()
    {
        var content = Content("text", 100_000);
        var deflated = Deflate(content, new ZLibCompressionOptions { CompressionLevel = 6 });
        var inflater = new Inflater(new MemoryStream(deflated[..^3]));

        var output = ReadAll(inflater);

        Assert.True(inflater.CutShort);
        Assert.False(inflater.Finished);
        Assert.True(output.Length < content.Length);
        Assert.Equal(content[..output.Length], output);
    }

    [Theory]
    [InlineData(new byte[] { 0x07 }, "block type 3")]
    [InlineData(new byte[] { 0x01, 0x01, 0x00, 0xff, 0xff, 0x41 }, "NLEN not the complement")]
    [InlineData(new byte[] { 0x03, 0x02, 0x00 }, "a distance before the data")]
    [InlineData(new byte[] { 0x1b, 0x03, 0x00 }, "literal/length code 286")]
    [InlineData(new byte[] { 0xf5, 0x00, 0x00 }, "287 literal/length codes")]
    public void Invalid_deflate_data_is_refused_as_zlib_refuses_it(byte[] deflated, string why)
    {
        var inflater = new Inflater(new MemoryStream(deflated));

        var e = Assert.Throws<InvalidDataException>(() => ReadAll(inflater));

        Assert.True(e.Message == "invalid deflate data", why);
        Assert.Throws<InvalidDataException>(() => Reference(deflated));
    }

    private static byte[] Content(string kind, int size)
    {
        var random = new Random(size);
        return kind switch
        {
            "zeros" => new byte[size],
            "random" => Enumerable.Range(0, size).Select(_ => (byte)random.Next(256)).ToArray(),
            "text" => Enumerable.Range(0, size)
                .Select(i => (byte)"the quick brown fox jumps over the lazy dog "[
                    ((i * 7) % 44) ^ (random.Next(9) == 0 ? 1 : 0)])
                .ToArray(),
            _ => Enumerable.Range(0, size)
                .Select(i => (byte)(i % 28 is < 6 or > 21 ? 0 : random.Next(200, 256)))
                .ToArray(),
        };
    }

    private static byte[] Deflate(byte[] content, ZLibCompressionOptions options)
    {
        using var stream = new MemoryStream();
        using (var deflate = new DeflateStream(stream, options, leaveOpen: true))
        {
            deflate.Write(content);
        }

        return stream.ToArray();
    }

    private static byte[] Reference(byte[] deflated)
    {
        using var deflate = new DeflateStream(
            new MemoryStream(deflated), CompressionMode.Decompress);
        using var output = new MemoryStream();
        deflate.CopyTo(output);
        return output.ToArray();
    }

    private static (byte[] Output, byte[] Leftover) Inflate(Stream input)
    {
        var inflater = new Inflater(input);
        var output = ReadAll(inflater);
        Assert.True(inflater.Finished);
        Assert.False(inflater.CutShort);

        // What the decoder left, then what it never read.
        using var rest = new MemoryStream();
        input.CopyTo(rest);
        return (output, [.. inflater.Leftover, .. rest.ToArray()]);
    }

    private static byte[] ReadAll(Inflater inflater)
    {
        var output = new List<byte>();
        var buffer = new byte[1000];
        int n;
        while ((n = inflater.Read(buffer)) > 0)
        {
            output.AddRange(buffer.AsSpan(0, n));
        }

        return [.. output];
    }
}
