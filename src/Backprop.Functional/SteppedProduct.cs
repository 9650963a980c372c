using System;
using System.Numerics;
using System.Threading;

namespace Backprop.Functional;

/// <summary>
/// A parameter step written by the gradient product itself: C = W, then C = C + α·op(A)·op(B)
/// (β = 1, α = −η), with whether every element of C came out finite. For SGD this is
/// W′ = W − η·δ·Xᵀ without ever storing δ·Xᵀ.
/// </summary>
/// <remarks>
/// Against a product into a gradient followed by a separate step, it skips BLAS's pass that
/// zeroes C for β = 0, the gradient's write and read, and the step's pass. Its bits can differ
/// from that route's in the last place: BLAS may fuse α·(A·B) + C into one rounding, and a
/// product long enough for BLAS to cut its dot products into blocks adds each block to C
/// separately. See docs/limitations.md.
/// </remarks>
internal readonly unsafe struct SteppedProduct : ISplittable<SteppedProduct>
{
    private readonly GemmCall product;
    private readonly nint from;
    private readonly int* finite;

    /// <summary>
    /// The step from W at <paramref name="from"/> (C's shape and column stride) through
    /// <paramref name="product"/>, whose β must be 1; <paramref name="finite"/> must hold 1
    /// and is set to 0 if any element of C is NaN or ±∞.
    /// </summary>
    public SteppedProduct(in GemmCall product, void* from, int* finite)
    {
        this.product = product;
        this.from = (nint)from;
        this.finite = finite;
    }

    /// <inheritdoc/>
    public double Work => product.Work;

    /// <summary>Copies W into C, runs the product and checks C.</summary>
    public void Invoke()
    {
        var ok = product.Single ? Run<float>() : Run<double>();
        if (!ok)
        {
            Volatile.Write(ref *finite, 0);
        }
    }

    /// <summary>
    /// The two halves of <see cref="GemmCall.TryHalve"/>, each copying and checking its own part
    /// of C (both share the flag, which they only ever clear).
    /// </summary>
    public bool TryHalve(out SteppedProduct first, out SteppedProduct second)
    {
        if (!product.TryHalve(out var p, out var q))
        {
            (first, second) = (this, this);
            return false;
        }

        first = new SteppedProduct(p, (void*)(from + (p.C - product.C)), finite);
        second = new SteppedProduct(q, (void*)(from + (q.C - product.C)), finite);
        return true;
    }

    // Whole columns of C lie end to end and go as one span; a block of rows goes a column at
    // a time.
    private bool Run<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, n, ldc) = (product.M, product.N, product.Ldc);
        var (length, count) = m == ldc ? (m * n, 1) : (m, n);
        for (var j = 0; j < count; j++)
        {
            new ReadOnlySpan<T>((T*)from + ((long)j * ldc), length)
                .CopyTo(new Span<T>((T*)product.C + ((long)j * ldc), length));
        }

        product.Invoke();

        var ok = true;
        for (var j = 0; j < count; j++)
        {
            ok &= Scalar.AllFinite<T>(
                new ReadOnlySpan<T>((T*)product.C + ((long)j * ldc), length));
        }

        return ok;
    }
}
