using System;
using System.Collections.Generic;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// A training set seen through its batches: <see cref="Count"/> samples, and a function from
/// sample indices to the matching batch (X, Y), one sample a column.
/// </summary>
/// <remarks>
/// <see cref="Training.Run{T}"/> and <see cref="Metrics"/> read a batch only while computing
/// the step or the fold that asked for it, and keep no reference to it afterwards: a batch
/// function may therefore write every batch into the same buffers, as the command-line tool's
/// does, to keep them in cache. A run may also tell the source which batch comes next
/// (<see cref="Upcoming"/>).
/// </remarks>
/// <param name="Count">n, the number of samples.</param>
/// <param name="Batch">The batch (X: n₀ × k, Y: n_L × k) for k sample indices, in that
/// order.</param>
public sealed record TrainingData<T>(
    int Count, Func<Arr<int>, (Matrix<T> Inputs, Matrix<T> Targets)> Batch)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>
    /// A hint, or null (the default): <see cref="Training.Run{T}"/> and
    /// <see cref="Training.Resume{T}"/> call it with the indices of the next batch of the
    /// epoch just after they fetched the current one, so that a source can start loading those
    /// samples while the step computes (the command-line tool converts the images on the
    /// library's helper thread, between the halves of the step's products, through
    /// <see cref="IdleWork"/>). It must not change what <see cref="Batch"/> returns.
    /// </summary>
    /// <remarks>
    /// It is called on the thread that enumerates the run, before the step, so it should only
    /// start work and return. It is not called before an epoch's first batch (that epoch's
    /// order is drawn when the epoch starts), so never in a one-batch epoch; and a run that is
    /// stopped after a step may leave one hinted batch unfetched. An exception it throws ends
    /// the enumeration, as one from <see cref="Batch"/> does. Evaluation
    /// (<see cref="Metrics"/>) reads its batches in order and does not call it.
    /// </remarks>
    public Action<Arr<int>>? Upcoming { get; init; }
}

/// <summary>What a run does when a loss, gradient or weight turns NaN or ±∞.</summary>
public enum NonFinitePolicy
{
    /// <summary>Yield one last step naming where it happened, and end the sequence.</summary>
    Stop,

    /// <summary>Skip that update (the network and optimizer state stay), count it, go on.</summary>
    SkipStep,
}

/// <summary>How a run trains: the optimizer chain, the loss, batches, seed and dropout.</summary>
/// <param name="Optimizer">The optimizer, with its schedule and transforms.</param>
/// <param name="Loss">The loss; it must accept the network's output activation.</param>
/// <param name="BatchSize">Samples per batch, ≥ 1; the last batch of an epoch may be
/// shorter.</param>
/// <param name="Seed">Seeds the shuffles (per epoch) and the dropout masks (per step).</param>
public sealed record TrainingOptions(Optimizer Optimizer, Loss Loss, int BatchSize, ulong Seed)
{
    /// <summary>p, the dropout rate of hidden layers, in [0, 1). Defaults to 0 (none).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// What to do on a non-finite value. Defaults to <see cref="NonFinitePolicy.Stop"/>.
    /// </summary>
    public NonFinitePolicy OnNonFinite { get; init; } = NonFinitePolicy.Stop;
}

/// <summary>The state after one training step: everything a checkpoint needs to resume.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="BatchesPerEpoch">The number of batches in an epoch, ⌈n / batch size⌉.</param>
/// <param name="Step">The number of steps taken so far (skipped ones included), from 1.</param>
/// <param name="Network">The network after the step.</param>
/// <param name="Optimizer">The optimizer state after the step (its η is the one used).</param>
/// <param name="Loss">The batch's mean loss before the step.</param>
/// <param name="BatchSize">The samples in this batch: the batch size, or fewer for the
/// last.</param>
/// <param name="Skipped">Updates skipped so far for non-finite values.</param>
/// <param name="Problem">Why the run stopped, on its last step only: what turned non-finite
/// (the loss, a gradient or the weights), at which epoch, batch and step, and in which
/// layer.</param>
public sealed record TrainingStep<T>(
    int Epoch,
    int Batch,
    int BatchesPerEpoch,
    long Step,
    Network<T> Network,
    OptimizerState<T> Optimizer,
    T Loss,
    int BatchSize,
    int Skipped,
    Option<string> Problem)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>Whether this step ends its epoch.</summary>
    public bool EndsEpoch => Batch == BatchesPerEpoch;
}

