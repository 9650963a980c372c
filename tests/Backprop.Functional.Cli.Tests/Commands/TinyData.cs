using System.IO;
using System.IO.Compression;
using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Writes a small data directory in the standard IDX layout: 2 × 2 images of two classes
/// ("dark" and "light", listed in classes.txt) that a network tells apart in one epoch.
/// </summary>
public static class TinyData
{
    public static string Write(string directory, int trainPerClass = 50, int testPerClass = 10) =>
        WriteCounts(directory, 2 * trainPerClass, 2 * testPerClass);

    /// <summary>
    /// As <see cref="Write"/>, with <paramref name="train"/> training and
    /// <paramref name="test"/> test images in all, the classes taking turns from "dark".
    /// </summary>
    public static string WriteCounts(string directory, int train, int test)
    {
        Directory.CreateDirectory(directory);
        WriteSet(directory, DataSets.TrainImages, DataSets.TrainLabels, train);
        WriteSet(directory, DataSets.TestImages, DataSets.TestLabels, test);
        File.WriteAllLines(Path.Combine(directory, ClassNames.FileName), ["dark", "light"]);
        return directory;
    }

    private static void WriteSet(string directory, string images, string labels, int count)
    {
        var pixels = new byte[count * 4];
        var tags = new byte[count];
        for (var i = 0; i < count; i++)
        {
            // Alternate the classes; vary the brightness a little within each class.
            var label = (byte)(i % 2);
            tags[i] = label;
            for (var p = 0; p < 4; p++)
            {
                var shade = label == 0 ? 20 + ((i + p) % 30) : 200 + ((i + p) % 50);
                pixels[(i * 4) + p] = (byte)shade;
            }
        }

        using (var stream = File.Create(Path.Combine(directory, images + ".gz")))
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        {
            Idx.WriteImages(gzip, 2, 2, pixels);
        }

        using var plain = File.Create(Path.Combine(directory, labels));
        Idx.WriteLabels(plain, tags);
    }
}
