using System;
using System.Collections.Generic;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// Where Forward and Backward get the matrices they write: fresh ones for the public functions,
/// whose results the caller keeps, or buffers reused from step to step inside a training run,
/// where nothing outside the run can see them (see <see cref="Workspace{T}"/>).
/// </summary>
/// <remarks>
/// The same code computes into either, so a training step gives the same bits as the public
/// Forward, Backward and Update would. Every matrix taken is written in full by its taker before
/// it is read: fresh ones are not zeroed.
/// </remarks>
internal class Scratch<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>Fresh, unshared matrices on every call.</summary>
    public static Scratch<T> Fresh { get; } = new();

    /// <summary>A rows × columns matrix for the result of kind <paramref name="slot"/>.</summary>
    public virtual Matrix<T> Take(Slot slot, int rows, int columns) =>
        Dense.Of(rows, columns, GC.AllocateUninitializedArray<T>(rows * columns));

    /// <summary>A vector of the given length for the result of kind
    /// <paramref name="slot"/>.</summary>
    public virtual Vector<T> TakeVector(Slot slot, int length) =>
        Dense.Of(GC.AllocateUninitializedArray<T>(length));
}

/// <summary>
/// The kind of an intermediate result and its layer (0-based), which names a reusable buffer.
/// </summary>
/// <param name="Kind">What the buffer holds.</param>
/// <param name="Layer">The layer it belongs to, from 0 at the input side.</param>
internal readonly record struct Slot(SlotKind Kind, int Layer);

/// <summary>What a buffer of a <see cref="Workspace{T}"/> holds.</summary>
internal enum SlotKind
{
    /// <summary>Σ, the weighted input.</summary>
    WeightedInput,

    /// <summary>o = f(Σ).</summary>
    Output,

    /// <summary>o ⊙ M after dropout.</summary>
    MaskedOutput,

    /// <summary>f′(Σ), the diagonal of an elementwise Jacobian.</summary>
    Slopes,

    /// <summary>δ = ∂L/∂Σ.</summary>
    Delta,

    /// <summary>∂L/∂W.</summary>
    WeightGradient,

    /// <summary>∂L/∂b.</summary>
    BiasGradient,
}

/// <summary>
/// Buffers reused across the steps of one enumeration of a training run. The trace and the
/// gradient of a step live here and are dead once the step's update is made, so reusing them
/// cannot be observed; only the new network and small records are allocated per step.
/// </summary>
/// <remarks>
/// One workspace belongs to one enumeration on one thread. Buffers are kept per shape, so the
/// shorter last batch of an epoch gets its own and does not evict the full-size ones.
/// </remarks>
internal sealed class Workspace<T> : Scratch<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    private readonly Dictionary<(Slot, int, int), Matrix<T>> _matrices = [];
    private readonly Dictionary<(Slot, int), Vector<T>> _vectors = [];

    /// <inheritdoc/>
    public override Matrix<T> Take(Slot slot, int rows, int columns)
    {
        if (!_matrices.TryGetValue((slot, rows, columns), out var m))
        {
            m = base.Take(slot, rows, columns);
            _matrices[(slot, rows, columns)] = m;
        }

        return m;
    }

    /// <inheritdoc/>
    public override Vector<T> TakeVector(Slot slot, int length)
    {
        if (!_vectors.TryGetValue((slot, length), out var v))
        {
            v = base.TakeVector(slot, length);
            _vectors[(slot, length)] = v;
        }

        return v;
    }

    /// <summary>Whether <paramref name="array"/> is the storage of one of these buffers.</summary>
    public bool Owns(T[] array)
    {
        foreach (var m in _matrices.Values)
        {
            if (ReferenceEquals(Dense.Values(m), array))
            {
                return true;
            }
        }

        foreach (var v in _vectors.Values)
        {
            if (ReferenceEquals(Dense.Values(v), array))
            {
                return true;
            }
        }

        return false;
    }
}
