using System.Globalization;
using System.IO;
using Backprop.Functional.Cli.Shell;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An error line echoes paths and values as given; a line break, carriage return, tab or
/// escape character in one is shown as an escape (\n, \r, \t, \e), so that the line stays one
/// line and shows what the path really holds, instead of passing for a space. An invisible
/// format character (a zero width space, say) is shown as \uHHHH or \UHHHHHHHH, so that the
/// path cannot pass for another, but for the two zero width joiners that names are made of.
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

    [Theory]
    [InlineData("m\u200b.json", @"m\u200b.json")]
    [InlineData("\u00adm.json", @"\u00adm.json")]
    [InlineData("\ufeffm.json", @"\ufeffm.json")]
    [InlineData("m\u2060.json", @"m\u2060.json")]
    [InlineData("m.json\U000E0041", @"m.json\U000e0041")]
    public void An_invisible_format_character_in_a_model_path_is_shown_escaped(
        string name, string shown)
    {
        // Zero width space, soft hyphen, byte order mark, word joiner, and the tag character
        // for "A" (above U+FFFF): each would make the path print as m.json.
        using var dir = new TempDirectory();

        var result = Cli.Run("evaluate", "--model", dir.File(name));

        Assert.Equal(
            $"error: {dir.Path}/{shown}: no such model file", result.AssertOneErrorLine(1));
        Assert.DoesNotContain(name, result.Error);
    }

    [Theory]
    [InlineData("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.json")]
    [InlineData("\U0001F469\u200d\U0001F4BB.json")]
    [InlineData("\u0915\u094d\u200d\u0937.json")]
    public void The_zero_width_joiners_in_a_model_path_are_kept(string name)
    {
        // A Persian word with a zero width non-joiner, the emoji "woman technologist" (woman,
        // zero width joiner, laptop), and a Devanagari half form made with a zero width joiner.
        using var dir = new TempDirectory();

        var result = Cli.Run("evaluate", "--model", dir.File(name));

        Assert.Equal(
            $"error: {dir.Path}/{name}: no such model file", result.AssertOneErrorLine(1));
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

    [Fact]
    public void Printable_escapes_format_characters_but_the_joiners_and_keeps_other_text()
    {
        var text = "a\u200bb\u00adc\ufeffd\u2060e\u2064f\u0600g\u202eh\U000E0041i\U0001D173j"
            + "\u200ck\u200dl\U0001F469\u200d\U0001F4BB m\u00a0n\ud800o";

        var line = Printable.Line(text);

        // The no-break space U+00A0 (a space, Zs) and the lone surrogate U+D800 (Cs) are kept.
        Assert.Equal(
            @"a\u200bb\u00adc\ufeffd\u2060e\u2064f\u0600g\u202eh\U000e0041i\U0001d173j"
            + "\u200ck\u200dl\U0001F469\u200d\U0001F4BB m\u00a0n\ud800o",
            line);
        Assert.Equal(line, Printable.Line(line));
    }

    [Fact]
    public void Printable_escapes_every_format_character_but_the_joiners_and_nothing_else()
    {
        // Every code point but the surrogates, alone: a format character (Cf) or separator
        // (Zl, Zp) is one escape, \uHHHH or \UHHHHHHHH, the joiners and every other character
        // that is not a control character come back as they are.
        var wrong = new System.Collections.Generic.List<string>();
        for (var code = 0; code <= 0x10FFFF; code++)
        {
            if (code is >= 0xD800 and <= 0xDFFF || (code <= 0xFFFF && char.IsControl((char)code)))
            {
                continue;
            }

            var text = char.ConvertFromUtf32(code);
            var category = CharUnicodeInfo.GetUnicodeCategory(code);
            var hidden = code is not (0x200C or 0x200D)
                && category is UnicodeCategory.Format
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            var expected = !hidden ? text : code <= 0xFFFF ? $@"\u{code:x4}" : $@"\U{code:x8}";
            if (Printable.Line(text) != expected)
            {
                wrong.Add($"U+{code:X4}");
            }
        }

        Assert.Empty(wrong);
    }
}