/// <summary>Mini-batch training as a lazy sequence of steps.</summary>
public static class Training
{
    /// <summary>
    /// The seed of epoch e's shuffle: seed + 1000 + e, so that every epoch's order depends only
    /// on (seed, epoch).
    /// </summary>
    public static ulong ShuffleSeed(ulong seed, int epoch) =>
        unchecked(seed + 1000UL + (ulong)epoch);

    /// <summary>
    /// Training as an endless lazy sequence of steps. Each epoch e (from 1) visits the samples in
    /// the order of a Fisher–Yates permutation drawn from <see cref="ShuffleSeed"/>(seed, e), in
    /// batches of the batch size (the last one shorter when it does not divide n; a set smaller
    /// than one batch is one batch). Each step runs Forward (with dropout keyed by (seed, step)),
    /// Backward on the batch's mean loss, and the optimizer's update.
    /// </summary>
    /// <remarks>
    /// Nothing happens until the sequence is enumerated, and enumerating it twice repeats the same
    /// steps bit for bit. Take from it to stop (early stopping is <c>TakeWhile</c>); save any
    /// step to checkpoint, and <see cref="Resume{T}"/> from it. A step computes what Forward,
    /// Backward and the optimizer's Update compute, into buffers that the enumeration reuses,
    /// so it allocates only the new network and small records.
    /// NOTE: with plain SGD (no transforms, η &gt; 0) on OpenBLAS, a step writes each layer's
    /// new weights in its gradient product, W′ = W − η·δ·o_(l−1)ᵀ with δ·o_(l−1)ᵀ never stored.
    /// Those weights can differ from Update's in the last bit: BLAS may round α·(A·B) + C once
    /// where Update rounds the product and the sum apart. Runs stay bit-reproducible; a loop of
    /// Forward, Backward and Update by hand is the same training but not the same bits.
    /// NOTE: every step's new weight matrices are fresh arrays; over 85 KB they land on the
    /// large-object heap and cost gen-2 collections unless the executable raises
    /// System.GC.LOHThreshold, as the CLI does. See docs/limitations.md.
    /// </remarks>
    /// <exception cref="ArgumentException">No samples, a batch size below 1, a dropout rate outside
    /// [0, 1), or a loss that cannot follow the network's output.</exception>
    public static IEnumerable<TrainingStep<T>> Run<T>(
        Network<T> network, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Check(network, data, options);
        var start = new TrainingStep<T>(
            1,
            0,
            Batches(data, options),
            0,
            network,
            options.Optimizer.Init(network),
            T.Zero,
            0,
            0,
            None);
        return Enumerate(start, data, options);
    }

