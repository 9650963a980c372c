using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// The three matrix products of backpropagation, on the active <see cref="Backend"/>:
/// W·X (+ b), δ·Xᵀ and Wᵀ·δ. Each allocates its result and reads its arguments only.
/// </summary>
internal static class Products
{
    /// <summary>Σ = W·X + b·1ᵀ, out × m.</summary>
    public static Matrix<T> Affine<T>(Matrix<T> w, Matrix<T> x, Vector<T> b)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed)
        {
            return Dense.AddToColumnsOfFresh(w.Multiply(x), b);
        }

        var (rows, columns) = (w.RowCount, x.ColumnCount);
        var c = new T[rows * columns];
        var bias = Dense.Values(b);
        for (var j = 0; j < columns; j++)
        {
            bias.AsSpan().CopyTo(c.AsSpan(j * rows, rows));
        }

        Gemm(false, false, rows, columns, w.ColumnCount, w, x, T.One, c);
        return Dense.Of(rows, columns, c);
    }

    /// <summary>δ·Xᵀ: out × m times m × in gives out × in.</summary>
    public static Matrix<T> OuterSum<T>(Matrix<T> δ, Matrix<T> x)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed)
        {
            return δ.TransposeAndMultiply(x);
        }

        var c = new T[δ.RowCount * x.RowCount];
        Gemm(false, true, δ.RowCount, x.RowCount, δ.ColumnCount, δ, x, T.Zero, c);
        return Dense.Of(δ.RowCount, x.RowCount, c);
    }

    /// <summary>Wᵀ·δ: in × out times out × m gives in × m.</summary>
    public static Matrix<T> TransposeTimes<T>(Matrix<T> w, Matrix<T> δ)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed)
        {
            return w.TransposeThisAndMultiply(δ);
        }

        var c = new T[w.ColumnCount * δ.ColumnCount];
        Gemm(true, false, w.ColumnCount, δ.ColumnCount, w.RowCount, w, δ, T.Zero, c);
        return Dense.Of(w.ColumnCount, δ.ColumnCount, c);
    }

    // C (m × n) = op(A)·op(B) + β·C with op(A) m × k, column-major, leading dimensions the
    // stored row counts.
    private static void Gemm<T>(
        bool transA, bool transB, int m, int n, int k, Matrix<T> a, Matrix<T> b, T β, T[] c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (av, bv) = (Dense.Values(a), Dense.Values(b));
        if (typeof(T) == typeof(double))
        {
            OpenBlasLibrary.Gemm(transA, transB, m, n, k, 1.0,
                MemoryMarshal.Cast<T, double>(av), a.RowCount,
                MemoryMarshal.Cast<T, double>(bv), b.RowCount,
                double.CreateTruncating(β), MemoryMarshal.Cast<T, double>(c.AsSpan()), m);
        }
        else if (typeof(T) == typeof(float))
        {
            OpenBlasLibrary.Gemm(transA, transB, m, n, k, 1.0f,
                MemoryMarshal.Cast<T, float>(av), a.RowCount,
                MemoryMarshal.Cast<T, float>(bv), b.RowCount,
                float.CreateTruncating(β), MemoryMarshal.Cast<T, float>(c.AsSpan()), m);
        }
        else
        {
            throw new NotSupportedException($"no BLAS product for {typeof(T).Name}");
        }
    }
}
