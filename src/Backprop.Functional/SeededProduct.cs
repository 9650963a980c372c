using System;
using System.Numerics;
using System.Threading;

namespace Backprop.Functional;

/// <summary>
/// A product that starts from a seed: C = S, then C = C + α·op(A)·op(B) (β = 1). The seed is
/// a matrix of C's shape (W, for a parameter step W′ = W − η·δ·Xᵀ that never stores δ·Xᵀ) or
/// a column repeated (b, for Σ = W·X + b·1ᵀ); the step also reports whether every element of C
/// came out finite.
/// </summary>
/// <remarks>
/// <para>
/// Each half of a cut product writes its own part of the seed, so the copy runs on both cores
/// and C's memory is written by the core that multiplies into it.
/// </para>
/// <para>
/// Against a product into a gradient followed by a separate step, the step skips BLAS's pass
/// that zeroes C for β = 0, the gradient's write and read, and the step's pass. Its bits can
/// differ from that route's in the last place: BLAS may fuse α·(A·B) + C into one rounding, and
/// a product long enough for BLAS to cut its dot products into blocks adds each block to C
/// separately. See docs/limitations.md.
/// </para>
/// </remarks>
internal readonly unsafe struct SeededProduct : ISplittable<SeededProduct>
{
    private readonly GemmCall product;
    private readonly nint seed;
    private readonly int seedStride;
    private readonly int* finite;
    private readonly Activation? then;

    /// <summary>
    /// The product <paramref name="product"/>, whose β must be 1, from the seed at
    /// <paramref name="seed"/> (null and β 0 for a half that writes partial sums): C's rows of
    /// its column j start <paramref name="seedStride"/>·j elements on (C's column stride for a
    /// matrix, 0 for a column repeated). When
    /// <paramref name="finite"/> is not null it must hold 1, and is set to 0 if any element of
    /// C is NaN or ±∞.
    /// </summary>
    /// <remarks>With <paramref name="then"/> (an activation that
    /// <see cref="Activation.AppliesByBlock"/>), o = f(C) is written over C after the check,
    /// by each part on its own block.</remarks>
    public SeededProduct(
        in GemmCall product, void* seed, int seedStride, int* finite, Activation? then = null)
    {
        this.product = product;
        this.seed = (nint)seed;
        this.seedStride = seedStride;
        this.finite = finite;
        this.then = then;
    }

    /// <inheritdoc/>
    public double Work => product.Work;

    /// <inheritdoc/>
    public long PartialBytes => product.PartialBytes;

    /// <summary>Copies the seed into C, runs the product and, if asked, checks C.</summary>
    public void Invoke()
    {
        var ok = product.Single ? Run<float>() : Run<double>();
        if (!ok)
        {
            Volatile.Write(ref *finite, 0);
        }
    }

    /// <summary>
    /// The two halves of <see cref="GemmCall.TryHalve"/>. Cut across C, each seeds and checks
    /// its own part of C (both share the flag, which they only ever clear). Cut across the dot
    /// products, the first seeds the whole of C and the second writes the partial sums, and
    /// <see cref="Join"/> checks C once they are added.
    /// </summary>
    public bool TryHalve(void* partial, out SeededProduct first, out SeededProduct second)
    {
        if (!product.TryHalve(partial, out var p, out var q))
        {
            (first, second) = (this, this);
            return false;
        }

        if (product.CutsDepth)
        {
            first = new SeededProduct(p, (void*)seed, seedStride, null);
            second = new SeededProduct(q, null, 0, null);
            return true;
        }

        first = Part(p);
        second = Part(q);
        return true;
    }

    /// <summary>
    /// After a cut across the dot products: adds the partial sums to C and, if asked, checks
    /// C. Nothing after a cut across C, whose halves checked their parts.
    /// </summary>
    public void Join(in SeededProduct second)
    {
        if (!product.CutsDepth)
        {
            return;
        }

        product.Join(second.product);
        if (finite != null && !(product.Single ? AllFinite<float>() : AllFinite<double>()))
        {
            *finite = 0;
        }

        if (product.Single)
        {
            Activate<float>();
        }
        else
        {
            Activate<double>();
        }
    }

    // The part of this product that computes `part`'s block of C, from the same block of the
    // seed: C's element offset e is row e mod ldc of column e div ldc.
    private SeededProduct Part(in GemmCall part)
    {
        var size = product.Single ? sizeof(float) : sizeof(double);
        var offset = (part.C - product.C) / size;
        var (column, row) = Math.DivRem(offset, (long)product.Ldc);
        var from = seed + (nint)((row + (column * seedStride)) * size);
        return new SeededProduct(part, (void*)from, seedStride, finite, then);
    }

    // Whole columns of C lie end to end and, from a matrix seed of the same layout, go as one
    // span; otherwise the seed goes a column at a time. A seed that is C itself (a step written
    // over W) is not copied, and a half without a seed (the partial sums of a cut across the
    // dot products) starts from BLAS's β = 0.
    private bool Run<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, n, ldc) = (product.M, product.N, product.Ldc);
        var (length, count) = m == ldc && seedStride == ldc ? (m * n, 1) : (m, n);
        var copied = seed != 0 && seed != product.C;
        for (var j = 0; copied && j < count; j++)
        {
            new ReadOnlySpan<T>((T*)seed + ((long)j * seedStride), length)
                .CopyTo(new Span<T>((T*)product.C + ((long)j * ldc), length));
        }

        product.Invoke();
        var ok = finite == null || AllFinite<T>();
        Activate<T>();
        return ok;
    }

    // o = f(C) over this product's C, column by column, if it was given an activation.
    private void Activate<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (then is null)
        {
            return;
        }

        var (m, n, ldc) = (product.M, product.N, product.Ldc);
        var (length, count) = m == ldc ? (m * n, 1) : (m, n);
        for (var j = 0; j < count; j++)
        {
            var c = new Span<T>((T*)product.C + ((long)j * ldc), length);
            then.EvaluateSpans<T>(c, m, c);
        }
    }

    // Whether every element of this product's C is finite.
    private bool AllFinite<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, n, ldc) = (product.M, product.N, product.Ldc);
        var (length, count) = m == ldc ? (m * n, 1) : (m, n);
        var ok = true;
        for (var j = 0; j < count; j++)
        {
            ok &= Scalar.AllFinite<T>(new ReadOnlySpan<T>((T*)product.C + ((long)j * ldc), length));
        }

        return ok;
    }
}
