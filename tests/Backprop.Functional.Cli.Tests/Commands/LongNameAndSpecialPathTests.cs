using System.IO;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A path the file system refuses as too long (ENAMETOOLONG) is a bad argument for every path
/// option, input or output, and is reported as such rather than as a file that is not there;
/// a named pipe or a device where a directory should be is named as what it is.
/// </summary>
public sealed class LongNameAndSpecialPathTests
{
    // Longer than the 255 bytes a name may have on Linux's and macOS's file systems.
    private static readonly string LongName = new('a', 300);

    [Theory]
    [MemberData(nameof(PathOptions.Every), MemberType = typeof(PathOptions))]
    public void A_name_too_long_is_refused_as_such_by_every_path_option(
        string arguments, string option)
    {
        using var dir = new TempDirectory();
        foreach (var value in new[]
        {
            dir.File(LongName),
            Path.Combine(dir.Path, LongName, "model.json"),
        })
        {
            var args = PathOptions.Arguments(arguments, dir);

            var result = Cli.Run([.. args, option, value]);

            Assert.Equal(
                $"error: {option}: file name too long, got '{value}'",
                result.AssertOneErrorLine(2));
            Assert.Equal(string.Empty, result.Out);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }

    [Fact]
    public void Train_and_make_sample_agree_on_an_output_name_too_long()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var path = dir.File(LongName);

        var train = Cli.Run("train", "--data", data, "--out", path);
        var sample = Cli.Run("make-sample", "--data", data, "--out", path);

        Assert.Equal(
            $"error: --out: file name too long, got '{path}'", train.AssertOneErrorLine(2));
        Assert.Equal(
            $"error: --out: file name too long, got '{path}'", sample.AssertOneErrorLine(2));
        Assert.Equal([dir.File("data")], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void The_readers_name_a_name_too_long_as_such()
    {
        using var dir = new TempDirectory();
        var path = dir.File(LongName);

        Assert.Equal(
            $"{path}: file name too long; expected a model file",
            FinAssert.Fails(ModelFile.Load(path)));
        Assert.Equal(
            $"{path}: file name too long; expected a checkpoint file",
            FinAssert.Fails(CheckpointFile.ReadHeader(path)));
        Assert.Equal(
            $"data directory {path}: file name too long",
            FinAssert.Fails(DataSets.FromDirectory(path)));
        Assert.Equal(
            $"data directory {path}: file name too long",
            FinAssert.Fails(DataSets.TestFromDirectory(path)));
        Assert.True(FileKind.NameTooLong(path));
        Assert.False(FileKind.NameTooLong(dir.File("absent")));
        Assert.False(FileKind.NameTooLong(dir.Path));
    }

    [UnixTheory]
    [InlineData("train|--out|OUT")]
    [InlineData("gradcheck")]
    [InlineData("make-sample|--out|ABSENT")]
    public void A_data_directory_that_is_a_named_pipe_or_a_device_is_named_as_what_it_is(
        string arguments)
    {
        using var dir = new TempDirectory();
        var fifo = dir.File("fifo");
        SpecialFiles.MakeFifo(fifo);
        var device = dir.File("null");
        File.CreateSymbolicLink(device, "/dev/null");
        var args = PathOptions.Arguments(arguments, dir);

        var onFifo = SpecialFiles.WithinSeconds(() => Cli.Run([.. args, "--data", fifo]));
        var onDevice = Cli.Run([.. args, "--data", device]);

        Assert.Equal(
            $"error: data directory {fifo} is a named pipe (FIFO), not a directory; name the "
            + "directory that holds the IDX files",
            onFifo.AssertOneErrorLine(1));
        Assert.Equal(
            $"error: data directory {device} is a character device, not a directory; name the "
            + "directory that holds the IDX files",
            onDevice.AssertOneErrorLine(1));
        Assert.Equal(["fifo", "null"], dir.Files);
    }

    [UnixTheory]
    [InlineData("train|--out", "a file", "m.json")]
    [InlineData("train|--out|OUT|--plot", "a file", "p.png")]
    [InlineData("train|--out|OUT|--checkpoint", "a directory", "run")]
    [InlineData("make-sample|--data|ABSENT|--out", "a directory", "sample")]
    public void An_output_under_a_named_pipe_names_the_pipe_as_what_it_is(
        string arguments, string what, string below)
    {
        using var dir = new TempDirectory();
        var fifo = dir.File("fifo");
        SpecialFiles.MakeFifo(fifo);
        var path = Path.Combine(fifo, below);
        var args = PathOptions.Arguments(arguments, dir);
        var option = args[^1];

        var result = SpecialFiles.WithinSeconds(() => Cli.Run([.. args, path]));

        Assert.Equal(
            $"error: {option} names {what} under '{fifo}', which is a named pipe (FIFO), not a "
            + $"directory, got '{path}'",
            result.AssertOneErrorLine(2));
        Assert.Equal(["fifo"], dir.Files);
    }

    [UnixFact]
    public void Make_sample_refuses_an_out_it_cannot_write_into_before_reading_the_data()
    {
        // Given output directories where a sample file's name is taken by a named pipe or by
        // a directory, and a data directory that does not exist
        using var dir = new TempDirectory();
        var withFifo = Directory.CreateDirectory(dir.File("with-fifo")).FullName;
        var fifo = Path.Combine(withFifo, DataSets.TrainImages + ".gz");
        SpecialFiles.MakeFifo(fifo);
        var withDirectory = Directory.CreateDirectory(dir.File("with-directory")).FullName;
        var taken = Directory.CreateDirectory(
            Path.Combine(withDirectory, DataSets.TestLabels + ".gz")).FullName;

        // When
        var onFifo = SpecialFiles.WithinSeconds(() => Cli.Run(
            "make-sample", "--data", dir.File("absent"), "--out", withFifo));
        var onDirectory = Cli.Run(
            "make-sample", "--data", dir.File("absent"), "--out", withDirectory);

        // Then both are bad arguments, found before the data is looked for (exit code 2, not
        // the 1 of a missing data directory), and nothing is written
        Assert.Equal(
            $"error: --out: cannot write {fifo}: it is a named pipe (FIFO), not a regular file",
            onFifo.AssertOneErrorLine(2));
        Assert.Equal(
            $"error: --out: cannot write {taken}: it is a directory",
            onDirectory.AssertOneErrorLine(2));
        Assert.Equal("a named pipe (FIFO), not a regular file", FileKind.NotRegular(fifo));
        Assert.Single(Directory.GetFileSystemEntries(withFifo));
        Assert.Single(Directory.GetFileSystemEntries(withDirectory));
    }
}
