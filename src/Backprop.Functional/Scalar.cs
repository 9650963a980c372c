using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Backprop.Functional;

/// <summary>
/// Numerically careful scalar and column helpers shared by activations and losses.
/// </summary>
internal static class Scalar
{
    /// <summary>ln(1 + x), accurate for tiny x where 1 + x rounds to 1.</summary>
    /// <remarks>
    /// Computes ln(u)·x/(u − 1) with u = 1 + x, which cancels the rounding of u; the runtime's
    /// LogP1 is ln(x + 1) and loses all digits below about 1e-16.
    /// </remarks>
    public static T LogOnePlus<T>(T x)
        where T : struct, IFloatingPointIeee754<T>
    {
        var u = T.One + x;
        return u == T.One ? x : T.Log(u) * x / (u - T.One);
    }

    /// <summary>s = softmax(z) for one column: e^(z − max z), normalised.</summary>
    public static void SoftmaxColumn<T>(ReadOnlySpan<T> z, Span<T> s)
        where T : struct, IFloatingPointIeee754<T>
    {
        // Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows and the
        // largest term is exactly 1.
        var max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, s);
        Elementwise.Exp<T>(s, s);
        var total = TensorPrimitives.Sum<T>(s);
        TensorPrimitives.Divide(s, total, s);
    }

    /// <summary>
    /// The leaky rectifier's slope: 1 where z &gt; 0 and α elsewhere (NaN included), a SIMD
    /// vector at a time where the hardware has one for T.
    /// </summary>
    public static void Step<T>(ReadOnlySpan<T> z, T α, Span<T> slopes)
        where T : struct, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var (one, slope) = (Vector<T>.One, new Vector<T>(α));
            for (; i <= z.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(new Vector<T>(z[i..]), Vector<T>.Zero);
                Vector.ConditionalSelect(positive, one, slope).CopyTo(slopes[i..]);
            }
        }

        for (; i < z.Length; i++)
        {
            slopes[i] = z[i] > T.Zero ? T.One : α;
        }
    }

    /// <summary>
    /// δ = g ⊙ s with s = 1 where o &gt; 0 and α elsewhere (NaN included): the step slopes of
    /// <see cref="Step{T}"/> read off the sign of o and applied without being stored. δ may be
    /// g itself.
    /// </summary>
    public static void TimesStep<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> o, T α, Span<T> δ)
        where T : struct, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var (one, slope) = (Vector<T>.One, new Vector<T>(α));
            for (; i <= δ.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(new Vector<T>(o[i..]), Vector<T>.Zero);
                (new Vector<T>(g[i..]) * Vector.ConditionalSelect(positive, one, slope))
                    .CopyTo(δ[i..]);
            }
        }

        for (; i < δ.Length; i++)
        {
            δ[i] = g[i] * (o[i] > T.Zero ? T.One : α);
        }
    }

    /// <summary>Whether every element is finite (no NaN, no ±∞), checked in SIMD.</summary>
    /// <remarks>
    /// x − x is +0 for every finite x and NaN for ±∞ and NaN, so a sum of such differences is 0
    /// exactly when all are finite: one subtraction and one addition a vector, no branches
    /// (the runtime's IsFiniteAll tests every vector for an early exit and is several times
    /// slower on the sizes trained here).
    /// </remarks>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : struct, IFloatingPointIeee754<T>
    {
        var i = 0;
        var finite = true;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            var (a, b) = (Vector<T>.Zero, Vector<T>.Zero);
            var k = 0;
            for (; k + 1 < vectors.Length; k += 2)
            {
                a += vectors[k] - vectors[k];
                b += vectors[k + 1] - vectors[k + 1];
            }

            if (k < vectors.Length)
            {
                a += vectors[k] - vectors[k];
            }

            finite = a + b == Vector<T>.Zero;
            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < values.Length && finite; i++)
        {
            finite = T.IsFinite(values[i]);
        }

        return finite;
    }

    /// <summary>
    /// ln Σᵢ e^zᵢ for one column as the pair (m, ln Σᵢ e^(zᵢ − m)) with m = maxᵢ zᵢ, without
    /// overflow: a caller that needs lse − zⱼ takes ln Σ − (zⱼ − m), which keeps its digits
    /// where m + ln Σ would round ln Σ away (logits of 10¹⁶ and more in float64).
    /// </summary>
    public static (T Max, T LogSum) ShiftedLogSumExp<T>(ReadOnlySpan<T> z)
        where T : struct, IFloatingPointIeee754<T>
    {
        var max = TensorPrimitives.Max(z);
        var total = T.Zero;
        foreach (var x in z)
        {
            total += T.Exp(x - max);
        }

        return (max, T.Log(total));
    }
}
