using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An option joined to nothing, <c>--out=</c> or <c>--out:</c>, is given the empty value, as
/// <c>--out ''</c> is, for every option: the parser alone dropped the empty value, so that
/// <c>--out=</c> was "required argument missing", <c>--out= m.json</c> wrote m.json and
/// <c>--hidden= 4</c> trained a hidden layer of 4 where <c>--hidden ''</c> means none. The
/// next word is never taken as the value of such a word.
/// </summary>
public sealed class EmptyJoinedValueTests
{
    // "DIR/" stands for the test's directory; the line is the one `--option ''` gives.
    [Theory]
    [InlineData("train|--out=", "error: --out must name a file, got ''")]
    [InlineData("train|--out:", "error: --out must name a file, got ''")]
    [InlineData("train|--out=|DIR/m.json", "error: --out must name a file, got ''")]
    [InlineData("train|--out|DIR/m.json|--plot=", "error: --plot must name a file, got ''")]
    [InlineData(
        "train|--out|DIR/m.json|--checkpoint=|DIR/run",
        "error: --checkpoint must name a directory, got ''")]
    [InlineData("train|--out|DIR/m.json|--resume:", "error: --resume must name a file, got ''")]
    [InlineData("train|--data=|DIR/d", "error: --data must name a directory, got ''")]
    [InlineData("train|--epochs=|3", "error: --epochs must be a positive whole number, got ''")]
    [InlineData(
        "train|--learning-rate:", "error: --learning-rate must be a finite number > 0, got ''")]
    [InlineData(
        "train|--optimizer|momentum|--momentum=",
        "error: --momentum must be a number in [0, 1), got ''")]
    [InlineData("train|--backend=", "error: --backend must be openblas or managed, got ''")]
    [InlineData("train|--hidden=|4", "error: unrecognized command or argument '4'")]
    [InlineData("evaluate|--model=", "error: --model must name a file, got ''")]
    [InlineData("predict|--model=|--index|0", "error: --model must name a file, got ''")]
    [InlineData(
        "predict|--model|DIR/m.json|--index=|0",
        "error: --index must be a whole number ≥ 0, got ''")]
    [InlineData("gradcheck|--samples:", "error: --samples must be a positive whole number, got ''")]
    [InlineData("make-sample|--data|DIR/d|--out=", "error: --out must name a directory, got ''")]
    [InlineData("--backend=|train", "error: --backend must be openblas or managed, got ''")]
    public void An_option_joined_to_nothing_has_the_empty_value(string arguments, string expected)
    {
        using var dir = new TempDirectory();
        var joined = arguments.Replace("DIR/", dir.Path + "/").Split('|');
        var spaced = Spaced(joined);

        var result = Cli.Run(joined);
        var asSpaced = Cli.Run(spaced);

        Assert.Equal(expected, result.AssertOneErrorLine(2));
        Assert.Equal(expected, asSpaced.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Hidden_joined_to_nothing_trains_without_a_hidden_layer()
    {
        using var dir = new TempDirectory();
        string[] run = ["train", "--epochs", "1", "--out", dir.File("m.json"), "--json"];

        var joined = Cli.Run([.. run, "--hidden="]);
        var spaced = Cli.Run([.. run, "--hidden", string.Empty]);

        joined.AssertSucceeded();
        spaced.AssertSucceeded();
        Assert.Equal([784, 10], joined.Json().Integers("settings.sizes"));
        Assert.Equal([784, 10], spaced.Json().Integers("settings.sizes"));
    }

    [Fact]
    public void A_value_that_ends_in_the_separator_is_kept_whole()
    {
        // `--out==` is the file "=", and `--out=m.json:` the file "m.json:", as before
        using var dir = new TempDirectory();
        var model = dir.File("m.json:");

        var result = Cli.Run("train", "--epochs", "1", "--hidden", "2", $"--out={model}");

        result.AssertSucceeded();
        Assert.True(File.Exists(model));
    }

    // The same words with each `--option=` or `--option:` as `--option` and an empty word.
    private static string[] Spaced(string[] words) => words
        .SelectMany(w => w.EndsWith('=') || w.EndsWith(':')
            ? new[] { w[..^1], string.Empty }
            : [w])
        .ToArray();
}