    /// <summary>
    /// The steps after <paramref name="checkpoint"/>, exactly as the uninterrupted run would have
    /// taken them: the shuffles depend only on (seed, epoch) and the dropout masks on (seed,
    /// step).
    /// </summary>
    /// <remarks>
    /// Resumed from the step where a run stopped on a non-finite value (its
    /// <see cref="TrainingStep{T}.Problem"/> set), which made no update, the run counts that
    /// step as skipped, as <see cref="NonFinitePolicy.SkipStep"/> would have.
    /// </remarks>
    /// <exception cref="ArgumentException">The checkpoint's position does not hold together
    /// (an epoch below 1, a batch outside [0, batches], a step other than
    /// (epoch − 1) · batches + batch, skipped steps outside [0, step], an optimizer that has
    /// not taken step − skipped updates), the data's batch count differs from the checkpoint's,
    /// or the options are invalid.</exception>
    public static IEnumerable<TrainingStep<T>> Resume<T>(
        TrainingStep<T> checkpoint, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        CheckPosition(checkpoint);
        Check(checkpoint.Network, data, options);
        if (Batches(data, options) != checkpoint.BatchesPerEpoch)
        {
            throw new ArgumentException(
                $"the checkpoint has {Plural.Of(checkpoint.BatchesPerEpoch, "batch", "batches")} "
                + "an epoch but these data "
                + $"and batch size give {Batches(data, options)}", nameof(data));
        }

        // The step where a run stopped made no update: resumed, it counts as skipped.
        var last = checkpoint.Problem.IsSome
            ? checkpoint with { Skipped = checkpoint.Skipped + 1, Problem = None }
            : checkpoint;
        var next = last.EndsEpoch
            ? last with { Epoch = last.Epoch + 1, Batch = 0 }
            : last;
        return Enumerate(next, data, options);
    }

    /// <summary>
    /// Plain mini-batch SGD with a constant η: <see cref="Run{T}"/> with
    /// <see cref="Optimizer.Sgd(double)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">η is zero, negative or not
    /// finite.</exception>
    public static IEnumerable<TrainingStep<T>> Steps<T>(
        Network<T> network,
        TrainingData<T> data,
        Loss loss,
        T learningRate,
        int batchSize,
        ulong seed)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Run(network, data, new TrainingOptions(
            Optimizer.Sgd(double.CreateChecked(learningRate)), loss, batchSize, seed));

    // A position the sequence can have reached: Run starts at (epoch 1, batch 0, step 0), and
    // each step moves one batch on, counting skipped updates in the step but not in the
    // optimizer's count; the step where a run stopped has not updated either.
    private static void CheckPosition<T>(TrainingStep<T> c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var expected = (((long)c.Epoch - 1) * c.BatchesPerEpoch) + c.Batch;
        var stopped = c.Problem.IsSome;
        var updates = c.Step - c.Skipped - (stopped ? 1 : 0);
        string? problem = null;
        if (c.BatchesPerEpoch < 1)
        {
            problem = $"has {c.BatchesPerEpoch} batches an epoch; expected at least 1";
        }
        else if (c.Epoch < 1)
        {
            problem = $"is at epoch {c.Epoch}; expected 1 or more";
        }
        else if (c.Batch < 0 || c.Batch > c.BatchesPerEpoch)
        {
            problem = $"is at batch {c.Batch} of an epoch of {c.BatchesPerEpoch}; expected 0 to "
                + c.BatchesPerEpoch;
        }
        else if (c.Step != expected)
        {
            problem = $"is at step {c.Step}, but epoch {c.Epoch}, batch {c.Batch} of "
                + $"{c.BatchesPerEpoch} is step {expected}";
        }
        else if (c.Skipped < 0 || c.Skipped > c.Step)
        {
            problem = $"counts {Plural.Of(c.Skipped, "skipped step")} of {c.Step}; expected 0 "
                + $"to {c.Step}";
        }
        else if (c.Optimizer.Step != updates)
        {
            var and = stopped ? ", and the last one stopped," : string.Empty;
            problem = $"has an optimizer that has taken {Plural.Of(c.Optimizer.Step, "step")}, "
                + $"but {Plural.Of(c.Step, "step")} with {c.Skipped} skipped{and} "
                + $"{Plural.Word(c.Step, "makes", "make")} {Plural.Of(updates, "update")}";
        }

        if (problem is not null)
        {
            throw new ArgumentException($"the checkpoint {problem}", "checkpoint");
        }
    }

