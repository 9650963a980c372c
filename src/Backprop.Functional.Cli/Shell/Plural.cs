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
        count.ToString(CultureInfo.InvariantCulture) + " "
        + (count == 1 ? one : many ?? one + "s");
}
