using System;
using System.IO;
using System.Text;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A \u escape that is half of a UTF-16 surrogate pair, alone, in any string or key of a model
/// file is refused with the file, the line and the column of the escape, not .NET's message
/// about incomplete UTF-16 text; a whole pair reads as the character it stands for.
/// </summary>
public sealed class LoneSurrogateModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Path => _temp.File("model.json");

    public void Dispose() => _temp.Dispose();

    // What is replaced in the saved file, what replaces it (the escape under test marked by
    // ^), and what the message says of the escape.
    [Theory]
    [InlineData("\"yes\"", "\"y^\\ud800es\"", "\\ud800 in a string, a high surrogate with no "
        + "low surrogate after it")]
    [InlineData("\"crafted\"", "\"^\\udfffcrafted\"", "\\udfff in a string, a low surrogate "
        + "with no high surrogate before it")]
    [InlineData("\"seed\"", "\"^\\ud800x\": 1, \"seed\"", "\\ud800 in a key, a high surrogate "
        + "with no low surrogate after it")]
    [InlineData("\"no\"", "\"^\\uD83D\\u0041\"", "\\uD83D in a string, a high surrogate with no "
        + "low surrogate after it")]
    [InlineData("\"no\"", "\"\\uD83D\\uDE00^\\uDE00\"", "\\uDE00 in a string, a low surrogate "
        + "with no high surrogate before it")]
    [InlineData("\"relu\"", "\"relu^\\udbff\"", "\\udbff in a string, a high surrogate with no "
        + "low surrogate after it")]
    public void An_unpaired_surrogate_escape_is_named_with_its_line_and_column(
        string find, string replace, string escape)
    {
        var (line, column) = Damaged(find, replace);

        Assert.Equal(
            $"{Path}: unpaired surrogate at line {line}, column {column} ({escape}); expected a "
            + "whole character",
            FinAssert.Fails(ModelFile.Load(Path)));
    }

    [Fact]
    public void The_commands_fail_with_code_1_and_one_line()
    {
        var (line, column) = Damaged("\"yes\"", "\"Tr^\\ud800user\"");

        var result = Commands.Cli.Run("evaluate", "--model", Path);

        Assert.Equal(
            $"error: {Path}: unpaired surrogate at line {line}, column {column} (\\ud800 in a "
            + "string, a high surrogate with no low surrogate after it); expected a whole "
            + "character",
            result.AssertOneErrorLine(1));
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public void A_whole_surrogate_pair_and_other_escapes_read_as_their_characters()
    {
        Damaged("\"yes\"", "\"^\\uD83D\\uDE00 \\\\ud800 \\n\\u00e9\"");

        var loaded = FinAssert.Succeeds(ModelFile.LoadDouble(Path));

        Assert.Equal(["no", "\U0001F600 \\ud800 \né"], loaded.Info.ClassNames);
    }

    // A saved model with the last `find` replaced by `replace` less its ^, and the 1-based
    // line and column (in bytes) of where the ^ stood.
    private (int Line, int Column) Damaged(string find, string replace)
    {
        FinAssert.Succeeds(
            ModelFile.Save(Path, TestModels.Small<double>(), TestModels.Info<double>()));
        var text = File.ReadAllText(Path);
        var at = text.LastIndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{find} is not in the saved model");
        text = text[..at] + replace.Replace("^", string.Empty, StringComparison.Ordinal)
            + text[(at + find.Length)..];
        File.WriteAllText(Path, text);
        var mark = Encoding.UTF8.GetByteCount(text[..at]) + replace.IndexOf('^');
        var bytes = File.ReadAllBytes(Path).AsSpan(0, mark);
        var start = bytes.LastIndexOf((byte)'\n') + 1;
        return (bytes.Count((byte)'\n') + 1, mark - start + 1);
    }
}
