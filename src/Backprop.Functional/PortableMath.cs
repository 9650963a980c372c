using System;

namespace Backprop.Functional;

/// <summary>
/// A logarithm, a cosine and a power built from +, −, ×, ÷ and fused multiply-add alone, so
/// that they give the same bits on every IEEE 754 machine. The platform's Math.Log, Math.Cos
/// and Math.Pow come from the C library and may differ in the last bit from one system to
/// another; seeded initialisation, the learning-rate schedules and Adam's bias corrections must
/// not.
/// </summary>
/// <remarks>All are accurate to about one unit in the last place over the ranges used
/// here.</remarks>
public static class PortableMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01; // ln 2, upper 32 bits
    private const double Ln2Lo = 1.90821492927058770002e-10; // ln 2 − Ln2Hi
    private const double Ln2 = 0.6931471805599453;

    /// <summary>ln x for finite x &gt; 0 (NaN otherwise).</summary>
    public static double Log(double x)
    {
        if (!(x > 0.0) || !double.IsFinite(x))
        {
            return double.NaN;
        }

        // x = m·2^e with m in [√½, √2), read off the bits (subnormals scaled up first).
        var e = 0;
        if (x < double.Epsilon * (1L << 52))
        {
            x *= 1L << 54;
            e -= 54;
        }

        var bits = BitConverter.DoubleToInt64Bits(x);
        e += (int)((bits >> 52) & 0x7FF) - 1023;
        var m = BitConverter.Int64BitsToDouble(
            (bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e += 1;
        }

        // ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1), |s| ≤ 0.172:
        // eleven terms take the series below 1e-19.
        var s = (m - 1.0) / (m + 1.0);
        var s2 = s * s;
        var series = 0.0;
        for (var k = 21; k >= 3; k -= 2)
        {
            series = (series + (1.0 / k)) * s2;
        }

        var lnM = (2.0 * s) + (2.0 * s * series);
        return (e * Ln2Hi) + ((e * Ln2Lo) + lnM);
    }

    /// <summary>
    /// x^y for finite x ≥ 0 and finite y (NaN otherwise; 0⁰ = 1, 0^y = +∞ for y &lt; 0): x^n
    /// for the whole part n of y by repeated squaring in double-double arithmetic, so that it
    /// is correctly rounded but in rare ties, times e^(f·ln x) for the fraction f, whose error
    /// grows with |ln x| (about one unit in the last place for x in [1/e, e]; among the
    /// subnormals, where x^n is already rounded to their spacing, within a step of it); for
    /// y &lt; 0, 1 / x^−y, rounded once more.
    /// </summary>
    public static double Pow(double x, double y)
    {
        if (!(x >= 0.0) || !double.IsFinite(x) || !double.IsFinite(y))
        {
            return double.NaN;
        }

        if (y < 0.0)
        {
            return 1.0 / Pow(x, -y);
        }

        if (y == 0.0 || x == 1.0)
        {
            return 1.0;
        }

        if (x == 0.0)
        {
            return 0.0;
        }

        // y − ⌊y⌋ is exact: below 2⁵² both share y's binade, and above it y is whole.
        var whole = Math.Floor(y);
        var (hi, lo) = WholePower(x, whole);
        var fraction = y - whole;
        if (fraction == 0.0 || hi == 0.0 || !double.IsFinite(hi))
        {
            return hi + lo;
        }

        var e = Exp(fraction * Log(x));
        return Math.FusedMultiplyAdd(hi, e, lo * e);
    }

    /// <summary>cos(2πu) for finite u, computed in turns so that the reduction is exact.</summary>
    public static double CosTwoPi(double u)
    {
        if (!double.IsFinite(u))
        {
            return double.NaN;
        }

        // u = k/4 + r with |r| ≤ 1/8, so 2πr is within ±π/4.
        u -= Math.Floor(u);
        var quarter = Math.Round(u * 4.0, MidpointRounding.ToEven);
        var r = u - (quarter * 0.25);
        var x = 2.0 * Math.PI * r;
        return ((long)quarter & 3) switch
        {
            0 => CosSeries(x),
            1 => -SinSeries(x),
            2 => -CosSeries(x),
            _ => SinSeries(x),
        };
    }

    // x^n (x > 0, x ≠ 1, n whole and ≥ 0) as hi + lo with about 100 bits: each product's
    // rounding error is recovered exactly with a fused multiply-add. Past the range of doubles
    // it is 0 or +∞ (lo 0).
    private static (double Hi, double Lo) WholePower(double x, double n)
    {
        if (n > 1L << 62)
        {
            return (x < 1.0 ? 0.0 : double.PositiveInfinity, 0.0);
        }

        var k = (long)n;
        var result = (Hi: 1.0, Lo: 0.0);
        var square = (Hi: x, Lo: 0.0);
        while (true)
        {
            if ((k & 1) != 0)
            {
                result = Times(result, square);
                if (result.Hi == 0.0 || !double.IsFinite(result.Hi))
                {
                    return (result.Hi, 0.0);
                }
            }

            k >>= 1;
            if (k == 0)
            {
                return result;
            }

            // A square past the range makes every product after it so too.
            square = Times(square, square);
            if (square.Hi == 0.0 || !double.IsFinite(square.Hi))
            {
                return (square.Hi, 0.0);
            }
        }
    }

    // (a.Hi + a.Lo)·(b.Hi + b.Lo) to about 100 bits, as hi + lo with |lo| ≤ ½ ulp(hi); +∞, lo
    // 0, past the largest double.
    private static (double Hi, double Lo) Times((double Hi, double Lo) a, (double Hi, double Lo) b)
    {
        var p = a.Hi * b.Hi;
        if (!double.IsFinite(p))
        {
            return (p, 0.0);
        }

        var error = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p) + ((a.Hi * b.Lo) + (a.Lo * b.Hi));
        var sum = p + error;
        return (sum, error - (sum - p));
    }

    // e^a for |a| below about 745: a = k·ln 2 + r with |r| ≤ ½ ln 2 (k·Ln2Hi is exact for the k
    // that occur), then e^r by its Taylor series to r¹⁷/17!, below 1e-21, nested as
    // 1 + r(1 + r/2(1 + r/3(…))), and the scaling by 2^k, which is exact but in the subnormals.
    private static double Exp(double a)
    {
        if (a > 709.8)
        {
            return double.PositiveInfinity;
        }

        if (a < -745.2)
        {
            return 0.0;
        }

        var k = Math.Round(a / Ln2, MidpointRounding.ToEven);
        var r = (a - (k * Ln2Hi)) - (k * Ln2Lo);
        var series = 1.0;
        for (var n = 17; n >= 1; n--)
        {
            series = 1.0 + (r * series / n);
        }

        return Math.ScaleB(series, (int)k);
    }

    private static double CosSeries(double x)
    {
        // Taylor series to x²⁰/20!, below 1e-22 for |x| ≤ π/4, nested from the smallest term,
        // 1 − x²/2·(1 − x²/(3·4)·(1 − …)), so that each rounding is damped by the factors
        // after it. w = 1 − x²/2 is rounded once, and its rounding error, (1 − w) − x²/2, is
        // exact and added back with the x⁴ tail: about one ulp in all, where summing the terms
        // from the largest can be off by 4.
        var x2 = x * x;
        var t = 1.0;
        for (var n = 20; n >= 6; n -= 2)
        {
            t = 1.0 - (x2 * t / ((n - 1) * n));
        }

        var half = 0.5 * x2;
        var w = 1.0 - half;
        return w + (((1.0 - w) - half) + (x2 * x2 * t / 24.0));
    }

    private static double SinSeries(double x)
    {
        // x − x³/3!·(1 − x²/(4·5)·(1 − …)) to x²¹/21!, nested as in CosSeries; the correction
        // to x is at most a tenth of it, so its rounding costs well under one ulp.
        var x2 = x * x;
        var t = 1.0;
        for (var n = 21; n >= 5; n -= 2)
        {
            t = 1.0 - (x2 * t / ((n - 1) * n));
        }

        return x - (x * x2 * t / 6.0);
    }
}
