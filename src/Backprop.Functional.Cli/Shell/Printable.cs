using System.Globalization;
using System.Text;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Text made fit for one line of a terminal: an <c>error:</c> line echoes paths and values as
/// given, and a line break, carriage return, tab or escape in one would split the line, hide
/// part of it or pass for a space; a bidirectional control (U+202E, say) would show the rest of
/// the line reversed; and a character that shows as nothing or as a blank (a zero width space,
/// a no-break space, a Hangul filler, a variation selector) would make one path look like
/// another. Each is shown as an escape instead.
/// </summary>
internal static class Printable
{
    private const char ZeroWidthNonJoiner = '\u200c';

    private const char ZeroWidthJoiner = '\u200d';

    // Unicode's default ignorable code points that are not format characters or unassigned
    // (those are escaped by their category), and the two fillers that show as a blank but
    // are not ignorable (the braille blank U+2800 and the Khitan filler U+16FE4).
    private static readonly (int First, int Last)[] Blank =
    [
        (0x034F, 0x034F), // combining grapheme joiner
        (0x115F, 0x1160), // Hangul choseong and jungseong fillers
        (0x17B4, 0x17B5), // Khmer inherent vowels
        (0x180B, 0x180F), // Mongolian free variation selectors (U+180E is Cf)
        (0x2800, 0x2800), // braille pattern blank
        (0x3164, 0x3164), // Hangul filler
        (0xFE00, 0xFE0F), // variation selectors 1 to 16
        (0xFFA0, 0xFFA0), // halfwidth Hangul filler
        (0x16FE4, 0x16FE4), // Khitan small script filler
        (0xE0100, 0xE01EF), // variation selectors 17 to 256
    ];

    /// <summary>
    /// <paramref name="text"/> with every character that a terminal would not show as itself
    /// written as an escape: a control character as a C escape (\n, \r, \t, \0, \a, \b, \v, \f
    /// and \e, \xHH for the others: U+0001 to U+001F, U+007F to U+009F); and as \uHHHH, or
    /// \UHHHHHHHH above U+FFFF, every character that shows as nothing or as a blank but the
    /// plain space U+0020: the line and paragraph separators (U+2028, U+2029), every other
    /// space (category Zs: the no-break space U+00A0, U+2000 to U+200A, U+3000, …), every
    /// format character (Cf: the bidirectional controls, the zero width space U+200B, the soft
    /// hyphen U+00AD, the byte order mark U+FEFF, the tag characters, …), every code point
    /// unassigned in the runtime's Unicode (Cn), Unicode's other default ignorable code points
    /// (the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the variation selectors U+FE00 to
    /// U+FE0F and U+E0100 to U+E01EF, …), the braille blank U+2800, and a combining mark with
    /// no base to sit on (at the start, or after a character that is not a letter, digit or
    /// symbol, or after one shown as an escape, whose last hex digit it would mark). The zero
    /// width non-joiner and joiner (U+200C, U+200D) are kept: they belong to names in Persian
    /// and Indic scripts and to emoji sequences. Other text, a backslash included, is kept as
    /// it is, so that the escaping can be applied twice.
    /// </summary>
    /// <remarks>
    /// An emoji's presentation selector is a variation selector too, so ❤️ (U+2764 U+FE0F) is
    /// shown as <c>❤\ufe0f</c>: the selector is invisible after most other characters.
    /// </remarks>
    public static string Line(string text)
    {
        StringBuilder? line = null;
        var based = false;
        for (var i = 0; i < text.Length; i++)
        {
            // A character above U+FFFF is two chars, a surrogate pair: judged and kept whole.
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            var code = width == 2 ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
            var escape = Escape(code, based);
            if (escape is not null && line is null)
            {
                line = new StringBuilder(text.Length + 8).Append(text, 0, i);
            }

            line?.Append(escape ?? text.Substring(i, width));
            based = escape is null && Carries(code, based);
            i += width - 1;
        }

        return line?.ToString() ?? text;
    }

    // The escape for the code point, or null when it is shown as it is; a combining mark is
    // escaped unless based, when what comes before it can carry it.
    private static string? Escape(int code, bool based) => code switch
    {
        '\n' => @"\n",
        '\r' => @"\r",
        '\t' => @"\t",
        '\0' => @"\0",
        '\a' => @"\a",
        '\b' => @"\b",
        '\v' => @"\v",
        '\f' => @"\f",
        '\u001b' => @"\e",
        ' ' or ZeroWidthNonJoiner or ZeroWidthJoiner => null,
        < 0x10000 when char.IsControl((char)code) => $@"\x{code:x2}",
        _ when Hidden(code) || (IsMark(code) && !based) => code <= 0xFFFF
            ? $@"\u{code:x4}"
            : $@"\U{code:x8}",
        _ => null,
    };

    // Whether the code point, shown as it is, carries a combining mark that follows it: a
    // letter, digit or symbol does, a mark or a joiner passes on what the one before did.
    private static bool Carries(int code, bool based) =>
        CharUnicodeInfo.GetUnicodeCategory(code) switch
        {
            >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.OtherLetter => true,
            >= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber => true,
            >= UnicodeCategory.MathSymbol and <= UnicodeCategory.OtherSymbol => true,
            _ => (IsMark(code) || code is ZeroWidthNonJoiner or ZeroWidthJoiner) && based,
        };

    private static bool IsMark(int code) =>
        CharUnicodeInfo.GetUnicodeCategory(code) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    // Shown as nothing or as a blank wherever it stands: a separator or space, a format
    // character, an unassigned code point, or one of the blanks above. A lone surrogate is
    // none of these (its category is Cs): it is kept as it is.
    private static bool Hidden(int code) =>
        CharUnicodeInfo.GetUnicodeCategory(code) is UnicodeCategory.Format
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned
        || System.Array.Exists(Blank, range => code >= range.First && code <= range.Last);
}
