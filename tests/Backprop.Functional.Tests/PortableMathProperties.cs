using System;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// PortableMath's logarithm, cosine and power, built from +, −, ×, ÷ and fused multiply-add
/// only, agree with the platform's Math.Log and Math.Cos to within 2 units in the last place,
/// and with Math.Pow to within the bound its error analysis gives.
/// </summary>
public sealed class PortableMathProperties
{
    /// <summary>
    /// Both functions are cheap, so they are checked on many more inputs than the network
    /// properties.
    /// </summary>
    private static readonly Config Many = PropertyConfig.Default.WithMaxTest(20_000);

    /// <summary>
    /// A uniformly random 52-bit fraction field (declared first, as the others use it).
    /// </summary>
    private static Gen<long> Fractions { get; } =
        from hi in Gen.Choose(0, (1 << 26) - 1)
        from lo in Gen.Choose(0, (1 << 26) - 1)
        select ((long)hi << 26) | (uint)lo;

    /// <summary>
    /// Positive finite doubles from every binade, subnormals included (exponent field 0–2046
    /// and a random 52-bit fraction), and half of them within 2⁻²⁰ of 1, where ln x is small
    /// and relative accuracy is hardest.
    /// </summary>
    private static Gen<double> Positives { get; } =
        (from exponent in Gen.Choose(0, 2046)
         from fraction in Fractions
         select BitConverter.Int64BitsToDouble(((long)exponent << 52) | fraction))
        .Or(from fraction in Fractions
            from sign in Gen.Elements(-1.0, 1.0)
            select 1.0 + (sign * BitConverter.Int64BitsToDouble(0x3FF0_0000_0000_0000 | fraction)
                * Math.Pow(2, -21)))
        .Where(x => x > 0);

    /// <summary>Turns in [−4, 4], on a grid of 2⁻⁵⁰.</summary>
    private static Gen<double> Turns { get; } =
        Fractions.Select(f => (f * Math.Pow(2, -50)) - 4.0);

    [Fact]
    public void Log_is_within_two_ulps_of_the_platform_logarithm() =>
        Prop.ForAll(Positives.ToArbitrary(), x =>
        {
            var expected = Math.Log(x);
            var actual = PortableMath.Log(x);
            return Prop.Label(
                Math.Abs(actual - expected) <= 2 * Ulp(expected),
                $"ln {x:R}: {actual:R} against {expected:R}");
        }).Check(Many);

    [Fact]
    public void Log_of_one_is_zero_and_outside_its_domain_is_NaN()
    {
        Assert.Equal(0.0, PortableMath.Log(1.0));
        Assert.Equal(Math.Log(2), PortableMath.Log(2.0), Ulp(Math.Log(2)));
        Assert.Equal(-744.44007192138122, PortableMath.Log(double.Epsilon), 1e-12);
        Assert.All(
            [0.0, -1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity],
            x => Assert.True(double.IsNaN(PortableMath.Log(x)), $"ln {x}"));
    }

    [Fact]
    public void CosTwoPi_is_within_two_ulps_of_the_platform_cosine_on_the_same_angle() =>
        Prop.ForAll(Turns.ToArbitrary(), u =>
        {
            // cos(2π·u) for |u| up to 4 cannot be compared with Math.Cos(2π·u) to 2 ulps: the
            // rounding of 2π·u alone moves the cosine by many ulps near its zeros. So u is
            // reduced exactly, to a quarter turn q and r = u − q/4 with |r| ≤ ⅛, and the
            // library is compared with Math.Cos and Math.Sin of the same rounded angle 2π·r.
            var v = u - Math.Floor(u);
            var q = Math.Round(v * 4.0, MidpointRounding.ToEven);
            var x = 2.0 * Math.PI * (v - (q * 0.25));
            var expected = ((long)q & 3) switch
            {
                0 => Math.Cos(x),
                1 => -Math.Sin(x),
                2 => -Math.Cos(x),
                _ => Math.Sin(x),
            };
            var actual = PortableMath.CosTwoPi(u);
            return Prop.Label(
                Math.Abs(actual - expected) <= 2 * Ulp(expected),
                $"cos 2π·{u:R}: {actual:R} against {expected:R}");
        }).Check(Many);

    [Fact]
    public void CosTwoPi_agrees_with_the_platform_cosine_of_the_full_angle() =>
        Prop.ForAll(Turns.ToArbitrary(), u =>
        {
            // An independent check of the quadrant logic: 2π·u is rounded by at most
            // ε·|2π·u|, which moves the cosine by as much; 4ε on top covers both functions.
            var expected = Math.Cos(2.0 * Math.PI * u);
            var bound = Math.Pow(2, -52) * ((2 * Math.PI * Math.Abs(u)) + 4);
            return Math.Abs(PortableMath.CosTwoPi(u) - expected) <= bound;
        }).Check(Many);

