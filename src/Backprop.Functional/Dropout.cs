using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// Inverted dropout on hidden layers with explicit, keyed randomness: during training each hidden
/// unit's output is kept with probability 1 − p and scaled by 1/(1 − p), so inference, which
/// uses no dropout, needs no rescaling. The mask of layer l is drawn from a stream keyed by
/// (<see cref="Key"/>, l), so the same key gives the same mask.
/// </summary>
/// <param name="Rate">p in [0, 1), the probability of dropping a unit.</param>
/// <param name="Key">The key of the masks; a training run derives one per step.</param>
public sealed record Dropout(double Rate, ulong Key)
{
    /// <summary>No dropout.</summary>
    public static Dropout None { get; } = new(0.0, 0);

    private readonly double rate = Checked(Rate);

    /// <summary>p, checked: in [0, 1), also when set by a <c>with</c> expression.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1) or not
    /// finite.</exception>
    public double Rate
    {
        get => rate;
        init => rate = Checked(value);
    }

    /// <summary>
    /// The key for one training step: a fresh mask per step, the same on every rerun.
    /// </summary>
    public static ulong StepKey(ulong seed, long step) =>
        Rng.FromSeed(unchecked(seed ^ 0x5DEECE66DUL)).BitsAt(step);

    /// <summary>
    /// The scaled mask for layer <paramref name="layer"/>: 0 or 1/(1 − p), rows × m.
    /// </summary>
    internal Matrix<T> Mask<T>(int layer, int rows, int columns)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var keep = 1.0 - Rate;
        var scale = T.CreateChecked(1.0 / keep);
        var values = new T[rows * columns];
        var rng = Rng.FromSeed(Rng.FromSeed(Key).BitsAt(layer));
        for (var i = 0; i < values.Length; i++)
        {
            (var u, rng) = rng.NextUniform();
            values[i] = u < keep ? scale : T.Zero;
        }

        return Dense.Of(rows, columns, values);
    }

    private static double Checked(double p) =>
        double.IsFinite(p) && p >= 0 && p < 1
            ? p
            : throw new ArgumentOutOfRangeException(
                nameof(Rate), p, $"dropout rate must be in [0, 1), got {p}");
}

/// <summary>
/// The Jacobian of a dropped-out layer, o = f(Σ) ⊙ M with M the scaled mask:
/// ∂o/∂Σ = diag(M)·J_f, so δ = J_fᵀ(g ⊙ M).
/// </summary>
/// <param name="Inner">J_f, the activation's own Jacobian.</param>
/// <param name="Mask">M, entries 0 or 1/(1 − p), out × m.</param>
public sealed record MaskedJacobian<T>(Jacobian<T> Inner, Matrix<T> Mask) : Jacobian<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    internal override void Apply(ReadOnlySpan<T> upstream, Span<T> δ)
    {
        TensorPrimitives.Multiply(upstream, Dense.Values(Mask), δ);
        Inner.Apply(δ, δ);
    }
}