    private static int Batches<T>(TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        BatchRanges.Count(data.Count, options.BatchSize);

    private static void Check<T>(Network<T> network, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (data.Count < 1)
        {
            throw new ArgumentException("the training set is empty", nameof(data));
        }

        if (options.BatchSize < 1)
        {
            throw new ArgumentException(
                $"batch size must be ≥ 1, got {options.BatchSize}", nameof(options));
        }

        _ = new Dropout(options.Dropout, 0);
        options.Loss.Accepts(network.OutputActivation)
            .IfFail(e => throw new ArgumentException(e.Message, nameof(options)));
    }

    // Steps from the one after `last` (whose Batch is 0 at the start of an epoch).
    private static IEnumerable<TrainingStep<T>> Enumerate<T>(
        TrainingStep<T> last, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var size = options.BatchSize;
        var state = last;
        var workspace = new Workspace<T>();
        for (var epoch = last.Epoch; ; epoch++)
        {
            var (permutation, _) = Rng.FromSeed(ShuffleSeed(options.Seed, epoch))
                .NextPermutation(data.Count);
            var order = permutation.ToArray();
            var firstBatch = epoch == last.Epoch ? last.Batch : 0;
            for (var b = firstBatch; b < state.BatchesPerEpoch; b++)
            {
                var (start, length) = BatchRanges.Of(b, size, data.Count);
                var indices = Arr.create(order[start..(start + length)]);
                var batchData = BatchRanges.Fetch(data, indices);
                if (data.Upcoming is { } upcoming && b + 1 < state.BatchesPerEpoch)
                {
                    var (next, count) = BatchRanges.Of(b + 1, size, data.Count);
                    upcoming(Arr.create(order[next..(next + count)]));
                }

                state = Advance(state, epoch, b + 1, batchData, options, workspace);
                yield return state;
                if (state.Problem.IsSome)
                {
                    yield break;
                }
            }
        }
    }

    private static TrainingStep<T> Advance<T>(
        TrainingStep<T> state,
        int epoch,
        int batch,
        (Matrix<T> Inputs, Matrix<T> Targets) data,
        TrainingOptions options,
        Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        // The trace and the gradient live in the run's workspace, dead once the update is made:
        // the computations of Forward, Backward and Update, without their allocations.
        var step = state.Step + 1;
        var dropout = new Dropout(options.Dropout, Dropout.StepKey(options.Seed, step));
        var trace = Propagation.Forward(state.Network, data.Inputs, dropout, workspace);
        var loss = options.Loss.Value(trace.OutputLayer, data.Targets);

        // Plain SGD writes the new weights in the gradient products; if any came out
        // non-finite, the step is taken again the separate way to find where.
        var (optimizer, network, gradient, finite) =
            Stepped(state.Network, state.Optimizer, trace, data.Targets, options, workspace)
            .IfNone(() =>
            {
                var g = Propagation.Backward(
                    state.Network, trace, data.Targets, options.Loss, workspace);
                var (updatedState, updatedNetwork, ok) =
                    options.Optimizer.UpdateChecked(state.Optimizer, state.Network, g);
                var (o, n) = Detached((updatedState, updatedNetwork), workspace);
                return new Update<T>(o, n, Some(g), ok);
            });

        // A non-finite gradient makes non-finite weights unless a transform clips it back to
        // finite values, so finite new weights (found while writing them) clear the gradient.
        var gradientFinite = finite && options.Optimizer.KeepsNonFinite;

        var lossProblem = T.IsFinite(loss)
            ? None
            : Some($"the loss became {loss} {Where()}; {Origin(trace)}");
        var problem = lossProblem
            || (gradientFinite ? None : gradient.Bind(Finiteness.FirstNonFinite))
                .Map(l => $"the gradient of layer {l} became non-finite {Where()}")
            || (finite ? None : Finiteness.FirstNonFinite(network))
                .Map(l => $"the weights of layer {l} became non-finite {Where()}");

        var next = state with
        {
            Epoch = epoch,
            Batch = batch,
            Step = step,
            Loss = loss,
            BatchSize = data.Inputs.ColumnCount,
            Problem = None,
        };
        return problem.Match(
            Some: message => options.OnNonFinite == NonFinitePolicy.Stop
                ? next with { Problem = message }
                : next with { Skipped = state.Skipped + 1 },
            None: () => next with { Network = network, Optimizer = optimizer });

        string Where() => $"at epoch {epoch}, batch {batch} (step {step})";
    }

    /// <summary>
    /// Plain SGD's step with every weight matrix written by its gradient product (OpenBLAS,
    /// float32 or float64), when all its new parameters are finite; the gradient is then never
    /// stored, and finite new weights mean it was finite. None otherwise, for the separate
    /// route.
    /// </summary>
    internal static Option<Update<T>> Stepped<T>(
        Network<T> network,
        OptimizerState<T> state,
        Trace<T> trace,
        Matrix<T> targets,
        TrainingOptions options,
        Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Backends.Active == Backend.Managed
            || (typeof(T) != typeof(double) && typeof(T) != typeof(float)))
        {
            return None;
        }

        // η must stay above 0 in T too: BLAS skips the product when α is 0, which would leave
        // W as it was even where δ·Xᵀ is non-finite.
        var rate = options.Optimizer.PlainRate(state).Filter(η => T.CreateChecked(η) > T.Zero);
        return rate.Bind(η =>
        {
            var minusη = -T.CreateChecked(η);
            var (layers, finite) = Propagation.BackwardStepped(
                network, trace, targets, options.Loss, workspace, minusη);
            var stepped = new Network<T>(network.Layers.Zip(layers).Map(pair =>
            {
                var (layer, (weights, db)) = pair;
                var bias = GC.AllocateUninitializedArray<T>(layer.OutputSize);
                finite &= Kernels.Step<T>(Dense.Values(db), minusη, Dense.Values(layer.Bias), bias);
                return new Layer<T>(weights, Dense.Of(bias), layer.Activation);
            }).Strict());
            var next = Optimizer.Advanced(state, η);
            return finite ? Some(new Update<T>(next, stepped, None, true)) : None;
        });
    }

