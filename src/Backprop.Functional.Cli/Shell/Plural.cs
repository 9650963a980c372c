using System.Globalization;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// A count with its noun, in the singular for exactly one: "1 layer", "2 layers", "0 layers",
/// so that messages read right whatever the count.
/// </summary>
internal static class Plural
{
    /// <summary>
    /// "<paramref name="count"/> <paramref name="one"/>" for a count of 1, else the count and
    /// <paramref name="many"/> (by default <paramref name="one"/> with an s).
    /// </summary>
    public static string Of(long count, string one, string? many = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + Word(count, one, many);

    /// <summary>
    /// The word that agrees with <paramref name="count"/>, for a count printed apart from it
    /// ("1,000 test images") or a verb ("1 epoch is", "2 epochs are"): <paramref name="one"/>
    /// for a count of 1, else <paramref name="many"/> (by default <paramref name="one"/> with
    /// an s).
    /// </summary>
    public static string Word(long count, string one, string? many = null) =>
        count == 1 ? one : many ?? one + "s";
}
