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
        Dense.Fresh<T>(rows, columns);

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

    /// <summary>W′, a step's new weights, in a run that hands over networks by epochs.</summary>
    NewWeights,

    /// <summary>The second buffer for W′, used when the first holds the step's W.</summary>
    SpareWeights,
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

    /// <summary>
    /// A buffer for layer <paramref name="l"/>'s new weights W′ (out × in), which is not the
    /// storage of its current weights <paramref name="w"/>: of two buffers, the one that does
    /// not hold W. A step's W′ is therefore overwritten two steps later, once nothing reads it.
    /// </summary>
    public Matrix<T> NewWeights(int l, Matrix<T> w)
    {
        var first = Take(new Slot(SlotKind.NewWeights, l), w.RowCount, w.ColumnCount);
        return ReferenceEquals(Dense.Values(first), Dense.Values(w))
            ? Take(new Slot(SlotKind.SpareWeights, l), w.RowCount, w.ColumnCount)
            : first;
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

/// <summary>
/// Buffers for the hidden layers of <c>Predict</c> and evaluation, one set per thread: those
/// layers' Σ and o die inside the call that computes them, so reusing their storage cannot be
/// observed, and it spares every call the cost of writing fresh, uncached memory (measured at
/// 40–250 µs on a 1.3–1.6 ms product of 1000 images through a 784-128 layer).
/// </summary>
/// <remarks>
/// A call holds its thread's set from <see cref="Enter"/> to <see cref="Leave"/>; a call made
/// meanwhile on the same thread (user code inside a custom activation) gets fresh matrices.
/// Each thread keeps at most <see cref="Capacity"/> buffers (per element type), the most a
/// prediction of one network over two batch sizes needs for eight hidden layers, each of at
/// most <see cref="LargestKept"/> elements; a new shape beyond that starts the set afresh, and a
/// larger matrix is fresh every time. The output layer is always written into fresh memory, as
/// the caller keeps it.
/// </remarks>
internal sealed class ThreadScratch<T> : Scratch<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>The most buffers one thread keeps.</summary>
    public const int Capacity = 16;

    /// <summary>The most elements a kept buffer holds (16 MB of float32); larger matrices are
    /// taken fresh on every call and not kept.</summary>
    public const int LargestKept = 1 << 22;

    [ThreadStatic]
    private static ThreadScratch<T>? current;

    private readonly Dictionary<(Slot, int, int), Matrix<T>> _matrices = [];
    private bool _held;

    /// <summary>
    /// This thread's buffers, held until <see cref="Leave"/>; or, when a call on this thread
    /// already holds them (a custom activation that predicts), fresh matrices.
    /// </summary>
    public static Scratch<T> Enter()
    {
        var mine = current ??= new ThreadScratch<T>();
        if (mine._held)
        {
            return Fresh;
        }

        mine._held = true;
        return mine;
    }

    /// <summary>Gives back what <see cref="Enter"/> returned.</summary>
    public static void Leave(Scratch<T> scratch)
    {
        if (scratch is ThreadScratch<T> mine)
        {
            mine._held = false;
        }
    }

    /// <inheritdoc/>
    public override Matrix<T> Take(Slot slot, int rows, int columns)
    {
        if (_matrices.TryGetValue((slot, rows, columns), out var m))
        {
            return m;
        }

        if ((long)rows * columns > LargestKept)
        {
            return base.Take(slot, rows, columns);
        }

        if (_matrices.Count >= Capacity)
        {
            _matrices.Clear();
        }

        m = base.Take(slot, rows, columns);
        _matrices[(slot, rows, columns)] = m;
        return m;
    }
}
