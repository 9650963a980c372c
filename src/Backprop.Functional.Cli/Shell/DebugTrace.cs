using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// The stack trace that <c>--debug</c> adds after the <c>error:</c> line, escaped as that line
/// is (see <see cref="Printable.Line"/>): the messages in it echo paths and values as given,
/// and a control, bidirectional or format character in one would reach the terminal raw.
/// </summary>
internal static class DebugTrace
{
    /// <summary>
    /// The lines of <paramref name="e"/> as <see cref="Exception.ToString"/> gives them, each
    /// with its control and format characters escaped. The message of every exception in it
    /// (the inner ones too) is escaped whole first, so that a line break in a path shows as
    /// \n within its line rather than starting a line of its own, which could pass for a
    /// frame of the trace.
    /// </summary>
    public static IEnumerable<string> Lines(Exception e)
    {
        var text = e.ToString();
        var parts = Parts(e).Where(p => p.Raw != p.Shown).Distinct();
        foreach (var (raw, shown) in parts.OrderByDescending(p => p.Raw.Length))
        {
            text = text.Replace(raw, shown, StringComparison.Ordinal);
        }

        return text.Split(Environment.NewLine).Select(Printable.Line);
    }

    // Each text of the trace that echoes what was given, with its escaped form: a message
    // after its exception's type, as Exception.ToString writes it, and the file name that a
    // FileNotFoundException adds on a line of its own, in quotes.
    private static IEnumerable<(string Raw, string Shown)> Parts(Exception e)
    {
        foreach (var x in Tree(e))
        {
            var type = x.GetType().ToString();
            yield return ($"{type}: {x.Message}", $"{type}: {Printable.Line(x.Message)}");
            if (x is FileNotFoundException { FileName: { } name })
            {
                yield return ($"'{name}'", $"'{Printable.Line(name)}'");
            }
        }
    }

    // The exception and every one inside it, the several of an AggregateException included.
    private static IEnumerable<Exception> Tree(Exception e)
    {
        var inner = e is AggregateException all
            ? all.InnerExceptions
            : (IEnumerable<Exception>)(e.InnerException is { } one ? [one] : []);
        return inner.SelectMany(Tree).Prepend(e);
    }
}
