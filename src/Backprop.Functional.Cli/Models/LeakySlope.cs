using System;
using System.Globalization;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// The slope α of a leaky ReLU, and whether a float32 network can compute with it. The
/// activation keeps α as a double, which a float32 network rounds to float at every use.
/// Float32 rounds every α from 1 − 2⁻²⁵ up to 1 (1 − 2⁻²⁵ is half-way between 1 and the largest
/// float below it, 1 − 2⁻²⁴, and a tie goes to 1, the even one), and with α = 1 leaky ReLU is
/// the identity: outside [0, 1), the range of a slope.
/// </summary>
/// <remarks>
/// <c>train --precision float32</c> refuses such a slope as a bad argument
/// (<c>Running/Float32Limits.cs</c>); a float32 model file that holds one is refused when read
/// and never written (<see cref="ModelReader"/>, <see cref="ModelWriter"/>).
/// </remarks>
internal static class LeakySlope
{
    /// <summary>What starts the name of a leaky ReLU with its slope: "leaky-relu:".</summary>
    public const string Prefix = "leaky-relu:";

    /// <summary>
    /// 1 − 2⁻²⁴, the largest float32 slope, as the shortest decimal that reads back to it:
    /// "0.99999994".
    /// </summary>
    public static string LargestFloat32 { get; } =
        MathF.BitDecrement(1f).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// α of <paramref name="activation"/> when it is a leaky ReLU; null for any other
    /// activation, ReLU included (its α is 0, which float32 holds).
    /// </summary>
    /// <param name="activation">An activation; its canonical name carries α.</param>
    public static double? Of(Activation activation)
    {
        var name = activation.Name;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var text = name.AsSpan(Prefix.Length);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var α)
            ? α
            : null;
    }

    /// <summary>
    /// Whether a float32 network would compute with <paramref name="α"/> rounded to 1 or more.
    /// </summary>
    /// <param name="α">A slope, as the activation holds it (a double).</param>
    public static bool IsOneInFloat32(double α) => (float)α >= 1f;
}
