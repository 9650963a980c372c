using System;
using System.Collections.Generic;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Batches of one image set written into the same two pairs of matrices, taken in turns (two
/// pairs per batch size), as numpy's allocator hands a freed batch's memory to the next one:
/// the memory stays in cache, where a fresh 400 KB batch a step would not. The next batch can
/// be converted ahead, while a step runs, on the core library's helper thread
/// (<see cref="Prepare"/>).
/// </summary>
/// <remarks>
/// Each call overwrites matrices that an earlier call returned: <see cref="Batch"/> returns
/// the pair that <see cref="Prepare"/> wrote if the indices are the prepared ones, else it
/// writes the pair it returned last. The core's training run and evaluation read a batch only
/// during the step that asked for it (their documented contract), and a run names the next
/// batch only after it has fetched the current one, so for them the reuse cannot be seen;
/// anything that keeps a batch uses <see cref="ImageSet.Batch{T}"/> instead. One instance
/// serves one thread.
/// </remarks>
/// <param name="set">The images.</param>
public sealed class BatchBuffers<T>(ImageSet set)
    where T : struct, IFloatingPointIeee754<T>
{
    // How many images ahead of the one it converts a piece asks the processor for.
    private const int Ahead = 4;

    private readonly Dictionary<int, Pair> _bySize = [];
    private (int[] Indices, IdleWork Work)? _prepared;

    /// <summary>
    /// The batch of <paramref name="indices"/>, in this instance's buffers: the one
    /// <see cref="Prepare"/> converted if it was for the same indices.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public (Matrix<T> Inputs, Matrix<T> Targets) Batch(ReadOnlySpan<int> indices)
    {
        var pair = PairOf(indices.Length);
        if (_prepared is var (prepared, work))
        {
            _prepared = null;
            work.Finish();
            if (indices.SequenceEqual(prepared))
            {
                pair.Swap();
                return (pair.Current.X, pair.Current.Y);
            }
        }

        set.Fill<T>(indices, pair.Current.XValues, pair.Current.YValues);
        return (pair.Current.X, pair.Current.Y);
    }

    /// <summary>
    /// Starts converting the batch of <paramref name="indices"/> into the pair of buffers that
    /// <see cref="Batch"/> did not return last, one image a piece of the core's
    /// <see cref="IdleWork"/>, and returns; the next <see cref="Batch"/> call for the same
    /// indices finishes it and returns it. Indices outside the set are left for that call to
    /// refuse: nothing is prepared.
    /// </summary>
    public void Prepare(ReadOnlySpan<int> indices)
    {
        if (_prepared is var (_, earlier))
        {
            _prepared = null;
            earlier.Finish();
        }

        foreach (var i in indices)
        {
            if ((uint)i >= (uint)set.Count)
            {
                return;
            }
        }

        // The first images are asked for here, each later one by the piece four before it,
        // on the thread that converts them (the helper, mostly), not all here on the caller's.
        set.Prefetch(indices[..Math.Min(Ahead, indices.Length)]);
        var copy = indices.ToArray();
        var spare = PairOf(copy.Length).Spare;
        _prepared = (copy, IdleWork.Start(copy.Length, j =>
        {
            if (j + Ahead < copy.Length)
            {
                set.Prefetch(copy.AsSpan(j + Ahead, 1));
            }

            set.FillColumn<T>(copy[j], j, spare.XValues, spare.YValues);
        }));
    }

    private Pair PairOf(int m)
    {
        if (!_bySize.TryGetValue(m, out var pair))
        {
            pair = new Pair(Buffers.Of(set, m), Buffers.Of(set, m));
            _bySize[m] = pair;
        }

        return pair;
    }

    // One batch's matrices and the arrays under them.
    private sealed record Buffers(Matrix<T> X, Matrix<T> Y, T[] XValues, T[] YValues)
    {
        public static Buffers Of(ImageSet set, int m)
        {
            var (x, y) = (new T[set.Features * m], new T[set.ClassCount * m]);
            return new(Matrix<T>.Build.Dense(set.Features, m, x),
                Matrix<T>.Build.Dense(set.ClassCount, m, y), x, y);
        }
    }

    // The buffers returned last and the spare ones that a prepared batch is written into.
    private sealed class Pair(Buffers current, Buffers spare)
    {
        public Buffers Current { get; private set; } = current;

        public Buffers Spare { get; private set; } = spare;

        public void Swap() => (Current, Spare) = (Spare, Current);
    }
}
