using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Any name the file system takes can be written, up to its 255 bytes: the temporary file
/// beside the target has a short name of its own, not one made longer from the target's.
/// </summary>
public sealed class LongNameWriteTests
{
    // A name of exactly bytes bytes (ASCII), ending in suffix.
    private static string Name(int bytes, string suffix = "") =>
        new string('n', bytes - suffix.Length) + suffix;

    [Theory]
    [InlineData(238)]
    [InlineData(250)]
    [InlineData(255)]
    public void Train_writes_a_model_and_a_plot_whose_names_are_as_long_as_allowed(int bytes)
    {
        using var dir = new TempDirectory();
        var (model, plot) = (Name(bytes, ".json"), Name(bytes, ".png"));

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", dir.File(model),
            "--plot", dir.File(plot));

        result.AssertSucceeded();
        Assert.Equal(new[] { model, plot }.Order(), dir.Files);
    }

    [Fact]
    public void Train_keeps_a_checkpoint_in_a_directory_whose_name_is_as_long_as_allowed()
    {
        // The directory is still to be made: its entry is probed, beside where it will be
        using var dir = new TempDirectory();
        var run = dir.File(Name(255));

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
            "--checkpoint", run);

        result.AssertSucceeded();
        Assert.Equal(
            new[] { "checkpoint.json" },
            Directory.GetFiles(run).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void Make_sample_writes_into_a_directory_whose_name_is_as_long_as_allowed()
    {
        using var dir = new TempDirectory();
        var full = TinyData.Write(
            dir.File("full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass);
        var sample = dir.File(Name(255));

        var result = Cli.Run("make-sample", "--data", full, "--out", sample);

        result.AssertSucceeded();
        Assert.Equal(4, Directory.GetFiles(sample).Length);
    }

    [Fact]
    public void Every_way_of_writing_takes_a_name_of_255_bytes_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var (one, two, three) = (Name(255, ".1"), Name(255, ".2"), Name(255, ".3"));
        File.WriteAllBytes(dir.File(two), [0]);

        Assert.True(AtomicFile.CheckWritable(dir.File(one)).IsSucc);
        Assert.True(AtomicFile.Write(dir.File(one), [1]).IsSucc);
        Assert.True(AtomicFile.WriteAll((dir.File(two), [2]), (dir.File(three), [3])).IsSucc);

        Assert.Equal([one, two, three], dir.Files);
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(dir.File(two)));
    }

    [Fact]
    public void The_temporary_name_is_hidden_short_and_beside_the_target()
    {
        using var dir = new TempDirectory();

        var temporary = AtomicFile.Temporary(dir.Path, ".tmp");

        Assert.Equal(dir.Path, Path.GetDirectoryName(temporary));
        Assert.StartsWith(".backprop-", Path.GetFileName(temporary));
        Assert.EndsWith(".tmp", temporary);
        Assert.Equal(26, Path.GetFileName(temporary).Length);
        Assert.NotEqual(temporary, AtomicFile.Temporary(dir.Path, ".tmp"));
    }
}
