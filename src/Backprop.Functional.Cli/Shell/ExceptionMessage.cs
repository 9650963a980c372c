using System;

namespace Backprop.Functional.Cli.Shell;

/// <summary>The message of an exception as the user reads it.</summary>
internal static class ExceptionMessage
{
    /// <summary>
    /// The message of <paramref name="e"/> on one line, its control characters (a line break in
    /// a path it names, say) shown as escapes (see <see cref="Printable.Line"/>), without the
    /// " (Parameter 'name')" that an <see cref="ArgumentException"/> adds to it. The runtime's
    /// "Unable to find the specified file", for a relative path once the current directory has
    /// been removed, is said as "the current directory no longer exists".
    /// </summary>
    public static string Of(Exception e)
    {
        if (CurrentDirectory.IsRemoval(e))
        {
            return CurrentDirectory.Gone;
        }

        var message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            var at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = message.Remove(at, suffix.Length);
            }
        }

        return Printable.Line(message.Trim());
    }
}
