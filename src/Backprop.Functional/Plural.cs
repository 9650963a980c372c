using System.Globalization;

namespace Backprop.Functional;

/// <summary>
/// A count with its noun, in the singular for exactly one: "1 sample", "2 samples", "0 samples",
/// so that the library's messages read right whatever the count.
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
    /// The word that agrees with <paramref name="count"/>, for a verb ("1 step makes",
    /// "2 steps make") or a count printed apart from its noun: <paramref name="one"/> for a
    /// count of 1, else <paramref name="many"/> (by default <paramref name="one"/> with an s).
    /// </summary>
    public static string Word(long count, string one, string? many = null) =>
        count == 1 ? one : many ?? one + "s";
}
