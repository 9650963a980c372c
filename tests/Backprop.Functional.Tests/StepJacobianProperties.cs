using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// Inside a training run, ReLU and leaky ReLU read their slopes off the sign of o = f(Σ)
/// instead of storing them: δ = g ⊙ f′(Σ) with the bits of the stored slopes' Jacobian, for
/// every Σ (±0, NaN and ±∞ included) and every g, in the SIMD body and the scalar tail.
/// </summary>
public sealed class StepJacobianProperties
{
    private static readonly double[] Specials =
        [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-310, -1e-310];

    /// <summary>Σ and g of 1 to 9 rows by 1 to 9 columns, with special values at random places,
    /// and a slope of 0 (ReLU) or in (0, 1).</summary>
    private static Gen<(double[] Z, double[] G, int Rows, double Slope)> Cases { get; } =
        from rows in Gen.Choose(1, 9)
        from columns in Gen.Choose(1, 9)
        from z in Gen.Choose(-1000, 1000).Select(k => k / 7.0).ArrayOf(rows * columns)
        from g in Gen.Choose(-1000, 1000).Select(k => k / 3.0).ArrayOf(rows * columns)
        from count in Gen.Choose(0, 6)
        from places in Gen.Choose(0, (2 * rows * columns) - 1).ArrayOf(count)
        from kinds in Gen.Choose(0, Specials.Length - 1).ArrayOf(count)
        from slope in Gen.Elements(0.0, 0.01, 0.3, 0.99)
        select Inject(z, g, rows, places, kinds, slope);

    [Property(MaxTest = 500)]
    public Property The_slopes_read_off_o_are_the_stored_ones_in_float64() =>
        Prop.ForAll(Cases.ToArbitrary(), c => Same<double>(c, x => x));

    [Property(MaxTest = 500)]
    public Property The_slopes_read_off_o_are_the_stored_ones_in_float32() =>
        Prop.ForAll(Cases.ToArbitrary(), c => Same<float>(c, x => (float)x));

    private static Property Same<T>(
        (double[] Z, double[] G, int Rows, double Slope) c, Func<double, T> of)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var columns = c.Z.Length / c.Rows;
        var z = Matrix<T>.Build.Dense(c.Rows, columns, c.Z.Select(of).ToArray());
        var g = Matrix<T>.Build.Dense(c.Rows, columns, c.G.Select(of).ToArray());
        var activation = c.Slope == 0.0 ? Activation.ReLU : Activation.LeakyReLU(c.Slope);
        var o = activation.Apply(z);

        var stored = activation.Differentiate(z, o).Apply(g);
        var read = activation.Differentiate(z, o, new Workspace<T>(), new Slot(SlotKind.Slopes, 0));
        var δ = read.Apply(g);

        return Prop.Label(read is StepJacobian<T>, $"{read.GetType().Name}, not the step's")
            .And(Prop.Label(
                stored.ToColumnMajorArray().Select(Bits).SequenceEqual(
                    δ.ToColumnMajorArray().Select(Bits)),
                $"slope {c.Slope}: δ {string.Join(", ", δ.ToColumnMajorArray())}, expected "
                + string.Join(", ", stored.ToColumnMajorArray())));

        static long Bits(T x) => BitConverter.DoubleToInt64Bits(double.CreateTruncating(x));
    }

    // Special values put in place in Σ (places below its length) or g (the rest).
    private static (double[] Z, double[] G, int Rows, double Slope) Inject(
        double[] z, double[] g, int rows, int[] places, int[] kinds, double slope)
    {
        var (zs, gs) = (z.ToArray(), g.ToArray());
        foreach (var (place, kind) in places.Zip(kinds))
        {
            if (place < zs.Length)
            {
                zs[place] = Specials[kind];
            }
            else
            {
                gs[place - zs.Length] = Specials[kind];
            }
        }

        return (zs, gs, rows, slope);
    }
}
