using System.IO;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>Reading only the test set, as evaluate, predict and gradcheck do.</summary>
public class TestDataTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_directory_of_only_the_two_test_files_reads_raw_or_gzip(bool gzip)
    {
        // Given a directory from which the training files are removed
        using var temp = new TempDirectory("mnist");
        Crafted.Directory(temp.Path, [0, 1, 2, 3], [9, 8], gzip);
        var suffix = gzip ? ".gz" : string.Empty;
        File.Delete(temp.File(DataSets.TrainImages + suffix));
        File.Delete(temp.File(DataSets.TrainLabels + suffix));

        // When
        var data = FinAssert.Succeeds(DataSets.TestFromDirectory(temp.Path));

        // Then
        Assert.Equal((2, 2, 2), (data.Test.Count, data.Test.Rows, data.Test.Columns));
        Assert.Equal(Crafted.Pixels(2), data.Test.Pixels);
        Assert.Equal(new byte[] { 9, 8 }, data.Test.Labels);
        Assert.Equal(ClassNames.Digits, data.ClassNames);
        Assert.Equal($"{temp.Path} (2 test images of 2 × 2, 10 classes)", data.Description);
    }

    [Fact]
    public void The_test_set_alone_is_the_test_set_of_the_whole_directory()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2, 3], [4, 5], gzip: true);

        var split = FinAssert.Succeeds(DataSets.FromDirectory(temp.Path));
        var data = FinAssert.Succeeds(DataSets.TestFromDirectory(temp.Path));

        Assert.Equal(split.Test.Pixels, data.Test.Pixels);
        Assert.Equal(split.Test.Labels, data.Test.Labels);
        Assert.Equal(split.ClassNames, data.ClassNames);
    }

    [Fact]
    public void Damaged_or_missing_training_files_are_not_read()
    {
        // Given training images that are not IDX and no training labels
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3]);
        File.WriteAllBytes(temp.File(DataSets.TrainImages), [1, 2, 3]);
        File.Delete(temp.File(DataSets.TrainLabels));

        // When
        var data = FinAssert.Succeeds(DataSets.TestFromDirectory(temp.Path));

        // Then the test set is read, while the whole data set is refused
        Assert.Equal(new byte[] { 3 }, data.Test.Labels);
        Assert.StartsWith(
            $"data directory {temp.Path} has no train-labels-idx1-ubyte[.gz]; expected the four",
            FinAssert.Fails(DataSets.FromDirectory(temp.Path)));
    }

    [Theory]
    [InlineData(DataSets.TestImages, "t10k-images-idx3-ubyte[.gz]")]
    [InlineData(DataSets.TestLabels, "t10k-labels-idx1-ubyte[.gz]")]
    public void A_missing_test_file_is_named_with_only_the_test_files_expected(
        string name, string absent)
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3], gzip: true);
        File.Delete(temp.File(DataSets.TrainImages + ".gz"));
        File.Delete(temp.File(name + ".gz"));

        var message = FinAssert.Fails(DataSets.TestFromDirectory(temp.Path));

        Assert.Equal(
            $"data directory {temp.Path} has no {absent}; expected the two test files "
            + "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally ending in .gz",
            message);
    }

    [Fact]
    public void A_bad_test_file_is_named_with_its_path()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3]);
        File.WriteAllBytes(temp.File(DataSets.TestImages), Crafted.Labels(1));

        var message = FinAssert.Fails(DataSets.TestFromDirectory(temp.Path));

        Assert.StartsWith(
            $"{temp.File(DataSets.TestImages)}: expected an IDX images file (magic 0x00000803)",
            message);
    }

    [Fact]
    public void A_directory_under_a_test_file_s_name_is_named_as_a_directory()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3]);
        File.Delete(temp.File(DataSets.TestLabels));
        Directory.CreateDirectory(temp.File(DataSets.TestLabels + ".gz"));

        Assert.Equal(
            $"{temp.File(DataSets.TestLabels + ".gz")} is a directory; expected an IDX file",
            FinAssert.Fails(DataSets.TestFromDirectory(temp.Path)));
    }

    [Fact]
    public void The_embedded_test_set_alone_is_the_sample_s_test_set()
    {
        var sample = FinAssert.Succeeds(DataSets.Embedded());

        var data = FinAssert.Succeeds(DataSets.EmbeddedTest());

        Assert.Equal(sample.Test.Pixels, data.Test.Pixels);
        Assert.Equal(sample.Test.Labels, data.Test.Labels);
        Assert.Equal(ClassNames.FashionMnist, data.ClassNames);
        Assert.Equal(
            "embedded Fashion-MNIST sample (1000 test images of 28 × 28, 10 classes)",
            data.Description);
    }
}
