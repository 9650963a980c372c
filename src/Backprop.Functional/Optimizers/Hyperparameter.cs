using System;

namespace Backprop.Functional;

/// <summary>Checks of hyperparameters, each naming the argument and the value it got.</summary>
internal static class Hyperparameter
{
    /// <summary>x, if it is finite and &gt; 0.</summary>
    public static double Positive(double x, string name) =>
        double.IsFinite(x) && x > 0
            ? x
            : throw new ArgumentOutOfRangeException(
                name, x, $"{name} must be finite and > 0, got {x}");

    /// <summary>x, if it is finite and ≥ 0.</summary>
    public static double NonNegative(double x, string name) =>
        double.IsFinite(x) && x >= 0
            ? x
            : throw new ArgumentOutOfRangeException(
                name, x, $"{name} must be finite and ≥ 0, got {x}");

    /// <summary>x, if it is in [0, 1).</summary>
    public static double Fraction(double x, string name) =>
        double.IsFinite(x) && x >= 0 && x < 1
            ? x
            : throw new ArgumentOutOfRangeException(name, x, $"{name} must be in [0, 1), got {x}");
}
