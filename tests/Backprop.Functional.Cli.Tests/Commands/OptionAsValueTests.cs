using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An option whose value is left out takes the next argument as its value; when that is the
/// name of an option of the command (its own, or --debug or --backend, which every command
/// has), the value was forgotten, so it is refused with exit code 2 and nothing is written,
/// rather than `train --out --json` writing a model file named "--json"; a help option there
/// shows the help (see <see cref="HelpAnywhereTests"/>). A value
/// joined to its option in one word (`--out=--json`, `--out:--json`) is meant as it is given,
/// and is taken as the option takes any other value.
/// </summary>
public sealed class OptionAsValueTests
{
    // "DIR/" stands for the test's directory; the line names the option and the name it got.
    [Theory]
    [InlineData("train|--out|--json", "--out", "--json")]
    [InlineData("train|--out|--debug", "--out", "--debug")]
    [InlineData("train|--out|DIR/m.json|--plot|--json", "--plot", "--json")]
    [InlineData("train|--out|DIR/m.json|--checkpoint|--debug", "--checkpoint", "--debug")]
    [InlineData("train|--out|DIR/m.json|--resume|--backend|managed", "--resume", "--backend")]
    [InlineData("train|--out|DIR/m.json|--data|--epochs|1", "--data", "--epochs")]
    [InlineData("train|--out|DIR/m.json|--epochs|--seed|5", "--epochs", "--seed")]
    [InlineData("train|--out|DIR/m.json|--learning-rate|--l2", "--learning-rate", "--l2")]
    [InlineData("train|--out|DIR/m.json|--activation|--output|relu", "--activation", "--output")]
    [InlineData("train|--out|DIR/m.json|--backend|--json", "--backend", "--json")]
    [InlineData("evaluate|--model|--json", "--model", "--json")]
    [InlineData("evaluate|--model|DIR/m.json|--data|--json", "--data", "--json")]
    [InlineData("predict|--model|--index|0", "--model", "--index")]
    [InlineData("predict|--model|DIR/m.json|--index|--top|3", "--index", "--top")]
    [InlineData("predict|--model|DIR/m.json|--index|0|--index|--json", "--index", "--json")]
    [InlineData("gradcheck|--model|--json", "--model", "--json")]
    [InlineData("gradcheck|--samples|--tolerance|1e-3", "--samples", "--tolerance")]
    [InlineData("make-sample|--out|--data|DIR/d", "--out", "--data")]
    [InlineData("make-sample|--data|--out|DIR/s", "--data", "--out")]
    [InlineData("make-sample|--out|--data", "--out", "--data")]
    public void An_option_name_given_as_a_value_is_refused_as_a_missing_value(
        string arguments, string option, string name)
    {
        using var dir = new TempDirectory();
        var args = arguments.Replace("DIR/", dir.Path + "/").Split('|');

        var result = Cli.Run(args);

        Assert.Equal(
            $"error: {option} needs a value, got the option '{name}'",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        Assert.False(File.Exists(name));
    }

    // The same names joined to their options reach each option's own check: a file or a
    // directory that is not there (code 1), a number that does not parse (code 2).
    [Theory]
    [InlineData("evaluate|--model=--json", 1, "error: --json: no such model file")]
    [InlineData("evaluate|--model:--json", 1, "error: --json: no such model file")]
    [InlineData("gradcheck|--data=--debug", 1, "error: data directory --debug does not exist")]
    [InlineData(
        "train|--out|DIR/m.json|--resume=--json", 1, "error: --json: no such checkpoint file")]
    [InlineData(
        "train|--out|DIR/m.json|--epochs=--seed",
        2,
        "error: --epochs must be a positive whole number, got '--seed'")]
    [InlineData(
        "predict|--model|DIR/m.json|--index=--json",
        2,
        "error: --index must be a whole number ≥ 0, got '--json'")]
    public void An_option_name_joined_to_its_option_is_taken_as_the_value(
        string arguments, int exitCode, string expected)
    {
        using var dir = new TempDirectory();
        var args = arguments.Replace("DIR/", dir.Path + "/").Split('|');

        var result = Cli.Run(args);

        Assert.Equal(expected, result.AssertOneErrorLine(exitCode));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Data.UnixFact]
    public void Outputs_named_like_options_are_written_when_joined_to_their_options()
    {
        // Given a data directory, and a current directory of the command's own: the names
        // are relative, so the files go there
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var work = Directory.CreateDirectory(dir.File("work")).FullName;

        // When
        var result = BuiltCommand.Run(
            "exec \"$@\"",
            work,
            "train", "--data", data, "--hidden", "2", "--epochs", "1",
            "--out=--json", "--plot:--help", "--checkpoint=--debug");

        // Then
        result.AssertSucceeded();
        Assert.Contains("model written to --json", result.OutLines);
        Assert.Contains("plot written to --help", result.OutLines);
        Assert.True(File.Exists(Path.Combine(work, "--json")));
        Assert.True(File.Exists(Path.Combine(work, "--help")));
        Assert.True(File.Exists(Path.Combine(work, "--debug", "checkpoint.json")));
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void A_file_whose_name_looks_like_an_option_can_still_be_named_by_a_path()
    {
        // Given a data directory and an output path whose file name is "--json"
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("--json");

        // When
        var result = Cli.Run(
            "train", "--data", data, "--hidden", "2", "--epochs", "1", "--out", model);

        // Then
        result.AssertSucceeded();
        Assert.True(File.Exists(model));
    }
}
