using System.IO;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>
/// classes.txt is UTF-8 (a byte order mark skipped), and a label beyond its names says the
/// count of classes comes from it.
/// </summary>
public sealed class ClassListTests
{
    [Fact]
    public void A_class_list_of_one_name_is_refused_before_training()
    {
        // (Too few names for the labels: DataSetsTests, with three labels.)
        using var dir = new TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        var listing = Path.Combine(data, ClassNames.FileName);
        File.WriteAllText(listing, "dark\n");

        var result = Train(dir, data);

        Assert.Equal(
            $"error: {listing}: names only one class; expected at least two",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_UTF16_byte_order_mark_is_not_UTF8_and_is_refused()
    {
        using var dir = new TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        var listing = Path.Combine(data, ClassNames.FileName);
        File.WriteAllBytes(listing, [0xFF, 0xFE, (byte)'a', 0, (byte)'\n', 0]);

        var result = Train(dir, data);

        Assert.Equal(
            $"error: {listing}: invalid UTF-8 at line 1, column 1 (byte 0xFF); "
            + "expected UTF-8 text",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_UTF8_byte_order_mark_is_skipped()
    {
        using var dir = new TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        File.WriteAllBytes(
            Path.Combine(data, ClassNames.FileName),
            [0xEF, 0xBB, 0xBF, .. "dunkel\nhéll\n"u8]);

        var names = FinAssert.Succeeds(ClassNames.ForDirectory(data));

        Assert.Equal(["dunkel", "héll"], names);
    }

    private static Commands.CliResult Train(TempDirectory dir, string data) =>
        Commands.Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "1",
            "--out", dir.File("m.json"));
}
