using System;
using System.Globalization;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>Runs code under another culture, the one that formats and parses numbers.</summary>
public static class Cultures
{
    /// <summary>
    /// The culture <paramref name="name"/> when the runtime has its data; otherwise (the
    /// project builds with invariant globalization, which knows no cultures) a stand-in with
    /// that culture's separators, which is what could break number formatting. "minus-sign"
    /// is a stand-in with the Unicode minus sign U+2212, as Swedish and Norwegian use.
    /// </summary>
    public static CultureInfo Get(string name)
    {
        try
        {
            var real = CultureInfo.GetCultureInfo(name);
            if (real.NumberFormat.NumberDecimalSeparator == ",")
            {
                return real;
            }
        }
        catch (CultureNotFoundException)
        {
        }

        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        var format = culture.NumberFormat;
        format.NumberDecimalSeparator = ",";
        format.NumberGroupSeparator = name == "de-DE" ? "." : "\u202f";
        if (name == "minus-sign")
        {
            format.NegativeSign = "\u2212";
        }

        return culture;
    }

    /// <summary>Sets the current culture and UI culture until disposed.</summary>
    public static IDisposable Use(string name)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = Get(name);
        return new Restore(() =>
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = ui;
        });
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
