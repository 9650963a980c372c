using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Output files are written together or not at all, and anything that would stop them being
/// written is found before training rather than after it.
/// </summary>
public sealed class OutputSafetyTests
{
    [Fact]
    public void Plot_and_out_naming_the_same_file_is_refused_before_training()
    {
        using var dir = new TempDirectory();
        var same = dir.File("x.json");

        var line = Cli.Run("train", "--epochs", "1", "--hidden", "4", "--out", same, "--plot", same)
            .AssertOneErrorLine(2);

        Assert.Contains("--plot and --out name the same file", line);
        Assert.Empty(dir.Files);
    }

    [Theory]
    [InlineData("train-labels-idx1-ubyte", "--out")]
    [InlineData("t10k-images-idx3-ubyte.gz", "--plot")]
    [InlineData("classes.txt", "--out")]
    public void An_output_naming_a_data_file_is_refused_and_the_data_kept(
        string name, string option)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(Path.Combine(dir.Path, "data"));
        var target = Path.Combine(data, name);
        var before = File.ReadAllBytes(target);
        string[] outputs = option == "--out"
            ? ["--out", target]
            : ["--out", dir.File("m.json"), "--plot", target];

        var line = Cli.Run(
                ["train", "--data", data, "--epochs", "1", "--hidden", "4", .. outputs])
            .AssertOneErrorLine(2);

        Assert.Equal(
            $"error: {option} names a data file of --data, '{target}'; writing there would "
            + "replace it",
            line);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_model_or_plot_over_a_checkpoint_is_refused_but_resuming_from_the_kept_one_works()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(Path.Combine(dir.Path, "data"));
        var checkpoints = Path.Combine(dir.Path, "ck");
        var checkpoint = Path.Combine(checkpoints, "checkpoint.json");
        string[] run = ["train", "--data", data, "--hidden", "4"];
        Cli.Run([.. run, "--epochs", "1", "--out", dir.File("m.json"), "--checkpoint", checkpoints])
            .AssertSucceeded();
        var saved = File.ReadAllBytes(checkpoint);

        var overResume = Cli.Run(
                [.. run, "--epochs", "2", "--resume", checkpoint, "--out", checkpoint])
            .AssertOneErrorLine(2);
        var overKept = Cli.Run(
                [.. run, "--epochs", "2", "--checkpoint", checkpoints, "--plot", checkpoint])
            .AssertOneErrorLine(2);

        Assert.Contains($"--out names --resume, '{checkpoint}'", overResume);
        Assert.Contains($"--plot names the checkpoint of --checkpoint, '{checkpoint}'", overKept);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        Cli.Run([.. run, "--epochs", "2", "--resume", checkpoint, "--checkpoint", checkpoints,
                "--out", dir.File("m.json")])
            .AssertSucceeded();
    }

    [Fact]
    public void A_checkpoint_that_could_not_be_written_is_refused_before_training()
    {
        // checkpoint.json inside the directory is itself a directory: found before the first
        // epoch, not after it.
        using var dir = new TempDirectory();
        var checkpoints = Path.Combine(dir.Path, "ck");
        Directory.CreateDirectory(Path.Combine(checkpoints, "checkpoint.json"));

        var line = Cli.Run(
                "train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
                "--checkpoint", checkpoints)
            .AssertOneErrorLine(2);

        Assert.Equal(
            $"error: --checkpoint: cannot write {Path.Combine(checkpoints, "checkpoint.json")}: "
            + "it is a directory",
            line);
        Assert.Empty(dir.Files);
    }

    [Fact]
    public void WriteAll_puts_back_a_replaced_file_when_a_later_rename_fails()
    {
        // The second target is a directory: its temporary file is written, but the rename over
        // it fails after the model has already been renamed into place.
        using var dir = new TempDirectory();
        var model = dir.File("model.json");
        File.WriteAllBytes(model, [1, 2, 3]);
        var plot = Path.Combine(dir.Path, "plot.png");
        Directory.CreateDirectory(plot);

        var result = AtomicFile.WriteAll((model, new byte[] { 9, 9 }), (plot, new byte[] { 7 }));

        var error = result.Match(Succ: _ => "no error", Fail: e => e.Message);
        Assert.StartsWith($"cannot write {plot}: ", error);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(model));
        Assert.Equal(new[] { "model.json" }, dir.Files);
        Assert.Equal(new[] { plot }, Directory.GetDirectories(dir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(plot));
    }

    [Fact]
    public void A_network_too_large_for_memory_is_refused_naming_hidden_and_the_size()
    {
        using var dir = new TempDirectory();

        var line = Cli.Run(
                "train", "--epochs", "1", "--hidden", "100000,100000", "--out", dir.File("m.json"))
            .AssertOneErrorLine(2);

        // 784·100000 + 100000 + 100000·100000 + 100000 + 100000·10 + 10 parameters.
        Assert.Contains("--hidden 100000,100000 gives 10,079,600,010 parameters", line);
        Assert.Empty(dir.Files);
    }

    [Fact]
    public void WriteAll_replaces_no_file_when_a_later_one_cannot_be_written()
    {
        using var dir = new TempDirectory();
        var model = dir.File("model.json");
        File.WriteAllBytes(model, [1, 2, 3]);

        var result = AtomicFile.WriteAll(
            (model, new byte[] { 9, 9 }),
            (Path.Combine(dir.Path, "missing", "plot.png"), new byte[] { 7 }));

        Assert.True(result.IsFail);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(model));
        Assert.Equal(new[] { "model.json" }, dir.Files);
    }

    [Fact]
    public void WriteAll_replaces_every_file_when_all_can_be_written()
    {
        using var dir = new TempDirectory();
        var (a, b) = (dir.File("a"), dir.File("b"));
        File.WriteAllBytes(a, [1]);

        var result = AtomicFile.WriteAll((a, new byte[] { 2 }), (b, new byte[] { 3 }));

        Assert.True(result.IsSucc);
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(a));
        Assert.Equal(new byte[] { 3 }, File.ReadAllBytes(b));
        Assert.Equal(new[] { "a", "b" }, dir.Files.ToArray());
    }
}
