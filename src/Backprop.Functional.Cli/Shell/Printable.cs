using System.Globalization;
using System.Text;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Text made fit for one line of a terminal: an <c>error:</c> line echoes paths and values as
/// given, and a line break, carriage return, tab or escape in one would split the line, hide
/// part of it or pass for a space; a bidirectional control (U+202E, say) would show the rest of
/// the line reversed; and an invisible format character (a zero width space, a soft hyphen, a
/// byte order mark) would make one path look like another. Each is shown as an escape instead.
/// </summary>
internal static class Printable
{
    private const char ZeroWidthNonJoiner = '\u200c';

    private const char ZeroWidthJoiner = '\u200d';

    /// <summary>
    /// <paramref name="text"/> with every control character written as a C escape: \n, \r, \t,
    /// \0, \a, \b, \v, \f and \e, \xHH for the others (U+0001 to U+001F, U+007F to U+009F), and
    /// \uHHHH for the line and paragraph separators (U+2028, U+2029) and for every format
    /// character (Unicode category Cf: the bidirectional controls U+061C, U+200E, U+200F,
    /// U+202A to U+202E and U+2066 to U+2069, the zero width space U+200B, the soft hyphen
    /// U+00AD, the word joiner U+2060, the byte order mark U+FEFF, …), or \UHHHHHHHH for one
    /// above U+FFFF (the tag characters U+E0001 and U+E0020 to U+E007F, …). The zero width
    /// non-joiner and joiner (U+200C, U+200D) are kept: they belong to names in Persian and
    /// Indic scripts and to emoji sequences. Other text, a backslash included, is kept as it
    /// is, so that the escaping can be applied twice.
    /// </summary>
    public static string Line(string text)
    {
        if (!NeedsEscape(text))
        {
            return text;
        }

        var line = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            // A character above U+FFFF is two chars, a surrogate pair: judged and kept whole.
            if (char.IsSurrogatePair(text, i))
            {
                var code = char.ConvertToUtf32(text[i], text[i + 1]);
                if (Hidden(code))
                {
                    line.Append($@"\U{code:x8}");
                }
                else
                {
                    line.Append(text, i, 2);
                }

                i++;
                continue;
            }

            var c = text[i];
            line.Append(c switch
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
                _ when Hidden(c) => $@"\u{(int)c:x4}",
                _ when char.IsControl(c) => $@"\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return line.ToString();
    }

    // The separators and the format characters but the two joiners, shown as \uHHHH or
    // \UHHHHHHHH. A lone surrogate is neither (its category is Cs): it is kept as it is.
    private static bool Hidden(int code) =>
        code is not (ZeroWidthNonJoiner or ZeroWidthJoiner)
        && CharUnicodeInfo.GetUnicodeCategory(code) is UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) || Hidden(c))
            {
                return true;
            }

            if (char.IsSurrogatePair(text, i))
            {
                if (Hidden(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
