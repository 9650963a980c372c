using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Backprop.Functional;

/// <summary>
/// e^x, the logistic sigmoid and tanh over a span, each element's result a function of the
/// values and their indices alone, never of where the arrays lie in memory.
/// </summary>
/// <remarks>
/// <para>
/// TensorPrimitives computes these a SIMD vector at a time, and a vector that holds one element
/// beyond the range of its vector algorithm (e^x in float64 for |x| &gt; 709.78, NaN, ±∞) is
/// computed another way as a whole, which moves its neighbours' last bits. On spans longer than
/// eight vectors it first aligns its loop to the destination's address, so which elements share
/// a vector, and so the bits, depended on where the GC had put the array: the same training run
/// could end with different weights. Up to eight vectors (64 float64 with AVX-512) it starts
/// its vectors at the span's first element, so handing it blocks of that length, cut at fixed
/// indices, puts the same elements in the same vector at every address.
/// </para>
/// <para>
/// The block length follows the widest vectors the runtime accelerates, read at run time; the
/// results still depend on that width (see docs/limitations.md#reproducibility-across-machines).
/// Arithmetic that rounds each element on its own (+, −, ×, ÷, max, clamp) and the reductions
/// (Sum, Dot, Max, Distance, which do not align floating-point data) need no blocks.
/// LIMITATION: the blocks cost float64 passes about 15 to 40 %, since each computes two of its
/// eight vectors twice; and the JIT's first code for these functions can round a vector's
/// neighbours differently from its later code; see docs/limitations.md.
/// </para>
/// </remarks>
internal static class Elementwise
{
    /// <summary>y = e^x; y may be x itself.</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T> =>
        InBlocks<T, ExpMap>(x, y);

    /// <summary>y = 1 / (1 + e^−x); y may be x itself.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T> =>
        InBlocks<T, SigmoidMap>(x, y);

    /// <summary>y = tanh x; y may be x itself.</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T> =>
        InBlocks<T, TanhMap>(x, y);

    /// <summary>
    /// The longest span on which TensorPrimitives' elementwise loops never align to an address:
    /// eight of the widest vectors it uses for T (it aligns only past eight).
    /// </summary>
    internal static int BlockLength<T>()
        where T : struct =>
        Block<T>.Length;

    private static void InBlocks<T, TMap>(ReadOnlySpan<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T>
        where TMap : IMap
    {
        var block = Block<T>.Length;
        for (var i = 0; i < x.Length; i += block)
        {
            var n = Math.Min(block, x.Length - i);
            TMap.Invoke(x.Slice(i, n), y.Slice(i, n));
        }
    }

    /// <summary>One TensorPrimitives map, y = f(x), to run block by block.</summary>
    private interface IMap
    {
        /// <summary>y = f(x) on one block.</summary>
        static abstract void Invoke<T>(ReadOnlySpan<T> x, Span<T> y)
            where T : struct, IFloatingPointIeee754<T>;
    }

    private readonly struct ExpMap : IMap
    {
        public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y)
            where T : struct, IFloatingPointIeee754<T> =>
            TensorPrimitives.Exp(x, y);
    }

    private readonly struct SigmoidMap : IMap
    {
        public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y)
            where T : struct, IFloatingPointIeee754<T> =>
            TensorPrimitives.Sigmoid(x, y);
    }

    private readonly struct TanhMap : IMap
    {
        public static void Invoke<T>(ReadOnlySpan<T> x, Span<T> y)
            where T : struct, IFloatingPointIeee754<T> =>
            TensorPrimitives.Tanh(x, y);
    }

    // TensorPrimitives takes the widest accelerated width whose vectors hold T; where none
    // does, it runs a scalar loop, which never aligns, and one block is the whole span. Its
    // float32 functions blend their special cases element by element (no vector is computed
    // another way as a whole), so their elements do not depend on their neighbours and the
    // whole span is one block: blocks there cost 15-40 % and change no bit.
    private static class Block<T>
        where T : struct
    {
        public static readonly int Length = Widest();

        private static int Widest()
        {
            if (typeof(T) == typeof(float))
            {
                return int.MaxValue;
            }

            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                return 8 * Vector512<T>.Count;
            }

            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                return 8 * Vector256<T>.Count;
            }

            return Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported
                ? 8 * Vector128<T>.Count
                : int.MaxValue;
        }
    }
}
