using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>Factories for <see cref="TrainingData{T}"/>.</summary>
public static class TrainingData
{
    /// <summary>
    /// Training data held in memory as two matrices, one sample a column: a batch is the
    /// columns at the given indices, copied, in that order.
    /// </summary>
    /// <param name="inputs">X, n₀ × n.</param>
    /// <param name="targets">Y, n_L × n, matching X column for column.</param>
    /// <exception cref="ArgumentException">The column counts differ or there are none.</exception>
    public static TrainingData<T> FromColumns<T>(Matrix<T> inputs, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (inputs.ColumnCount != targets.ColumnCount || inputs.ColumnCount == 0)
        {
            throw new ArgumentException(
                $"inputs are {Shapes.Describe(inputs)} and targets {Shapes.Describe(targets)}; "
                + "expected the same number of columns, at least one", nameof(targets));
        }

        var (x, y) = (inputs.Clone(), targets.Clone());
        return new TrainingData<T>(x.ColumnCount, indices =>
        {
            var columns = indices.ToArray();
            return (Columns(x, columns), Columns(y, columns));
        });
    }

    private static Matrix<T> Columns<T>(Matrix<T> m, int[] columns)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var source = Dense.Values(m);
        var rows = m.RowCount;
        var result = new T[rows * columns.Length];
        for (var k = 0; k < columns.Length; k++)
        {
            source.AsSpan(columns[k] * rows, rows).CopyTo(result.AsSpan(k * rows, rows));
        }

        return Dense.Of(rows, columns.Length, result);
    }
}
