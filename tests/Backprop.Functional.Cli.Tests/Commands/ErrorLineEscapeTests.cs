using System.IO;
using Backprop.Functional.Cli.Shell;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An error line echoes paths and values as given; a line break, carriage return, tab or
/// escape character in one is shown as an escape (\n, \r, \t, \e), so that the line stays one
/// line and shows what the path really holds, instead of passing for a space.
/// </summary>
public sealed class ErrorLineEscapeTests
{
    [Theory]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("a\rb", @"a\rb")]
    [InlineData("a\r\nb", @"a\r\nb")]
    [InlineData("tab\there", @"tab\there")]
    [InlineData("end\n", @"end\n")]
    [InlineData("\u001b[31mred", @"\e[31mred")]
    public void A_control_character_in_a_model_path_is_shown_escaped(string name, string shown)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("evaluate", "--model", dir.File(name));

        Assert.Equal(
            $"error: {dir.Path}/{shown}: no such model file", result.AssertOneErrorLine(1));
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain('\r', result.Error);
        Assert.DoesNotContain('\u001b', result.Error);
    }

    [Fact]
    public void A_line_break_in_an_output_path_is_shown_escaped_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "new\nline", "m.json");

        var result = Cli.Run("train", "--out", path);

        Assert.Equal(
            "error: --out names a file in a directory that does not exist, got "
            + $"'{dir.Path}/new\\nline/m.json'",
            result.AssertOneErrorLine(2));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_line_break_in_a_data_directory_is_shown_escaped()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data\r\nset");

        var result = Cli.Run("gradcheck", "--data", path);

        Assert.Equal(
            $"error: data directory {dir.Path}/data\\r\\nset does not exist",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_control_character_in_an_unknown_argument_is_shown_escaped()
    {
        var result = Cli.Run("train", "stray\nword");

        Assert.Equal(
            @"error: unrecognized command or argument 'stray\nword'",
            result.AssertOneErrorLine(2));
    }

    [Fact]
    public void Printable_escapes_every_control_character_and_keeps_everything_else()
    {
        var text = "a\nb\rc\td\0e\u001bf\u0007g\u0085h\u2028i\\n j\u007fk\u0001l é → ✓";

        var line = Printable.Line(text);

        Assert.Equal(@"a\nb\rc\td\0e\ef\ag\x85h\u2028i\n j\x7fk\x01l é → ✓", line);
        Assert.Equal(line, Printable.Line(line));
    }
}
