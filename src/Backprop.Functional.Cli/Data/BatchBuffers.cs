using System;
using System.Collections.Generic;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Batches of one image set written into the same pair of matrices on every call (one pair per
/// batch size), as numpy's allocator hands a freed batch's memory to the next one: the memory
/// stays in cache, where a fresh 400 KB batch a step would not.
/// </summary>
/// <remarks>
/// Each call overwrites the matrices the previous call of the same size returned. The core's
/// training run and evaluation read a batch only during the step that asked for it (their
/// documented contract), so for them the reuse cannot be seen; anything that keeps a batch
/// uses <see cref="ImageSet.Batch{T}"/> instead. One instance serves one thread.
/// </remarks>
/// <param name="set">The images.</param>
public sealed class BatchBuffers<T>(ImageSet set)
    where T : struct, IFloatingPointIeee754<T>
{
    private readonly Dictionary<int, (Matrix<T> X, Matrix<T> Y, T[] XValues, T[] YValues)>
        _bySize = [];

    /// <summary>The batch of <paramref name="indices"/>, in this instance's buffers.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public (Matrix<T> Inputs, Matrix<T> Targets) Batch(ReadOnlySpan<int> indices)
    {
        var m = indices.Length;
        if (!_bySize.TryGetValue(m, out var buffers))
        {
            var (x, y) = (new T[set.Features * m], new T[set.ClassCount * m]);
            buffers = (Matrix<T>.Build.Dense(set.Features, m, x),
                Matrix<T>.Build.Dense(set.ClassCount, m, y), x, y);
            _bySize[m] = buffers;
        }

        set.Fill<T>(indices, buffers.XValues, buffers.YValues);
        return (buffers.X, buffers.Y);
    }
}