    // The optimizer's new state with any buffer that is the workspace's gradient copied: the
    // built-in recurrences allocate theirs, but the state outlives the step and must not see
    // the workspace reused.
    private static (OptimizerState<T> State, Network<T> Network) Detached<T>(
        (OptimizerState<T> State, Network<T> Network) updated, Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (state, network) = updated;
        var owned = state.Buffers.Exists(b => b.Buffer.Layers.Exists(l =>
            workspace.Owns(Dense.Values(l.Weights)) || workspace.Owns(Dense.Values(l.Bias))));
        return owned
            ? (state with { Buffers = state.Buffers.Map(b => (b.Name, Gradient.Copy(b.Buffer))) },
                network)
            : updated;
    }

    // Where a non-finite loss comes from: the first layer (1-based) whose Σ or o is not finite,
    // or, when every layer's output is finite, the loss itself, computed after the output layer.
    private static string Origin<T>(Trace<T> trace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        trace.Layers.Indexed()
            .Find(l => !Dense.AllFinite<T>(Dense.Values(l.Item.WeightedInput))
                || !Dense.AllFinite<T>(Dense.Values(l.Item.Output)))
            .Match(
                Some: l => $"the first non-finite value is in the output of layer {l.Index + 1}",
                None: () => "every layer's output is finite, so it arose in the loss after layer "
                    + $"{trace.Layers.Count}, the output layer");

    /// <summary>
    /// A step's update: the optimizer's state and network after it, the gradient when it was
    /// stored, and whether every new parameter is finite.
    /// </summary>
    internal sealed record Update<T>(
        OptimizerState<T> Optimizer, Network<T> Network, Option<Gradient<T>> Gradient, bool Finite)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;
}
