using System;

namespace Backprop.Functional;

/// <summary>
/// A logarithm and a cosine built from +, −, × and ÷ alone, so that they give the same bits on
/// every IEEE 754 machine. The platform's Math.Log and Math.Cos come from the C library and may
/// differ in the last bit from one system to another; seeded initialisation must not.
/// </summary>
/// <remarks>Both are accurate to about one unit in the last place over the ranges used
/// here.</remarks>
public static class PortableMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01; // ln 2, upper 32 bits
    private const double Ln2Lo = 1.90821492927058770002e-10; // ln 2 − Ln2Hi

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