    [Fact]
    public void CosTwoPi_is_exact_at_quarter_turns()
    {
        Assert.Equal(1.0, PortableMath.CosTwoPi(0.0));
        Assert.Equal(0.0, PortableMath.CosTwoPi(0.25));
        Assert.Equal(-1.0, PortableMath.CosTwoPi(0.5));
        Assert.Equal(0.0, PortableMath.CosTwoPi(0.75));
        Assert.Equal(1.0, PortableMath.CosTwoPi(-3.0));
        Assert.Equal(Math.Sqrt(0.5), PortableMath.CosTwoPi(0.125), Ulp(Math.Sqrt(0.5)));
        Assert.True(double.IsNaN(PortableMath.CosTwoPi(double.PositiveInfinity)));
    }

    /// <summary>Bases of learning-rate factors and Adam's β: (0, 4), a quarter of them in
    /// [0.9, 1).</summary>
    private static Gen<double> Bases { get; } =
        Fractions.Select(f => 4.0 * (f + 1) * Math.Pow(2, -52))
        .Or(Fractions.Select(f => 0.9 + (0.1 * f * Math.Pow(2, -52))))
        .Where(x => x > 0 && x < 4);

    [Fact]
    public void Pow_with_a_whole_exponent_is_within_one_ulp_of_the_platform_power() =>
        Prop.ForAll(Bases.ToArbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), (x, n) =>
        {
            // Squared in double-double, x^n is correctly rounded but in rare near-ties, as
            // the platform's power nearly always is; between them, one ulp at most.
            var expected = Math.Pow(x, n);
            var actual = PortableMath.Pow(x, n);
            return Prop.Label(
                actual == expected
                || (double.IsFinite(expected) && Math.Abs(actual - expected) <= Ulp(expected)),
                $"{x:R}^{n}: {actual:R} against {expected:R}");
        }).Check(Many);

    [Fact]
    public void Pow_with_a_fractional_exponent_is_within_its_error_bound() =>
        Prop.ForAll(
            Bases.ToArbitrary(),
            Fractions.Select(f => f * Math.Pow(2, -42)).ToArbitrary(),
            (x, y) =>
            {
                // y up to 1024. x^⌊y⌋ is correctly rounded, e^(f·ln x) carries ln x's ulp
                // times f (at most |ln x|·ε relative) and the exponential's own two ulps, and
                // the product one rounding: 4 + |ln x| ulps, and as many for the platform's.
                // Among the subnormals, where x^⌊y⌋ is already rounded to their fixed spacing
                // before the product, the two may differ by a step of it (2⁻¹⁰⁷⁴) instead.
                var expected = Math.Pow(x, y);
                var actual = PortableMath.Pow(x, y);
                var bound = Math.Max(
                    (8 + (2 * Math.Abs(Math.Log(x)))) * Ulp(expected), 2 * double.Epsilon);
                return Prop.Label(
                    actual == expected || Math.Abs(actual - expected) <= bound,
                    $"{x:R}^{y:R}: {actual:R} against {expected:R}");
            }).Check(Many);

    [Fact]
    public void Pow_is_exact_where_the_power_is_a_double_and_defined_at_its_edges()
    {
        Assert.Equal(1024.0, PortableMath.Pow(2.0, 10));
        Assert.Equal(1e22, PortableMath.Pow(10.0, 22));
        Assert.Equal(5559060566555523.0, PortableMath.Pow(3.0, 33));
        Assert.Equal(0.125, PortableMath.Pow(0.5, 3));
        Assert.Equal(0.81, PortableMath.Pow(0.9, 2));
        Assert.Equal(0.9, PortableMath.Pow(0.9, 1));
        Assert.Equal(2.0, PortableMath.Pow(4.0, 0.5));
        Assert.Equal(double.Epsilon, PortableMath.Pow(0.5, 1074));
        Assert.Equal(0.0, PortableMath.Pow(0.5, 1076));
        Assert.Equal(double.PositiveInfinity, PortableMath.Pow(2.0, 1024));
        Assert.Equal(0.0, PortableMath.Pow(0.999, 1e30));
        Assert.Equal(1.0, PortableMath.Pow(0.0, 0.0));
        Assert.Equal(0.0, PortableMath.Pow(0.0, 3.5));
        Assert.Equal(1.0, PortableMath.Pow(1.0, 1e300));
        Assert.Equal(0.5, PortableMath.Pow(2.0, -1));
        Assert.Equal(0.001, PortableMath.Pow(10.0, -3));
        Assert.Equal(double.PositiveInfinity, PortableMath.Pow(0.0, -1));
        (double X, double Y)[] outside =
        [
            (-1.0, 2.0), (double.NaN, 1.0), (2.0, double.NaN),
            (double.PositiveInfinity, 1.0), (2.0, double.PositiveInfinity),
        ];
        Assert.All(outside, p => Assert.True(double.IsNaN(PortableMath.Pow(p.X, p.Y)), $"{p}"));
    }

    /// <summary>The spacing of doubles at |x|: the size of one unit in the last place.</summary>
    private static double Ulp(double x) => Math.BitIncrement(Math.Abs(x)) - Math.Abs(x);
}
