using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>Small IDX files made byte by byte for the tests.</summary>
public static class Crafted
{
    /// <summary>A big-endian header: the magic, then each dimension.</summary>
    public static byte[] Header(int magic, params uint[] dimensions)
    {
        var header = new byte[4 * (1 + dimensions.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 * (d + 1)), dimensions[d]);
        }

        return header;
    }

    /// <summary>A raw images file written by <see cref="Idx.WriteImages"/>.</summary>
    public static byte[] Images(int rows, int columns, params byte[] pixels)
    {
        using var stream = new MemoryStream();
        Idx.WriteImages(stream, rows, columns, pixels);
        return stream.ToArray();
    }

    /// <summary>A raw labels file written by <see cref="Idx.WriteLabels"/>.</summary>
    public static byte[] Labels(params byte[] labels)
    {
        using var stream = new MemoryStream();
        Idx.WriteLabels(stream, labels);
        return stream.ToArray();
    }

    /// <summary>The gzip compression of <paramref name="raw"/>.</summary>
    public static byte[] Gzip(byte[] raw)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return stream.ToArray();
    }

    /// <summary><paramref name="raw"/>, gzipped when <paramref name="gzip"/> is set.</summary>
    public static byte[] Maybe(bool gzip, byte[] raw) => gzip ? Gzip(raw) : raw;

    /// <summary>The two arrays one after the other.</summary>
    public static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    /// <summary>
    /// Writes a data directory of the four standard files: <paramref name="trainLabels"/>.Length
    /// training images and <paramref name="testLabels"/>.Length test images of 2 × 2, whose
    /// pixels are (image index + 10 × pixel index) mod 256 so that every image differs.
    /// </summary>
    public static void Directory(
        string directory, byte[] trainLabels, byte[] testLabels, bool gzip = false)
    {
        var suffix = gzip ? ".gz" : string.Empty;
        var trainImages = Images(2, 2, Pixels(trainLabels.Length));
        var testImages = Images(2, 2, Pixels(testLabels.Length));
        Write(directory, DataSets.TrainImages + suffix, gzip, trainImages);
        Write(directory, DataSets.TrainLabels + suffix, gzip, Labels(trainLabels));
        Write(directory, DataSets.TestImages + suffix, gzip, testImages);
        Write(directory, DataSets.TestLabels + suffix, gzip, Labels(testLabels));
    }

    /// <summary>The pixels <see cref="Directory"/> writes for a set of that many.</summary>
    public static byte[] Pixels(int count) =>
        Enumerable.Range(0, 4 * count).Select(i => (byte)((i / 4) + (10 * (i % 4)))).ToArray();

    private static void Write(string directory, string name, bool gzip, byte[] raw) =>
        File.WriteAllBytes(Path.Combine(directory, name), Maybe(gzip, raw));
}
