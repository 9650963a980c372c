using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// The fused parameter step r = d·(−η) + w with its finiteness flag: the same bits as the
/// formula computed one element at a time, and a flag that is false exactly when some element
/// of r is NaN or ±∞, wherever it falls (SIMD body or scalar tail).
/// </summary>
public sealed class KernelProperties
{
    private static readonly double[] Specials =
        [double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue];

    /// <summary>Arrays of 0 to 70 elements (several SIMD widths and every tail length),
    /// with a few NaN, ±∞ or overflowing values in d or w at random places.</summary>
    private static Gen<(double[] D, double[] W, double Eta)> Cases { get; } =
        from n in Gen.Choose(0, 70)
        from d in Gen.Choose(-1000, 1000).Select(k => k / 7.0).ArrayOf(n)
        from w in Gen.Choose(-1000, 1000).Select(k => k / 3.0).ArrayOf(n)
        from specials in Gen.Choose(0, 3)
        from places in Gen.Choose(0, Math.Max(0, (2 * n) - 1)).ArrayOf(specials)
        from kinds in Gen.Choose(0, Specials.Length - 1).ArrayOf(specials)
        from η in Gen.Choose(0, 1000).Select(k => k / 100.0)
        select Inject(d, w, places, kinds, η);

    [Property(MaxTest = 1000)]
    public Property The_step_is_the_formula_bit_for_bit_in_float64() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var r = new double[c.W.Length];
            var finite = Kernels.Step<double>(c.D, -c.Eta, c.W, r);

            var expected = c.D.Zip(c.W, (d, w) => (d * -c.Eta) + w).ToArray();
            return Prop.Label(
                    r.Select(BitConverter.DoubleToInt64Bits)
                        .SequenceEqual(expected.Select(BitConverter.DoubleToInt64Bits)),
                    "r differs from d·(−η) + w")
                .And(Prop.Label(
                    finite == expected.All(double.IsFinite),
                    $"flag {finite} for {string.Join(", ", expected)}"));
        });

    [Property(MaxTest = 1000)]
    public Property The_step_is_the_formula_bit_for_bit_in_float32() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var (d, w, η) = (c.D.Select(v => (float)v).ToArray(),
                c.W.Select(v => (float)v).ToArray(), (float)c.Eta);
            var r = new float[w.Length];
            var finite = Kernels.Step<float>(d, -η, w, r);

            var expected = d.Zip(w, (di, wi) => (di * -η) + wi).ToArray();
            return Prop.Label(
                    r.Select(BitConverter.SingleToInt32Bits)
                        .SequenceEqual(expected.Select(BitConverter.SingleToInt32Bits)),
                    "r differs from d·(−η) + w")
                .And(Prop.Label(finite == expected.All(float.IsFinite), $"flag {finite}"));
        });

    // Places below n go into d, the others into w.
    private static (double[] D, double[] W, double Eta) Inject(
        double[] d, double[] w, int[] places, int[] kinds, double η)
    {
        foreach (var (place, kind) in places.Zip(kinds).Where(_ => d.Length > 0))
        {
            var target = place < d.Length ? d : w;
            target[place % Math.Max(1, d.Length)] = Specials[kind];
        }

        return (d, w, η);
    }
}
