using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// The three matrix products of backpropagation, on the active <see cref="Backend"/>:
/// W·X (+ b), δ·Xᵀ and Wᵀ·δ. Each writes its result into a matrix its caller took for it
/// (fresh, or a training run's own buffer) and reads its arguments only.
/// </summary>
internal static class Products
{
    /// <summary>Σ = W·X + b·1ᵀ, out × m, into <paramref name="into"/>.</summary>
    public static Matrix<T> Affine<T>(Matrix<T> w, Matrix<T> x, Vector<T> b, Matrix<T> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Affine(w, x, b, into, null);

    /// <summary>
    /// Σ = W·X + b·1ᵀ into <paramref name="into"/>, then o = f(Σ) written over it when
    /// <paramref name="then"/> is given: by each part of the product on its own block of Σ if
    /// f <see cref="Activation.AppliesByBlock"/>, else after the whole.
    /// </summary>
    public static Matrix<T> Affine<T>(
        Matrix<T> w, Matrix<T> x, Vector<T> b, Matrix<T> into, Activation? then)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        _ = Checked(w, x, b, into, check: false, then);
        return into;
    }

    /// <summary>
    /// <see cref="Affine{T}(Matrix{T}, Matrix{T}, Vector{T}, Matrix{T}, Activation)"/>, and
    /// whether every element of Σ is finite (checked where each part of Σ was written, before
    /// f).
    /// </summary>
    public static bool AffineFinite<T>(
        Matrix<T> w, Matrix<T> x, Vector<T> b, Matrix<T> into, Activation? then = null)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Checked(w, x, b, into, check: true, then);

    // Σ = W·X + b·1ᵀ with `check` and `then` as above, on the active backend.
    private static bool Checked<T>(
        Matrix<T> w, Matrix<T> x, Vector<T> b, Matrix<T> into, bool check, Activation? then)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var managed = Backends.Active == Backend.Managed;
        var byBlock = then is { AppliesByBlock: true } && !managed;
        bool finite;
        if (managed)
        {
            Dense.AddToColumns(Managed(into, c => w.Multiply(x, c)), b);
            finite = !check || Dense.AllFinite<T>(Dense.Values(into));
        }
        else
        {
            finite = Seeded(w, x, b, into, check, byBlock ? then : null);
        }

        if (then is not null && !byBlock)
        {
            then.ApplyInPlace(into);
        }

        return finite;
    }

    /// <summary>δ·Xᵀ: out × m times m × in gives out × in, into <paramref name="into"/>.</summary>
    public static Matrix<T> OuterSum<T>(Matrix<T> δ, Matrix<T> x, Matrix<T> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed)
        {
            return Managed(into, c => δ.TransposeAndMultiply(x, c));
        }

        var c = Dense.Values(into);
        Gemm(false, true, δ.RowCount, x.RowCount, δ.ColumnCount, δ, x, T.Zero, c);
        return into;
    }

    /// <summary>
    /// The SGD step of a layer's weights written by δ·Xᵀ itself: W′ = W + (−η)·δ·Xᵀ into
    /// <paramref name="into"/> (out × in; W itself to write over it), without storing δ·Xᵀ
    /// (<see cref="SeededProduct"/>); OpenBLAS only. Returns whether every element of W′ is
    /// finite.
    /// </summary>
    public static unsafe bool Stepped<T>(
        Matrix<T> δ, Matrix<T> x, Matrix<T> w, T minusη, Matrix<T> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed
            || (typeof(T) != typeof(double) && typeof(T) != typeof(float)))
        {
            throw new NotSupportedException(
                $"no stepped product for {typeof(T).Name} on {Backends.Active}");
        }

        var (m, n) = (δ.RowCount, x.RowCount);
        var finite = 1;
        fixed (byte* pa = &Bytes(Dense.Values(δ)), pb = &Bytes(Dense.Values(x)),
            pw = &Bytes(Dense.Values(w)), pc = &Bytes(Dense.Values(into)))
        {
            var product = new GemmCall(typeof(T) == typeof(float), false, true, m, n,
                δ.ColumnCount, double.CreateTruncating(minusη), pa, m, pb, n, 1.0, pc, m);
            HelperCore.Product(new SeededProduct(product, pw, m, &finite));
        }

        return finite == 1;
    }

    /// <summary>Wᵀ·δ: in × out times out × m gives in × m, into <paramref name="into"/>.</summary>
    public static Matrix<T> TransposeTimes<T>(Matrix<T> w, Matrix<T> δ, Matrix<T> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed)
        {
            return Managed(into, c => w.TransposeThisAndMultiply(δ, c));
        }

        var c = Dense.Values(into);
        Gemm(true, false, w.ColumnCount, δ.ColumnCount, w.RowCount, w, δ, T.Zero, c);
        return into;
    }

    // Σ = W·X + b·1ᵀ on OpenBLAS, b copied into each column by the part of the product that
    // writes it; with `check`, whether every element came out finite (else true); with `then`,
    // o = f(Σ) written over each part after its check.
    private static unsafe bool Seeded<T>(
        Matrix<T> w, Matrix<T> x, Vector<T> b, Matrix<T> into, bool check, Activation? then)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float))
        {
            throw new NotSupportedException($"no BLAS product for {typeof(T).Name}");
        }

        var (m, n) = (w.RowCount, x.ColumnCount);
        var finite = 1;
        fixed (byte* pa = &Bytes(Dense.Values(w)), pb = &Bytes(Dense.Values(x)),
            pbias = &Bytes(Dense.Values(b)), pc = &Bytes(Dense.Values(into)))
        {
            var product = new GemmCall(typeof(T) == typeof(float), false, false, m, n,
                w.ColumnCount, 1.0, pa, m, pb, x.RowCount, 1.0, pc, m);
            HelperCore.Product(
                new SeededProduct(product, pbias, 0, check ? &finite : null, then));
        }

        return finite == 1;
    }

    // MathNet's product into `into`, cleared first: a reused buffer may hold anything.
    private static Matrix<T> Managed<T>(Matrix<T> into, Action<Matrix<T>> product)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        into.Clear();
        product(into);
        return into;
    }

    // C (m × n) = op(A)·op(B) + β·C with op(A) m × k, column-major, leading dimensions the
    // stored row counts; small products use both cores (HelperCore).
    private static unsafe void Gemm<T>(
        bool transA, bool transB, int m, int n, int k, Matrix<T> a, Matrix<T> b, T β, T[] c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float))
        {
            throw new NotSupportedException($"no BLAS product for {typeof(T).Name}");
        }

        fixed (byte* pa = &Bytes(Dense.Values(a)), pb = &Bytes(Dense.Values(b)), pc = &Bytes(c))
        {
            HelperCore.Product(new GemmCall(typeof(T) == typeof(float), transA, transB, m, n, k,
                1.0, pa, a.RowCount, pb, b.RowCount, double.CreateTruncating(β), pc, m));
        }
    }

    // The first byte of the array, to pin: not a span of its bytes, whose length would
    // overflow for arrays of more than 2 GB (a layer of 600,000 units on a batch of 1024).
    private static ref byte Bytes<T>(T[] values)
        where T : struct =>
        ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values));
}
