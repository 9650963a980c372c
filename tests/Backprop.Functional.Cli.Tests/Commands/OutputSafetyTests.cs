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
