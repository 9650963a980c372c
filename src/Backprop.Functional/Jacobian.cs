using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// What Backward needs of an activation's derivative at one layer: the Jacobian ∂o/∂Σ of each
/// sample's column, kept in compact form. <see cref="Apply"/> maps the upstream gradient ∂L/∂o
/// to δ = (∂o/∂Σ)ᵀ·∂L/∂o, column by column.
/// </summary>
/// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/>.</typeparam>
public abstract record Jacobian<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    private protected Jacobian()
    {
    }

    /// <summary>
    /// δ = Jᵀ·g for each column of <paramref name="upstream"/> (g = ∂L/∂o, out × m).
    /// </summary>
    /// <param name="upstream">∂L/∂o, the layer's shape: out × m.</param>
    /// <returns>δ = ∂L/∂Σ, out × m, as a new matrix.</returns>
    public abstract Matrix<T> Apply(Matrix<T> upstream);
}

/// <summary>
/// The Jacobian of an elementwise activation: diagonal, so it is stored as the matrix of slopes
/// f′(Σ), out × m, and applied as δ = g ⊙ f′(Σ).
/// </summary>
/// <param name="Slopes">f′(Σ), out × m.</param>
public sealed record DiagonalJacobian<T>(Matrix<T> Slopes) : Jacobian<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override Matrix<T> Apply(Matrix<T> upstream) =>
        Dense.Zip(upstream, Slopes, TensorPrimitives.Multiply);
}

/// <summary>
/// The Jacobian of softmax, J = diag(s) − s·sᵀ per column, stored as the probabilities s
/// (out × m) and applied without forming J: δ = s ⊙ (g − (sᵀg)·1).
/// </summary>
/// <param name="Probabilities">s = softmax(Σ), out × m; each column sums to 1.</param>
public sealed record SoftmaxJacobian<T>(Matrix<T> Probabilities) : Jacobian<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override Matrix<T> Apply(Matrix<T> upstream)
    {
        var s = Dense.Values(Probabilities);
        var g = Dense.Values(upstream);
        var rows = Probabilities.RowCount;
        var δ = new T[s.Length];

        for (var j = 0; j < Probabilities.ColumnCount; j++)
        {
            var sj = s.AsSpan(j * rows, rows);
            var gj = g.AsSpan(j * rows, rows);
            var δj = δ.AsSpan(j * rows, rows);
            var sᵀg = TensorPrimitives.Dot<T>(sj, gj);
            TensorPrimitives.Subtract(gj, sᵀg, δj);
            TensorPrimitives.Multiply(δj, sj, δj);
        }

        return Dense.Of(rows, Probabilities.ColumnCount, δ);
    }
}
