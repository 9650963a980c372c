using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
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
    [InlineData("ㅤ.json", @"\u3164.json")]
    [InlineData("\u2800.json", @"\u2800.json")]
    [InlineData("\u115f\u1160.json", @"\u115f\u1160.json")]
    [InlineData("\uffa0.json", @"\uffa0.json")]
    [InlineData("m\ufe00.json", @"m\ufe00.json")]
    [InlineData("m\ufe0f.json", @"m\ufe0f.json")]
    [InlineData("m\U000E0100.json", @"m\U000e0100.json")]
    [InlineData("m\U000E01EF.json", @"m\U000e01ef.json")]
    [InlineData("m\u00a0.json", @"m\u00a0.json")]
    [InlineData("m\u3000.json", @"m\u3000.json")]
    [InlineData("m\u034f.json", @"m\u034f.json")]
    [InlineData("\u0301m.json", @"\u0301m.json")]
    public void An_invisible_or_blank_character_in_a_model_path_is_shown_escaped(
        string name, string shown)
    {
        // Zero width space, soft hyphen, byte order mark, word joiner, the tag character for
        // "A" (above U+FFFF); Hangul filler, braille blank, Hangul choseong and jungseong
        // fillers, halfwidth Hangul filler, variation selectors 1, 16, 17 and 256, no-break and
        // ideographic spaces, the combining grapheme joiner, and an acute accent with no letter
        // to sit on (after '/'): each would make the path print as another.
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
            + "\u200ck\u200dl\U0001F469\u200d\U0001F4BB m\ud800o";

        var line = Printable.Line(text);

        // The lone surrogate U+D800 (Cs) is kept.
        Assert.Equal(
            @"a\u200bb\u00adc\ufeffd\u2060e\u2064f\u0600g\u202eh\U000e0041i\U0001d173j"
            + "\u200ck\u200dl\U0001F469\u200d\U0001F4BB m\ud800o",
            line);
        Assert.Equal(line, Printable.Line(line));
    }

    [Fact]
    public void Printable_escapes_every_character_shown_as_nothing_or_blank_and_nothing_else()
    {
        // Every code point but the surrogates, alone: a separator or space but U+0020 (Zl, Zp,
        // Zs), a format character (Cf), an unassigned code point (Cn), a default ignorable code
        // point, a blank filler or a combining mark (M, here with no base) is one escape,
        // \uHHHH or \UHHHHHHHH; the joiners and every other character that is not a control
        // character come back as they are.
        var wrong = new List<string>();
        for (var code = 0; code <= 0x10FFFF; code++)
        {
            if (code is >= 0xD800 and <= 0xDFFF || (code <= 0xFFFF && char.IsControl((char)code)))
            {
                continue;
            }

            var text = char.ConvertFromUtf32(code);
            var category = CharUnicodeInfo.GetUnicodeCategory(code);
            var hidden = code is not (0x20 or 0x200C or 0x200D)
                && (category is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                        or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.NonSpacingMark
                        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                    || DefaultIgnorable.Any(r => code >= r.First && code <= r.Last)
                    || code is 0x2800 or 0x16FE4);
            var expected = !hidden ? text : code <= 0xFFFF ? $@"\u{code:x4}" : $@"\U{code:x8}";
            if (Printable.Line(text) != expected)
            {
                wrong.Add($"U+{code:X4}");
            }
        }

        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("--activation", "relu\u3164", @"relu\u3164")]
    [InlineData("--loss", "\u2800mse", @"\u2800mse")]
    [InlineData("--optimizer", "sgd\ufe0f", @"sgd\ufe0f")]
    [InlineData("--precision", "\u0301float32", @"\u0301float32")]
    public void A_blank_or_invisible_character_in_an_option_value_is_shown_escaped(
        string option, string value, string shown)
    {
        var result = Cli.Run("train", option, value);

        Assert.Contains($"'{shown}'", result.AssertOneErrorLine(2));
        Assert.DoesNotContain(value, result.Error);
    }

    [Theory]
    [InlineData("e\u0301t\u00e9", "e\u0301t\u00e9")]
    [InlineData("e\u0301\u0302", "e\u0301\u0302")]
    [InlineData("\u0915\u093f", "\u0915\u093f")]
    [InlineData("\u304b\u3099", "\u304b\u3099")]
    [InlineData("1\u20e3", "1\u20e3")]
    [InlineData("\u0301e", @"\u0301e")]
    [InlineData("'\u0301'", @"'\u0301'")]
    [InlineData(" \u0301", @" \u0301")]
    [InlineData("\u200b\u0301\u0302", @"\u200b\u0301\u0302")]
    [InlineData("\u2800\u0301", @"\u2800\u0301")]
    [InlineData("1\ufe0f\u20e3", @"1\ufe0f\u20e3")]
    public void Printable_keeps_a_combining_mark_on_a_base_and_escapes_one_without(
        string text, string shown)
    {
        // A mark sits on a letter, digit or symbol, and on the marks that sit on one: e with an
        // acute, e with two marks, Devanagari ki, Japanese ga, the keycap 1. With nothing before
        // it, after a quote or a space, or after an escape (whose last hex digit it would mark),
        // it is escaped, and so are the marks after it.
        var line = Printable.Line(text);

        Assert.Equal(shown, line);
        Assert.Equal(line, Printable.Line(line));
    }

    [Fact]
    public void A_blank_class_name_is_shown_escaped_in_evaluate()
    {
        // Given class names that print as blanks: a Hangul filler and a braille blank
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        File.WriteAllLines(Path.Combine(data, ClassNames.FileName), ["\u3164", "\u2800"]);
        var model = dir.File("m.json");
        Cli.Run("train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", model)
            .AssertSucceeded();

        // When
        var result = Cli.Run("evaluate", "--model", model, "--data", data);

        // Then each is shown as its escape
        result.AssertSucceeded();
        var rows = result.Out.Split('\n');
        Assert.Contains(rows, r => r.StartsWith(@"    0 \u3164 ", System.StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith(@"    1 \u2800 ", System.StringComparison.Ordinal));
        Assert.DoesNotContain('\u3164', result.Out);
        Assert.DoesNotContain('\u2800', result.Out);
    }

    // Unicode's Default_Ignorable_Code_Point, as DerivedCoreProperties.txt of Unicode 14
    // lists it.
    private static readonly (int First, int Last)[] DefaultIgnorable =
    [
        (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
        (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
        (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF),
    ];
}
