using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// A span operation that reads <paramref name="x"/> and writes <paramref name="destination"/>.
/// </summary>
internal delegate void SpanMap<T>(ReadOnlySpan<T> x, Span<T> destination);

/// <summary>
/// A span operation that reads two spans and writes <paramref name="destination"/>.
/// </summary>
internal delegate void SpanZip<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);

/// <summary>
/// Elementwise work on dense, column-major matrices. Every function allocates its result and
/// reads its arguments only: nothing here writes into a matrix it was given.
/// </summary>
internal static class Dense
{
    /// <summary>The column-major values of <paramref name="m"/>, for reading only.</summary>
    /// <remarks>For a dense matrix this is MathNet's own storage, not a copy: never write to
    /// it.</remarks>
    public static T[] Values<T>(Matrix<T> m)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        m.AsColumnMajorArray() ?? m.ToColumnMajorArray();

    /// <summary>The values of <paramref name="v"/>, for reading only.</summary>
    public static T[] Values<T>(Vector<T> v)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        v.AsArray() ?? v.ToArray();

    /// <summary>A dense matrix over <paramref name="columnMajor"/>, which it takes over.</summary>
    public static Matrix<T> Of<T>(int rows, int columns, T[] columnMajor)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Matrix<T>.Build.Dense(rows, columns, columnMajor);

    /// <summary>A dense vector over <paramref name="values"/>, which it takes over.</summary>
    public static Vector<T> Of<T>(T[] values)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Vector<T>.Build.Dense(values);

    /// <summary>A new rows × columns matrix, not zeroed: the caller writes every element.</summary>
    /// <exception cref="ArgumentException">It would have more elements than an array can
    /// hold.</exception>
    public static Matrix<T> Fresh<T>(int rows, int columns)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Of(rows, columns, GC.AllocateUninitializedArray<T>(Elements(rows, columns)));

    /// <summary>
    /// rows·columns, or an <see cref="ArgumentException"/> saying so when that is more than an
    /// array can hold (a layer of 3,000,000 units on a batch of 1000, say).
    /// </summary>
    public static int Elements(int rows, int columns)
    {
        var count = (long)rows * columns;
        return count <= Array.MaxLength
            ? (int)count
            : throw new ArgumentException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"a {rows} × {columns} matrix has {count:N0} elements, more than one array "
                + $"can hold ({Array.MaxLength:N0}); use smaller batches"));
    }

    /// <summary>f applied to every element, as a new matrix.</summary>
    /// <remarks>f must write every element of its destination, which is not zeroed.</remarks>
    public static Matrix<T> Map<T>(Matrix<T> m, SpanMap<T> f)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = GC.AllocateUninitializedArray<T>(m.RowCount * m.ColumnCount);
        f(Values(m), result);
        return Of(m.RowCount, m.ColumnCount, result);
    }

    /// <summary>
    /// f applied to matching elements of two same-shaped matrices, as a new matrix.
    /// </summary>
    /// <remarks>f must write every element of its destination, which is not zeroed.</remarks>
    public static Matrix<T> Zip<T>(Matrix<T> a, Matrix<T> b, SpanZip<T> f)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = GC.AllocateUninitializedArray<T>(a.RowCount * a.ColumnCount);
        f(Values(a), Values(b), result);
        return Of(a.RowCount, a.ColumnCount, result);
    }

    /// <summary>Whether every element is finite (no NaN, no ±∞), checked in SIMD.</summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Scalar.AllFinite(values);

    /// <summary>Index of the first element that is NaN or ±∞, or −1.</summary>
    public static int FirstNonFinite<T>(ReadOnlySpan<T> values)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (AllFinite(values))
        {
            return -1;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The sum of each row, m·1, written into <paramref name="into"/> (length rows), which it
    /// returns: columns are added one by one, left to right, from 0.
    /// </summary>
    public static Vector<T> RowSums<T>(Matrix<T> m, Vector<T> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = Values(m);
        var rows = m.RowCount;
        var sums = Values(into).AsSpan();
        sums.Clear();
        for (var j = 0; j < m.ColumnCount; j++)
        {
            TensorPrimitives.Add(sums, values.AsSpan(j * rows, rows), sums);
        }

        return into;
    }

    /// <summary>
    /// Σ = P + b·1ᵀ: <paramref name="product"/> with the bias added to every column, in place.
    /// </summary>
    /// <remarks>Writes into <paramref name="product"/>, which the caller has just
    /// computed into a matrix of its own.</remarks>
    public static Matrix<T> AddToColumns<T>(Matrix<T> product, Vector<T> bias)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = Values(product);
        var b = Values(bias);
        var rows = product.RowCount;
        for (var j = 0; j < product.ColumnCount; j++)
        {
            var column = values.AsSpan(j * rows, rows);
            TensorPrimitives.Add(column, b, column);
        }

        return product;
    }

    /// <summary>
    /// An m × n matrix of the values of <paramref name="v"/>, one per row, as a copy.
    /// </summary>
    public static Matrix<T> Column<T>(Vector<T> v)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Of(v.Count, 1, (T[])Values(v).Clone());
}
