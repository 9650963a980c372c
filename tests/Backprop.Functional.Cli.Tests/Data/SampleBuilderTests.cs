using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class SampleBuilderTests
{
    [Fact]
    public void The_sample_keeps_the_first_images_of_each_class_in_file_order()
    {
        // Given a full set whose training labels run 2 0 0 1 2 0 1 2 1 0 and test labels 1 0 2 1 0
        using var full = new TempDirectory("mnist");
        using var output = new TempDirectory();
        byte[] trainLabels = [2, 0, 0, 1, 2, 0, 1, 2, 1, 0];
        File.WriteAllLines(full.File(ClassNames.FileName), ["a", "b", "c"]);
        Crafted.Directory(full.Path, trainLabels, [1, 0, 2, 1, 0], gzip: true);

        // When two training and one test image per class are kept
        var sampleDirectory = output.File("sample");
        var written = FinAssert.Succeeds(SampleBuilder.Build(full.Path, sampleDirectory, 2, 1));
        File.Copy(full.File(ClassNames.FileName), output.File("sample/" + ClassNames.FileName));
        var sample = FinAssert.Succeeds(DataSets.FromDirectory(output.File("sample")));

        // Then the training images are 0 1 2 3 4 6 of the full set, the test images 0 1 2
        int[] kept = [0, 1, 2, 3, 4, 6];
        Assert.Equal(kept.Select(i => trainLabels[i]), sample.Train.Labels);
        var pixels = Crafted.Pixels(10);
        Assert.Equal(kept.SelectMany(i => pixels.Skip(4 * i).Take(4)), sample.Train.Pixels);
        Assert.Equal(new byte[] { 1, 0, 2 }, sample.Test.Labels);
        Assert.Equal(Crafted.Pixels(3), sample.Test.Pixels);
        Assert.Equal(4, written.Count);
        Assert.All(written, path => Assert.EndsWith(".gz", path));
    }

    [Fact]
    public void The_written_files_are_gzip()
    {
        using var full = new TempDirectory();
        using var output = new TempDirectory();
        byte[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Crafted.Directory(full.Path, labels, labels);

        var written = FinAssert.Succeeds(SampleBuilder.Build(full.Path, output.Path, 1, 1));

        Assert.All(written, path => Assert.Equal([0x1f, 0x8b], File.ReadAllBytes(path)[..2]));
    }

    [Fact]
    public void The_four_files_are_written_all_or_none()
    {
        // Given a sample directory holding an earlier sample's training images, and a
        // directory where the last file, the test labels, should go: the first three files
        // can be written, the last cannot
        using var full = new TempDirectory();
        using var output = new TempDirectory();
        byte[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Crafted.Directory(full.Path, labels, labels);
        var earlier = output.File(DataSets.TrainImages + ".gz");
        File.WriteAllText(earlier, "an earlier sample");
        var blocked = Directory.CreateDirectory(output.File(DataSets.TestLabels + ".gz")).FullName;

        // When
        var message = FinAssert.Fails(SampleBuilder.Build(full.Path, output.Path, 1, 1));

        // Then none of the four is replaced or written, and no temporary file is left
        Assert.Equal($"cannot write {blocked}: it is a directory", message);
        Assert.Equal("an earlier sample", File.ReadAllText(earlier));
        Assert.Equal(
            new[] { earlier, blocked }.Order(),
            Directory.GetFileSystemEntries(output.Path).Order().ToArray());
        Assert.Empty(Directory.GetFileSystemEntries(blocked));
    }

    [Theory]
    [InlineData(2, "2 images", 1)]
    [InlineData(1, "1 image", 0)]
    public void A_class_with_too_few_images_is_named(int perClass, string needed, int held)
    {
        // Training images among which Trouser, class 1, is the first with fewer than asked
        using var full = new TempDirectory("fashion");
        using var output = new TempDirectory();
        byte[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        byte[] train = perClass == 1 ? [0, 0, 2, 3, 4, 5, 6, 7, 8, 9] : [.. labels, 0];
        Crafted.Directory(full.Path, train, labels);

        var message = FinAssert.Fails(SampleBuilder.Build(full.Path, output.Path, perClass, 1));

        Assert.Equal(
            $"{full.File(DataSets.TrainImages)}: the sample needs {needed} of each class but "
            + $"class 1 (Trouser) has {held}",
            message);
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }

    [Theory]
    [InlineData(0, 1, "0 training and 1 test image")]
    [InlineData(0, 2, "0 training and 2 test images")]
    [InlineData(1, 0, "1 training and 0 test images")]
    public void A_sample_of_no_images_of_a_kind_is_refused(int train, int test, string got)
    {
        using var full = new TempDirectory("fashion");
        using var output = new TempDirectory();

        var message = FinAssert.Fails(SampleBuilder.Build(full.Path, output.Path, train, test));

        Assert.Equal(
            $"a sample needs at least one image per class, got {got} per class", message);
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }
}
