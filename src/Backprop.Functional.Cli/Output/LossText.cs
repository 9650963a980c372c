using System;
using System.Globalization;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// A loss as the command's lines print it: to four decimals (0.4321), or, from 10⁶ on, to five
/// significant digits with an exponent (1.2346E+6), since a diverging run's loss can reach
/// 10³⁰⁰, which four decimals would spell out in three hundred digits. NaN and ±∞ print as
/// NaN, Infinity and -Infinity.
/// </summary>
internal static class LossText
{
    /// <summary>From this magnitude on, a loss is printed with an exponent.</summary>
    public const double ExponentFrom = 1e6;

    /// <summary>
    /// The format of a number printed with an exponent: five significant digits at most, no
    /// trailing zeros (1.2346E+6, 1E+300, 3.4028E+38, 2.5E-7).
    /// </summary>
    public const string ExponentFormat = "0.####E+0";

    /// <summary>The text of <paramref name="loss"/>.</summary>
    public static string Of(double loss) =>
        loss.ToString(
            double.IsFinite(loss) && Math.Abs(loss) >= ExponentFrom ? ExponentFormat : "F4",
            CultureInfo.InvariantCulture);
}
