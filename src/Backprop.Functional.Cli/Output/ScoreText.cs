using System;
using System.Globalization;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// A raw output (a score that is not a probability) as <c>predict</c> prints it: to three
/// decimals (0.123, -2.500), or, as a large loss is (see <see cref="LossText"/>), to five
/// significant digits with an exponent from 10⁶ on (3.4028E+38), where three decimals would
/// spell out up to 39 digits of a float32 and 309 of a float64, and below 0.0005 (2.5E-7),
/// where they would show a non-zero output as 0.000 or -0.000. Zero, −0 too, prints as 0.000;
/// NaN and ±∞ as NaN, Infinity and -Infinity.
/// </summary>
internal static class ScoreText
{
    /// <summary>
    /// Below this magnitude, a non-zero score is printed with an exponent: three decimals
    /// would round it to 0.
    /// </summary>
    public const double ExponentBelow = 0.0005;

    /// <summary>The text of <paramref name="score"/>.</summary>
    public static string Of(double score)
    {
        var magnitude = Math.Abs(score);
        var exponent = double.IsFinite(score)
            && score != 0
            && (magnitude >= LossText.ExponentFrom || magnitude < ExponentBelow);
        return (score == 0 ? 0.0 : score).ToString(
            exponent ? LossText.ExponentFormat : "F3", CultureInfo.InvariantCulture);
    }
}
