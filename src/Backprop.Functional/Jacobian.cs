using System;
using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// What Backward needs of an activation's derivative at one layer: the Jacobian ∂o/∂Σ of each
/// sample's column, kept in compact form. <see cref="Apply(Matrix{T})"/> maps the upstream
/// gradient ∂L/∂o to δ = (∂o/∂Σ)ᵀ·∂L/∂o, column by column.
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
    public Matrix<T> Apply(Matrix<T> upstream)
    {
        var δ = Dense.Fresh<T>(upstream.RowCount, upstream.ColumnCount);
        Apply(Dense.Values(upstream), Dense.Values(δ));
        return δ;
    }

    /// <summary>
    /// δ = Jᵀ·g column by column, written into <paramref name="δ"/>, which may be the very span
    /// <paramref name="upstream"/> (every element is read before it is overwritten).
    /// </summary>
    internal abstract void Apply(ReadOnlySpan<T> upstream, Span<T> δ);
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
    internal override void Apply(ReadOnlySpan<T> upstream, Span<T> δ) =>
        TensorPrimitives.Multiply(upstream, Dense.Values(Slopes), δ);
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
    internal override void Apply(ReadOnlySpan<T> upstream, Span<T> δ)
    {
        var s = Dense.Values(Probabilities);
        var rows = Probabilities.RowCount;
        for (var k = 0; k < s.Length; k += rows)
        {
            var sk = s.AsSpan(k, rows);
            var gk = upstream.Slice(k, rows);
            var δk = δ.Slice(k, rows);
            var sᵀg = TensorPrimitives.Dot<T>(sk, gk);
            TensorPrimitives.Subtract(gk, sᵀg, δk);
            TensorPrimitives.Multiply(δk, sk, δk);
        }
    }
}

/// <summary>
/// The Jacobian of ReLU or leaky ReLU inside a training run: diagonal with slope 1 where o > 0
/// and α elsewhere, read off the output o = f(Σ) instead of stored (o > 0 exactly where Σ > 0,
/// for α ≥ 0, NaN included). δ = g ⊙ f′(Σ) with the same bits as
/// <see cref="DiagonalJacobian{T}"/>'s, one matrix fewer written and read.
/// </summary>
/// <param name="Output">o = f(Σ) before any dropout mask, out × m.</param>
/// <param name="Slope">α, the slope where Σ ≤ 0.</param>
internal sealed record StepJacobian<T>(Matrix<T> Output, T Slope) : Jacobian<T>
    where T : struct, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    internal override void Apply(ReadOnlySpan<T> upstream, Span<T> δ) =>
        Scalar.TimesStep(upstream, Dense.Values(Output), Slope, δ);
}
