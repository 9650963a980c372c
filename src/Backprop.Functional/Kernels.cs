using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Functional;

/// <summary>
/// Elementwise passes fused so that large arrays are read once: the parameter step together
/// with the finiteness check of its result.
/// </summary>
internal static class Kernels
{
    /// <summary>
    /// The parameter step r = d·(−η) + w, rounded after the product and after the sum (not
    /// fused), and whether every element of r is finite, in one pass.
    /// </summary>
    /// <param name="d">The direction d.</param>
    /// <param name="minusη">−η.</param>
    /// <param name="w">The parameters θ.</param>
    /// <param name="r">The new parameters, written in full.</param>
    public static bool Step<T>(ReadOnlySpan<T> d, T minusη, ReadOnlySpan<T> w, Span<T> r)
        where T : struct, IFloatingPointIeee754<T>
    {
        var i = 0;
        var finite = true;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // x − x is +0 for finite x and NaN otherwise: their sum tells without branches.
            var dv = MemoryMarshal.Cast<T, Vector<T>>(d);
            var wv = MemoryMarshal.Cast<T, Vector<T>>(w);
            var rv = MemoryMarshal.Cast<T, Vector<T>>(r);
            var η = new Vector<T>(minusη);
            var check = Vector<T>.Zero;
            for (var k = 0; k < rv.Length; k++)
            {
                var x = (dv[k] * η) + wv[k];
                rv[k] = x;
                check += x - x;
            }

            finite = check == Vector<T>.Zero;
            i = rv.Length * Vector<T>.Count;
        }

        for (; i < r.Length; i++)
        {
            r[i] = (d[i] * minusη) + w[i];
            finite &= T.IsFinite(r[i]);
        }

        return finite;
    }
}
