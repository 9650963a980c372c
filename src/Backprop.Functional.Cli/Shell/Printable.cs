using System.Text;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Text made fit for one line of a terminal: an <c>error:</c> line echoes paths and values as
/// given, and a line break, carriage return, tab or escape in one would split the line, hide
/// part of it or pass for a space; a bidirectional control (U+202E, say) would show the rest of
/// the line reversed. Each is shown as an escape instead.
/// </summary>
internal static class Printable
{
    /// <summary>
    /// <paramref name="text"/> with every control character written as a C escape: \n, \r, \t,
    /// \0, \a, \b, \v, \f and \e, \xHH for the others (U+0001 to U+001F, U+007F to U+009F), and
    /// \uHHHH for the line and paragraph separators (U+2028, U+2029) and the bidirectional
    /// controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069). Other text, a
    /// backslash included, is kept as it is, so that the escaping can be applied twice.
    /// </summary>
    public static string Line(string text)
    {
        if (!NeedsEscape(text))
        {
            return text;
        }

        var line = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
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
                _ when Unicode(c) => $@"\u{(int)c:x4}",
                _ when char.IsControl(c) => $@"\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return line.ToString();
    }

    // The separators and bidirectional controls, shown as \uHHHH.
    private static bool Unicode(char c) =>
        c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f'
            or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || Unicode(c))
            {
                return true;
            }
        }

        return false;
    }
}
