using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Functional;

/// <summary>
/// Elementwise passes fused so that large arrays are read once: the parameter step together
/// with the finiteness check of its result.
/// </summary>
internal static class Kernels
{
    /// <summary>Arrays this long and longer are stepped on both cores.</summary>
    internal const int SplitFrom = 1 << 13;

    /// <summary>Arrays longer than this are stepped on the calling thread.</summary>
    internal const int SplitTo = 1 << 16;

    /// <summary>
    /// The parameter step r = d·(−η) + w, rounded after the product and after the sum (not
    /// fused), and whether every element of r is finite, in one pass.
    /// </summary>
    /// <param name="d">The direction d.</param>
    /// <param name="minusη">−η.</param>
    /// <param name="w">The parameters θ.</param>
    /// <param name="r">The new parameters, written in full.</param>
    /// <remarks>
    /// From <see cref="SplitFrom"/> to <see cref="SplitTo"/> elements (a 784-30 layer's
    /// weights), the two halves of the arrays are stepped at once on both cores
    /// (<see cref="HelperCore"/>): each element's result is the same wherever it is computed.
    /// Larger arrays are bound by memory, which a second core does not widen.
    /// </remarks>
    public static bool Step<T>(ReadOnlySpan<T> d, T minusη, ReadOnlySpan<T> w, Span<T> r)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (r.Length < SplitFrom || r.Length > SplitTo
            || (typeof(T) != typeof(double) && typeof(T) != typeof(float)))
        {
            return StepHere(d, minusη, w, r);
        }

        var half = r.Length / 2 / Vector<T>.Count * Vector<T>.Count;
        unsafe
        {
            fixed (byte* pd = MemoryMarshal.AsBytes(d), pw = MemoryMarshal.AsBytes(w),
                pr = MemoryMarshal.AsBytes(r))
            {
                int first = 1, second = 1;
                var size = Unsafe.SizeOf<T>();
                var step = double.CreateTruncating(minusη);
                HelperCore.Both(
                    new StepCall(size, pd, step, pw, pr, half, &first),
                    new StepCall(size, pd + (half * size), step, pw + (half * size),
                        pr + (half * size), r.Length - half, &second));
                return (first & second) == 1;
            }
        }
    }

    private static bool StepHere<T>(ReadOnlySpan<T> d, T minusη, ReadOnlySpan<T> w, Span<T> r)
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

    // One half of a parameter step on pinned arrays, with where to write its finiteness.
    private readonly unsafe struct StepCall(
        int size, byte* d, double minusη, byte* w, byte* r, int length, int* finite) : IHalf
    {
        public void Invoke()
        {
            var ok = size == sizeof(double)
                ? StepHere(
                    new ReadOnlySpan<double>(d, length), minusη,
                    new ReadOnlySpan<double>(w, length), new Span<double>(r, length))
                : StepHere(
                    new ReadOnlySpan<float>(d, length), (float)minusη,
                    new ReadOnlySpan<float>(w, length), new Span<float>(r, length));
            *finite = ok ? 1 : 0;
        }
    }
}
