using System;

namespace Backprop.Functional.Tests;

/// <summary>
/// How closely Backward must match a finite-difference derivative in float64, shared by the
/// checks against GradientCheck and against the independent oracle.
/// </summary>
public static class GradientTolerance
{
    /// <summary>
    /// The largest relative error |a − n| / max(|a|, |n|, floor) allowed: 1e-6, GradientCheck's
    /// default. Both stencils are of fourth order or higher with h ≈ 1e-3, so truncation is at
    /// most about h⁴ ≈ 1e-12; on derivatives above the floor the worst error measured over 3000
    /// cases per pairing was about 1e-8.
    /// </summary>
    public const double Relative = 1e-6;

    /// <summary>
    /// The floor of the relative error, per unit of loss. A finite difference cannot resolve a
    /// derivative below its rounding noise, about 1.5·δL/h where δL, the rounding error of the
    /// loss, grows with |L|. With a fixed floor of 1e-6, a derivative that is exactly 0 (behind
    /// a dead ReLU unit) came out as 1.2e-12 numerically, a relative error of 1.2e-6, in about
    /// 1 case in 1000. Scaling the floor to 1e-5·max(1, |L|) compares such derivatives
    /// absolutely; the worst relative error measured with it over 3000 cases per pairing was
    /// 5.4e-8.
    /// </summary>
    public const double FloorPerUnitLoss = 1e-5;

    /// <summary>The floor for a case whose loss is <paramref name="loss"/>.</summary>
    public static double Floor(double loss) => FloorPerUnitLoss * Math.Max(1.0, Math.Abs(loss));
}
