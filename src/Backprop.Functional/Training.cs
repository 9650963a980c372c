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
    /// stopped after a step may leave one hinted batch unfetched, and one of
    /// <see cref="Training.RunByEpoch{T}"/> that takes an epoch's steps again after a non-finite
    /// step fetches those batches again unhinted and leaves the hinted one waiting until its
    /// turn. An exception it throws ends
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

/// <summary>
/// A step of a run handed over by epochs (<see cref="Training.RunByEpoch{T}"/>): its figures,
/// and the whole state after it only at the end of an epoch and on the step that stops a run.
/// </summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="BatchesPerEpoch">The number of batches in an epoch.</param>
/// <param name="Loss">The batch's mean loss before the step.</param>
/// <param name="BatchSize">The samples in this batch.</param>
/// <param name="State">The step as <see cref="Training.Run{T}"/> gives it (network, optimizer
/// state, counts and <see cref="TrainingStep{T}.Problem"/>) when it ends an epoch or stops the
/// run; None for the other steps, whose networks the run keeps to itself.</param>
public sealed record StepReport<T>(
    int Epoch, int Batch, int BatchesPerEpoch, T Loss, int BatchSize, Option<TrainingStep<T>> State)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>Whether this step ends its epoch.</summary>
    public bool EndsEpoch => Batch == BatchesPerEpoch;

    /// <summary>Why the run stopped, on its last step only (see
    /// <see cref="TrainingStep{T}.Problem"/>).</summary>
    public Option<string> Problem => State.Bind(s => s.Problem);
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
    /// System.GC.LOHThreshold, as the CLI does. A loop that needs only each epoch's network
    /// should take <see cref="RunByEpoch{T}"/>, whose steps write the weights in place. See
    /// docs/limitations.md.
    /// </remarks>
    /// <exception cref="ArgumentException">No samples, a batch size below 1, a dropout rate outside
    /// [0, 1), or a loss that cannot follow the network's output.</exception>
    public static IEnumerable<TrainingStep<T>> Run<T>(
        Network<T> network, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Enumerate(Start(network, data, options), data, options, reuse: false);

    /// <summary>
    /// The steps of <see cref="Run{T}"/>, bit for bit, handed over by epochs: every step's
    /// figures, and its network and optimizer state only where it ends an epoch or stops the
    /// run (<see cref="StepReport{T}.State"/>). What the loop of the command-line tool uses.
    /// </summary>
    /// <remarks>
    /// Since no network inside an epoch leaves the run, plain SGD's steps on OpenBLAS (those that
    /// <see cref="Run{T}"/> writes in the gradient products) keep one set of weight matrices for
    /// the epoch and write each step's W′ = W − η·δ·o_(l−1)ᵀ over W, as numpy's in-place update
    /// does: no step inside an epoch allocates or copies weights. The epoch's first step writes
    /// beside the network it starts from, and its last into fresh matrices, which it hands
    /// over. A step whose new weights or loss come out NaN or ±∞ has then lost the weights it
    /// must keep (for <see cref="NonFinitePolicy"/>): the run takes the epoch's steps up to it
    /// again from the epoch's start, writing beside the old weights, with the same bits, and
    /// goes on as <see cref="Run{T}"/> does, writing beside the old weights until the epoch's
    /// end. That repeats up to an epoch of work, once an epoch at most, on a run that is
    /// diverging; the batches taken again are fetched again, without hints
    /// (<see cref="TrainingData{T}.Upcoming"/>). Other optimizers, transforms and the managed
    /// backend allocate as in <see cref="Run{T}"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">As <see cref="Run{T}"/>.</exception>
    public static IEnumerable<StepReport<T>> RunByEpoch<T>(
        Network<T> network, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Reports(Enumerate(Start(network, data, options), data, options, reuse: true));

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
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Enumerate(After(checkpoint, data, options), data, options, reuse: false);

    /// <summary>
    /// The steps of <see cref="Resume{T}"/>, bit for bit, handed over by epochs as
    /// <see cref="RunByEpoch{T}"/> hands them over.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Resume{T}"/>.</exception>
    public static IEnumerable<StepReport<T>> ResumeByEpoch<T>(
        TrainingStep<T> checkpoint, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Reports(Enumerate(After(checkpoint, data, options), data, options, reuse: true));

    // The position before a run's first step, once its arguments are checked.
    private static TrainingStep<T> Start<T>(
        Network<T> network, TrainingData<T> data, TrainingOptions options)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Check(network, data, options);
        return new TrainingStep<T>(
            1, 0, Batches(data, options), 0, network, options.Optimizer.Init(network), T.Zero, 0,
            0, None);
    }

    // The position to go on from after a checkpoint, once it and the arguments are checked.
    private static TrainingStep<T> After<T>(
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
        return last.EndsEpoch
            ? last with { Epoch = last.Epoch + 1, Batch = 0 }
            : last;
    }

    // Each step with its state where it ends an epoch or stops the run.
    private static IEnumerable<StepReport<T>> Reports<T>(IEnumerable<TrainingStep<T>> steps)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var step in steps)
        {
            var state = step.EndsEpoch || step.Problem.IsSome ? Some(step) : None;
            yield return new StepReport<T>(
                step.Epoch, step.Batch, step.BatchesPerEpoch, step.Loss, step.BatchSize, state);
        }
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
    // With `reuse`, a step inside an epoch writes plain SGD's new weights into the workspace
    // (see RunByEpoch), so only the steps that end an epoch or stop the run may be handed over.
    private static IEnumerable<TrainingStep<T>> Enumerate<T>(
        TrainingStep<T> last, TrainingData<T> data, TrainingOptions options, bool reuse)
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
            var (from, overwrite) = (state, reuse);
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

                // After a step was taken again, the epoch's later steps write beside W, so that
                // a run whose steps keep failing (skipped) takes its epoch again once at most.
                var writes = Where(reuse, overwrite, b + 1 == state.BatchesPerEpoch, state,
                    workspace);
                var taken = Advance(state, epoch, b + 1, batchData, options, workspace, writes);
                overwrite &= taken is not null;
                state = taken ?? Retaken(from, epoch, b, order, data, options, workspace);
                if (writes == Writes.Fresh && reuse)
                {
                    state = state with { Network = Owned(state.Network, workspace) };
                }

                yield return state;
                if (state.Problem.IsSome)
                {
                    yield break;
                }
            }
        }
    }

    // Step b (0-based) of the epoch taken again after an in-place step came out non-finite,
    // which lost the weights it overwrote: the epoch's steps before it are retaken from the
    // state `from` that began it (same bits, since every step depends only on its inputs),
    // writing new weights beside the old, and then step b itself.
    private static TrainingStep<T> Retaken<T>(
        TrainingStep<T> from,
        int epoch,
        int b,
        int[] order,
        TrainingData<T> data,
        TrainingOptions options,
        Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var state = from;
        for (var k = from.Epoch == epoch ? from.Batch : 0; k <= b; k++)
        {
            var (start, length) = BatchRanges.Of(k, options.BatchSize, data.Count);
            var batchData = BatchRanges.Fetch(data, Arr.create(order[start..(start + length)]));
            state = Advance(state, epoch, k + 1, batchData, options, workspace, Writes.Spare)!;
        }

        return state;
    }

    // One step; null when it wrote its new weights over the old ones in place and some came
    // out non-finite, so that the step must be taken again (Retaken).
    private static TrainingStep<T>? Advance<T>(
        TrainingStep<T> state,
        int epoch,
        int batch,
        (Matrix<T> Inputs, Matrix<T> Targets) data,
        TrainingOptions options,
        Workspace<T> workspace,
        Writes writes)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        // The trace and the gradient live in the run's workspace, dead once the update is made:
        // the computations of Forward, Backward and Update, without their allocations.
        var step = state.Step + 1;
        var dropout = new Dropout(options.Dropout, Dropout.StepKey(options.Seed, step));
        var trace = Propagation.Forward(state.Network, data.Inputs, dropout, workspace);
        var loss = options.Loss.Value(trace.OutputLayer, data.Targets);

        // Plain SGD writes the new weights in the gradient products; if any came out
        // non-finite, the step is taken again the separate way to find where. A step that
        // wrote over the old weights and cannot keep its new ones (a non-finite weight, or
        // loss) has lost the network it must keep: it is taken again from the epoch's start.
        var overwrote = writes == Writes.InPlace && SteppedRate(options, state.Optimizer).IsSome;
        var stepped = Stepped(state.Network, state.Optimizer, trace, data.Targets, options,
            workspace, NewWeights(workspace, writes));
        if (overwrote && (stepped.IsNone || !T.IsFinite(loss)))
        {
            return null;
        }

        var (optimizer, network, gradient, finite) = stepped
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
    /// Where a step writes plain SGD's new weights W′ for a layer and its 0-based index: fresh
    /// matrices for a network that is handed over (or may be), the workspace's buffer beside
    /// W (<see cref="Workspace{T}.NewWeights"/>), or W itself when W is the workspace's.
    /// </summary>
    internal static Func<Layer<T>, int, Matrix<T>> NewWeights<T>(
        Workspace<T> workspace, Writes writes)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        writes switch
        {
            Writes.Fresh => (layer, _) => Dense.Of(layer.OutputSize, layer.InputSize,
                GC.AllocateUninitializedArray<T>(layer.OutputSize * layer.InputSize)),
            Writes.Spare => (layer, l) => workspace.NewWeights(l, layer.Weights),
            _ => (layer, _) => layer.Weights,
        };

    /// <summary>
    /// Plain SGD's step with every weight matrix written by its gradient product (OpenBLAS,
    /// float32 or float64) into the matrices <paramref name="into"/> gives, when all its new
    /// parameters are finite; the gradient is then never stored, and finite new weights mean
    /// it was finite. None otherwise, for the separate route.
    /// </summary>
    internal static Option<Update<T>> Stepped<T>(
        Network<T> network,
        OptimizerState<T> state,
        Trace<T> trace,
        Matrix<T> targets,
        TrainingOptions options,
        Workspace<T> workspace,
        Func<Layer<T>, int, Matrix<T>> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        return SteppedRate(options, state).Bind(η =>
        {
            var minusη = -T.CreateChecked(η);
            var (layers, finite) = Propagation.BackwardStepped(
                network, trace, targets, options.Loss, workspace, minusη, into);
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

    // η of plain SGD when a step writes the new weights in its gradient products (OpenBLAS,
    // float32 or float64). η must stay above 0 in T too: BLAS skips the product when α is 0,
    // which would leave W as it was even where δ·Xᵀ is non-finite.
    private static Option<double> SteppedRate<T>(TrainingOptions options, OptimizerState<T> state)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Backends.Active != Backend.Managed
            && (typeof(T) == typeof(double) || typeof(T) == typeof(float))
                ? options.Optimizer.PlainRate(state).Filter(η => T.CreateChecked(η) > T.Zero)
                : None;

    // Where a step writes plain SGD's new weights: fresh ones when its network may leave the
    // run (every step's without `reuse`, an epoch's last one's with it); over W when W lives in
    // the workspace, where nothing outside the run reads it, and `overwrite` allows it; else
    // beside W in the workspace.
    private static Writes Where<T>(
        bool reuse, bool overwrite, bool endsEpoch, TrainingStep<T> state, Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!reuse || endsEpoch)
        {
            return Writes.Fresh;
        }

        var owned = state.Network.Layers.ForAll(l => workspace.Owns(Dense.Values(l.Weights)));
        return overwrite && owned ? Writes.InPlace : Writes.Spare;
    }

    // The network with any weights that live in the workspace copied: those of a step that
    // ends an epoch but kept the network of the step before (skipped for a non-finite value).
    private static Network<T> Owned<T>(Network<T> network, Workspace<T> workspace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Layers.Exists(l => workspace.Owns(Dense.Values(l.Weights)))
            ? new Network<T>(network.Layers.Map(l => workspace.Owns(Dense.Values(l.Weights))
                ? new Layer<T>(
                    Dense.Map(l.Weights, (from, to) => from.CopyTo(to)), l.Bias, l.Activation)
                : l).Strict())
            : network;

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

/// <summary>Where a training step writes plain SGD's new weights.</summary>
internal enum Writes
{
    /// <summary>Into fresh matrices: the network may leave the run.</summary>
    Fresh,

    /// <summary>Into the workspace's buffer beside W, keeping W.</summary>
    Spare,

    /// <summary>Over W, which lives in the workspace and is read by nothing else.</summary>
    InPlace,
}
