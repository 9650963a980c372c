using System;
using System.IO;
using ScottPlot;
using SkiaSharp;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// DejaVu Sans, embedded in the program, as ScottPlot's font: a machine without font files
/// (a fresh container, a minimal CI image) would otherwise draw plots with no text at all.
/// </summary>
/// <remarks>
/// Only the regular face is shipped, to keep the program small: text that asks for bold is
/// drawn regular. The font's licence is in Output/Fonts/DejaVuSans-LICENSE.txt.
/// </remarks>
internal sealed class PlotFont : IFontResolver
{
    /// <summary>The family name plots ask for.</summary>
    public const string Family = "DejaVu Sans";

    private const string Resource = "Fonts/DejaVuSans.ttf";

    private static readonly Lazy<SKTypeface> Typeface = new(Load);

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Fonts.FontResolvers.Insert(0, new PlotFont());
        return true;
    });

    /// <summary>Registers the embedded font with ScottPlot, once per process.</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(
        string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        Matches(fontName) ? Typeface.Value : null;

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        Matches(fontName) ? Typeface.Value : null;

    private static bool Matches(string fontName) =>
        string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase);

    private static SKTypeface Load()
    {
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"the program was built without {Resource}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return SKTypeface.FromData(SKData.CreateCopy(copy.ToArray()))
            ?? throw new InvalidOperationException($"{Resource} is not a font Skia can read");
    }
}
