using System.IO;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class DataSetsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_directory_of_the_four_files_reads_raw_or_gzip(bool gzip)
    {
        // Given
        using var temp = new TempDirectory("mnist");
        Crafted.Directory(temp.Path, [0, 1, 2, 3], [9, 8], gzip);

        // When
        var split = FinAssert.Succeeds(DataSets.FromDirectory(temp.Path));

        // Then
        Assert.Equal((4, 2, 2), (split.Train.Count, split.Train.Rows, split.Train.Columns));
        Assert.Equal(Crafted.Pixels(4), split.Train.Pixels);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, split.Train.Labels);
        Assert.Equal(Crafted.Pixels(2), split.Test.Pixels);
        Assert.Equal(new byte[] { 9, 8 }, split.Test.Labels);
        Assert.Equal(ClassNames.Digits, split.ClassNames);
        Assert.Equal(10, split.Train.ClassCount);
        Assert.Equal(
            $"{temp.Path} (4 training and 2 test images of 2 × 2, 10 classes)", split.Description);
    }

    [Fact]
    public void Each_file_may_be_plain_or_gz_independently()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3], gzip: true);
        File.Move(temp.File(DataSets.TestLabels + ".gz"), temp.File(DataSets.TestLabels));

        var split = FinAssert.Succeeds(DataSets.FromDirectory(temp.Path));

        Assert.Equal(new byte[] { 3 }, split.Test.Labels);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3], gzip: true);
        File.Delete(temp.File(DataSets.TestImages + ".gz"));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.StartsWith(
            $"data directory {temp.Path} has no t10k-images-idx3-ubyte[.gz]; expected the four "
            + "files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
            + "t10k-labels-idx1-ubyte",
            message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void A_directory_under_a_data_file_s_name_is_named_as_a_directory(string suffix)
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2], [3], gzip: true);
        File.Delete(temp.File(DataSets.TrainLabels + ".gz"));
        Directory.CreateDirectory(temp.File(DataSets.TrainLabels + suffix));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(DataSets.TrainLabels + suffix)} is a directory; expected an IDX file",
            message);
    }

    [Fact]
    public void A_missing_directory_is_named()
    {
        using var temp = new TempDirectory();
        var missing = temp.File("nowhere");

        var message = FinAssert.Fails(DataSets.FromDirectory(missing));

        Assert.Equal($"data directory {missing} does not exist", message);
    }

    [Fact]
    public void A_file_or_empty_text_given_as_the_directory_is_named_as_such()
    {
        using var temp = new TempDirectory();
        var file = temp.File("model.json");
        File.WriteAllText(file, "{}");

        Assert.Equal(
            $"data directory {file} is a file, not a directory; name the directory that holds "
            + "the IDX files",
            FinAssert.Fails(DataSets.FromDirectory(file)));
        Assert.Equal(
            "the data directory is empty text; name a directory of IDX files",
            FinAssert.Fails(DataSets.FromDirectory(string.Empty)));
    }

    [Fact]
    public void Label_and_image_counts_that_differ_name_both_files()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [1, 2, 3], [3]);
        File.WriteAllBytes(temp.File(DataSets.TrainLabels), Crafted.Labels(1, 2));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(DataSets.TrainLabels)} has 2 labels but {temp.File(DataSets.TrainImages)} "
            + "has 3 images; expected one label per image",
            message);
    }

    [Fact]
    public void Label_10_with_ten_classes_names_the_file_the_record_and_the_label()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 9], [4, 5, 10], gzip: true);

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(DataSets.TestLabels + ".gz")}: record 2 has label 10; expected a class "
            + "in 0–9 (10 classes)",
            message);
    }

    [Fact]
    public void A_bad_file_inside_a_directory_is_named_with_its_path()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1]);
        File.WriteAllBytes(temp.File(DataSets.TrainImages), Crafted.Labels(0, 1));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.StartsWith(
            $"{temp.File(DataSets.TrainImages)}: expected an IDX images file", message);
    }

    [Fact]
    public void A_gz_file_with_a_bad_checksum_is_named_with_its_path()
    {
        // Given the CRC-32 in the training images' gzip trailer changed
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1], gzip: true);
        var path = temp.File(DataSets.TrainImages + ".gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^8] ^= 0xff;
        File.WriteAllBytes(path, bytes);

        // When
        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        // Then
        Assert.Equal(
            $"{path}: the gzip data is corrupt (checksum mismatch: the CRC-32 or size in its "
            + "trailer does not match the data)",
            message);
    }

    [Fact]
    public void A_gz_file_with_trailing_bytes_is_named_with_its_path()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1], gzip: true);
        var path = temp.File(DataSets.TestLabels + ".gz");
        File.AppendAllText(path, "junk");

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{path}: 4 bytes of trailing data after the gzip data; expected the file to end "
            + "there",
            message);
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "of decompressed data ")]
    public void Records_after_the_declared_ones_are_refused_raw_or_gzip(bool gzip, string what)
    {
        // Given a training images file with a fifth 2 × 2 image that its header does not count
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1, 2, 3], [1], gzip);
        var path = temp.File(DataSets.TrainImages + (gzip ? ".gz" : string.Empty));
        var raw = Crafted.Concat(Crafted.Images(2, 2, Crafted.Pixels(4)), [1, 2, 3, 4]);
        File.WriteAllBytes(path, Crafted.Maybe(gzip, raw));

        // When
        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        // Then
        Assert.Equal(
            $"{path}: 4 bytes {what}after the 16 declared by the header (4 images of 2 × 2); "
            + "expected the data to end there",
            message);
    }

    [Fact]
    public void Test_images_of_another_size_are_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1]);
        File.WriteAllBytes(temp.File(DataSets.TestImages), Crafted.Images(1, 4, 1, 2, 3, 4));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.StartsWith(
            $"{temp.File(DataSets.TestImages)}: images are 1 × 4 but the training", message);
    }

    [Fact]
    public void A_directory_named_like_fashion_gets_the_Fashion_MNIST_names()
    {
        using var temp = new TempDirectory("Fashion-MNIST");
        Crafted.Directory(temp.Path, [0, 1], [1]);

        var withSlash = temp.Path + Path.DirectorySeparatorChar;
        var split = FinAssert.Succeeds(DataSets.FromDirectory(withSlash));

        Assert.Equal(ClassNames.FashionMnist, split.ClassNames);
        Assert.Equal("T-shirt/top", split.ClassNames[0]);
        Assert.Equal("Ankle boot", split.ClassNames[9]);
    }

    [Fact]
    public void Classes_txt_sets_the_names_and_the_class_count()
    {
        // Given three classes listed, and a label 3 among them
        using var temp = new TempDirectory("fashion");
        Crafted.Directory(temp.Path, [0, 1, 2], [2]);
        File.WriteAllText(temp.File(ClassNames.FileName), "cat\n  dog \nbird\n\n");

        // When
        var split = FinAssert.Succeeds(DataSets.FromDirectory(temp.Path));
        File.WriteAllBytes(temp.File(DataSets.TrainLabels), Crafted.Labels(0, 3, 2));
        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        // Then
        Assert.Equal(new[] { "cat", "dog", "bird" }, split.ClassNames);
        Assert.Equal(3, split.Train.ClassCount);
        Assert.EndsWith(
            "record 1 has label 3; expected a class in 0–2 (3 classes, as listed in "
            + $"{temp.File(ClassNames.FileName)})",
            message);
    }

    [Fact]
    public void A_classes_txt_with_a_blank_line_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0], [0]);
        File.WriteAllText(temp.File(ClassNames.FileName), "cat\n\ndog\n");

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)}: line 2 is blank; expected one class name per "
            + "line, label 0 first",
            message);
    }

    [Fact]
    public void A_classes_txt_of_one_class_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0], [0]);
        File.WriteAllText(temp.File(ClassNames.FileName), "only\n");

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)}: names only one class; expected at least two",
            message);
    }

    [Fact]
    public void A_classes_txt_that_names_a_class_twice_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0], [0]);
        File.WriteAllText(temp.File(ClassNames.FileName), "cat\ndog\n cat\n");

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)}: line 3 names 'cat' again, as line 1 does; "
            + "expected a different name for each class",
            message);
    }

    [Fact]
    public void An_empty_classes_txt_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0], [0]);
        File.WriteAllText(temp.File(ClassNames.FileName), string.Empty);

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)}: expected one class name per line, found none",
            message);
    }

    [Fact]
    public void A_directory_named_classes_txt_is_named_as_a_directory()
    {
        using var temp = new TempDirectory("fashion");
        Crafted.Directory(temp.Path, [0], [0]);
        Directory.CreateDirectory(temp.File(ClassNames.FileName));

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)} is a directory; expected a file of class names, "
            + "one per line",
            message);
    }

    [UnixFact]
    public void A_named_pipe_named_classes_txt_is_refused_before_it_is_opened()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0], [0]);
        SpecialFiles.MakeFifo(temp.File(ClassNames.FileName));

        var message = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(DataSets.FromDirectory(temp.Path)));

        Assert.Equal(
            $"{temp.File(ClassNames.FileName)} is a named pipe (FIFO), not a regular file; "
            + "expected a file of class names, one per line",
            message);
    }

    [UnixTheory]
    [InlineData(DataSets.TestLabels, "")]
    [InlineData(DataSets.TrainImages, ".gz")]
    public void A_named_pipe_in_place_of_a_data_file_is_refused_before_it_is_opened(
        string name, string suffix)
    {
        // Given the file replaced by a named pipe that nothing writes to
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1], gzip: true);
        File.Delete(temp.File(name + ".gz"));
        var path = temp.File(name + suffix);
        SpecialFiles.MakeFifo(path);

        // When
        var message = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(DataSets.FromDirectory(temp.Path)));

        // Then
        Assert.Equal(
            $"{path} is a named pipe (FIFO), not a regular file; expected an IDX file", message);
    }

    [UnixFact]
    public void A_character_device_in_place_of_a_data_file_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1]);
        var path = temp.File(DataSets.TrainLabels);
        File.Delete(path);
        File.CreateSymbolicLink(path, "/dev/zero");

        var message = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(DataSets.FromDirectory(temp.Path)));

        Assert.Equal(
            $"{path} is a character device, not a regular file; expected an IDX file", message);
    }

    [UnixFact]
    public void A_socket_in_place_of_a_data_file_is_refused()
    {
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1]);
        var path = temp.File(DataSets.TestImages);
        File.Delete(path);
        using var socket = SpecialFiles.MakeSocket(path);

        var message = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(DataSets.FromDirectory(temp.Path)));

        Assert.Equal($"{path} is a socket, not a regular file; expected an IDX file", message);
    }

    [Fact]
    public void A_gz_file_of_empty_content_is_empty_data_not_trailing_data()
    {
        // Given `: | gzip -n` as the test labels: header, "03 00", eight zero bytes
        using var temp = new TempDirectory();
        Crafted.Directory(temp.Path, [0, 1], [1], gzip: true);
        var path = temp.File(DataSets.TestLabels + ".gz");
        File.WriteAllBytes(
            path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        var message = FinAssert.Fails(DataSets.FromDirectory(temp.Path));

        Assert.Equal(
            $"{path}: the decompressed data ends after 0 bytes; expected an IDX labels header "
            + "of 8 bytes",
            message);
    }
}
