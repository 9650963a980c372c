using System;
using System.Numerics;
using System.Numerics.Tensors;

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
        TensorPrimitives.Exp(s, s);
        var total = TensorPrimitives.Sum<T>(s);
        TensorPrimitives.Divide(s, total, s);
    }

    /// <summary>ln Σᵢ e^zᵢ for one column, without overflow.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> z)
        where T : struct, IFloatingPointIeee754<T>
    {
        var max = TensorPrimitives.Max(z);
        var total = T.Zero;
        foreach (var x in z)
        {
            total += T.Exp(x - max);
        }

        return max + T.Log(total);
    }
}
