using System;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// The running totals of an evaluation over the samples seen so far. Start from
/// <see cref="Empty"/>, fold batches in with <see cref="Metrics.Fold{T}"/>, and add the
/// evaluations of separate parts of a data set with +. Folding the batches of a data set one by
/// one gives the same counts as one pass over all of it.
/// </summary>
/// <remarks>
/// A sample's class is the index of its largest value (the first one on a tie), for the
/// network's output as for the target; with a single output the class is 1 when the value is at
/// least ½ and 0 otherwise, as for a sigmoid output with 0/1 targets.
/// </remarks>
/// <param name="Count">n, the number of samples seen.</param>
/// <param name="LossSum">Σₖ ℓₖ, the per-sample losses added in the order the samples came.</param>
/// <param name="Correct">The samples whose predicted class is their true class.</param>
/// <param name="Confusion">C, classes × classes: C[i][j] counts the samples of true class i
/// predicted as class j, so its diagonal sums to <see cref="Correct"/>.</param>
public sealed record Evaluation(int Count, double LossSum, int Correct, Arr<Arr<int>> Confusion)
{
    /// <summary>The number of classes, the size of <see cref="Confusion"/>.</summary>
    public int Classes => Confusion.Count;

    /// <summary>L = (1/n)·Σₖ ℓₖ, the mean loss; NaN before any sample.</summary>
    public double MeanLoss => Count == 0 ? double.NaN : LossSum / Count;

    /// <summary>The share of samples classified correctly, in [0, 1]; NaN before any.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    /// <summary>The evaluation of no samples, for <paramref name="classes"/> classes.</summary>
    /// <param name="classes">The number of classes, ≥ 2 (2 for a network with one output).</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes.</exception>
    public static Evaluation Empty(int classes)
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(
                nameof(classes), classes, $"an evaluation needs at least 2 classes, got {classes}");
        }

        var zeros = new Arr<int>(new int[classes]);
        return new(0, 0.0, 0, Arr.create(Enumerable.Repeat(zeros, classes).ToArray()));
    }

    /// <summary>The evaluation of both sets of samples: counts, sums and matrices added.</summary>
    /// <exception cref="ArgumentException">The two count different numbers of classes.</exception>
    public static Evaluation operator +(Evaluation a, Evaluation b) => Metrics.Combine(a, b);
}

/// <summary>Mean loss, accuracy and the confusion matrix as folds over batches.</summary>
public static class Metrics
{
    /// <summary>
    /// <paramref name="state"/> with the batch (X, Y) added: the network's per-sample losses
    /// (inference, no dropout) and, per sample, the predicted class against the true class.
    /// </summary>
    /// <param name="state">The totals so far.</param>
    /// <param name="network">The network to evaluate.</param>
    /// <param name="inputs">X, n₀ × m, one sample a column.</param>
    /// <param name="targets">Y, n_L × m, matching X column for column.</param>
    /// <param name="loss">The loss ℓ; it must accept the network's output activation.</param>
    /// <exception cref="ArgumentException">The state's class count does not fit the network's
    /// outputs, X, Y or the loss do not fit the network, or a column of Y names no class (its
    /// largest entry is tied, as in a column of zeros).</exception>
    public static Evaluation Fold<T>(
        Evaluation state, Network<T> network, Matrix<T> inputs, Matrix<T> targets, Loss loss)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        FoldFrom(state, network, inputs, targets, loss, null);

    // Fold, naming a target column that names no class as sample first + k of the data when
    // `first` is given (Evaluate's batches), else as column k of the caller's Y.
    private static Evaluation FoldFrom<T>(
        Evaluation state,
        Network<T> network,
        Matrix<T> inputs,
        Matrix<T> targets,
        Loss loss,
        int? first)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (state.Classes != ClassesOf(network))
        {
            throw new ArgumentException(
                $"the evaluation counts {state.Classes} classes but the network's "
                + $"{Plural.Of(network.OutputSize, "output")} "
                + $"{Plural.Word(network.OutputSize, "gives", "give")} {ClassesOf(network)}",
                nameof(state));
        }

        var output = Propagation.OutputTrace(network, inputs);
        var ℓ = loss.PerSample(output, targets);
        var confusion = state.Confusion.Select(row => row.ToArray()).ToArray();
        var (sum, correct) = (state.LossSum, state.Correct);
        for (var k = 0; k < ℓ.Count; k++)
        {
            sum += double.CreateChecked(ℓ[k]);
            var (truth, guess) = (TrueClassOf(targets, k, first), ClassOf(output.Output, k));
            confusion[truth][guess]++;
            correct += truth == guess ? 1 : 0;
        }

