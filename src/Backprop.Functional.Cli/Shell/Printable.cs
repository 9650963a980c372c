using System.Text;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Text made fit for one line of a terminal: an <c>error:</c> line echoes paths and values as
/// given, and a line break, carriage return, tab or escape in one would split the line, hide
/// part of it or pass for a space. Each control character is shown as an escape instead.
/// </summary>
internal static class Printable
{
    /// <summary>
    /// <paramref name="text"/> with every control character written as a C escape: \n, \r, \t,
    /// \0, \a, \b, \v, \f and \e, \xHH for the others (U+0001 to U+001F, U+007F to U+009F), and
    /// \u2028 and \u2029 for the line and paragraph separators. Other text, a backslash
    /// included, is kept as it is, so that the escaping can be applied twice.
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
                '\u2028' or '\u2029' => $@"\u{(int)c:x4}",
                _ when char.IsControl(c) => $@"\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return line.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }
}