        return new Evaluation(state.Count + ℓ.Count, sum, correct, ToArr(confusion));
    }

    /// <summary>
    /// The evaluation of <paramref name="network"/> on every sample of
    /// <paramref name="data"/>, folded over batches of <paramref name="batchSize"/> in the
    /// samples' own order (no shuffle).
    /// </summary>
    /// <remarks>
    /// NOTE: outputs that overflow (finite inputs, very large weights) are counted, not refused:
    /// a NaN column is class 0 and makes the mean loss NaN. Check the mean loss is finite.
    /// </remarks>
    /// <exception cref="ArgumentException">No samples, a batch size below 1, or data that do not
    /// fit the network.</exception>
    public static Evaluation Evaluate<T>(
        Network<T> network, TrainingData<T> data, Loss loss, int batchSize)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (data.Count < 1 || batchSize < 1)
        {
            throw new ArgumentException(
                "an evaluation needs samples and a batch size ≥ 1, got "
                + $"{Plural.Of(data.Count, "sample")} "
                + $"and batch size {batchSize}");
        }

        var batches = BatchRanges.Count(data.Count, batchSize);
        return Enumerable.Range(0, batches).Aggregate(
            Evaluation.Empty(ClassesOf(network)),
            (state, b) =>
            {
                var (start, length) = BatchRanges.Of(b, batchSize, data.Count);
                var indices = Enumerable.Range(start, length);
                var (x, y) = BatchRanges.Fetch(data, Arr.create(indices.ToArray()));
                return FoldFrom(state, network, x, y, loss, start);
            });
    }

    /// <summary>The evaluation of both sets of samples: counts, sums and matrices added.</summary>
    /// <exception cref="ArgumentException">The two count different numbers of classes.</exception>
    public static Evaluation Combine(Evaluation a, Evaluation b)
    {
        if (a.Classes != b.Classes)
        {
            throw new ArgumentException(
                $"cannot combine evaluations of {a.Classes} and {b.Classes} classes");
        }

        var confusion = a.Confusion
            .Zip(b.Confusion, (r, s) => r.Zip(s, (x, y) => x + y).ToArray())
            .ToArray();
        return new Evaluation(
            a.Count + b.Count, a.LossSum + b.LossSum, a.Correct + b.Correct, ToArr(confusion));
    }

    /// <summary>The number of classes a network's output tells apart: 2 for one output.</summary>
    public static int ClassesOf<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.OutputSize == 1 ? 2 : network.OutputSize;

    // The class of column k: the first index of its largest value, or [value ≥ ½] for one row.
    // The class a target column names: its one largest entry (≥ 0.5 for a single row). A
    // column with a NaN, or whose largest entry is tied (all zeros included), names none.
    private static int TrueClassOf<T>(Matrix<T> targets, int k, int? first)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (largest, ties, nan) = (targets[0, k], 0, false);
        for (var i = 0; i < targets.RowCount; i++)
        {
            var y = targets[i, k];
            nan |= T.IsNaN(y);
            (largest, ties) = y > largest ? (y, 1) : (largest, ties + (y == largest ? 1 : 0));
        }

        string? problem = null;
        if (nan)
        {
            problem = "it holds NaN";
        }
        else if (targets.RowCount > 1 && ties > 1)
        {
            problem = $"its largest entry, {largest}, appears {ties} times";
        }

        return problem is null
            ? ClassOf(targets, k)
            : throw new ArgumentException(
                $"{(first is { } f ? $"the target of sample {f + k}" : $"target column {k}")} "
                + $"names no class: {problem}; expected one largest entry per column (a one-hot "
                + "target)",
                nameof(targets));
    }

    private static int ClassOf<T>(Matrix<T> m, int k)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (m.RowCount == 1)
        {
            return m[0, k] >= T.CreateChecked(0.5) ? 1 : 0;
        }

        var best = 0;
        for (var i = 1; i < m.RowCount; i++)
        {
            best = m[i, k] > m[best, k] ? i : best;
        }

        return best;
    }

    private static Arr<Arr<int>> ToArr(int[][] rows) =>
        Arr.create(rows.Select(r => new Arr<int>(r)).ToArray());
}
