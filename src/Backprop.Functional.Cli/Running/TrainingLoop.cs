using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// The training run: the core's lazy sequence of steps, cut into epochs, with an evaluation on
/// the validation and test sets after each one, early stopping, a checkpoint per epoch, and a
/// check that nothing has turned NaN or infinite.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>
    /// Trains as <paramref name="run"/> says, from a fresh network or from
    /// <paramref name="resume"/>, until the last epoch or an early stop, reporting each epoch
    /// to <paramref name="display"/>; each checkpoint is saved in the directory
    /// <paramref name="claim"/> holds. A <paramref name="resume"/> at the end of the last epoch
    /// trains nothing and ends as its run would have: one line says so.
    /// </summary>
    /// <exception cref="CommandFailure">A loss, gradient or weight became NaN or ±∞ (the run
    /// diverged), or a checkpoint could not be written.</exception>
    public static TrainingOutcome<T> Run<T>(
        TrainingRun run, TrainingDisplay display, Checkpoint<T>? resume, CheckpointClaim claim)
        where T : struct, IFloatingPointIeee754<T>
    {
        var s = run.Settings;
        var options = new TrainingOptions(run.Optimizer, s.Loss, s.BatchSize, s.Seed)
        {
            Dropout = s.Dropout,
        };
        var data = DataSource.Batches<T>(run.Sets.Train);
        var steps = resume is null
            ? Training.RunByEpoch(
                Network.Initialize<T>(run.Sizes, s.Activation, s.Output, s.Initialization, s.Seed),
                data,
                options)
            : Training.ResumeByEpoch(resume.Position, data, options);

        var history = new List<EpochMetrics>(resume?.Header.History ?? []);
        var best = new Best<T>(resume?.Header.BestEpoch, resume?.Best, history);

        // A checkpoint of the last epoch, or of the epoch where early stopping ended its run
        // (which could not write its model, say), holds what that run would have written: the
        // network, or the best one, and the whole history.
        var ended = resume is null ? null : StoppedAt(history, s.EarlyStop);
        if (resume is not null && (ended is not null || resume.Header.Epoch == s.Epochs))
        {
            display.Line(ended is { } at
                ? $"{StopLine(at, best, s.EarlyStop)}, in the checkpoint: nothing left to train; "
                    + "the best network is written"
                : $"epoch {s.Epochs}/{s.Epochs} was done in the checkpoint: nothing left to "
                    + "train; its network is written");
            return s.EarlyStop > 0 && best.Network is { } bestNetwork
                ? new(bestNetwork, best.Epoch!.Value, history, ended)
                : new(resume.Network, resume.Header.Epoch, history, ended);
        }

        var lossSum = 0.0;
        var clock = Stopwatch.StartNew();
        var started = false;
        foreach (var report in steps)
        {
            if (!started)
            {
                display.EpochStarted(report.Epoch, s.Epochs, report.BatchesPerEpoch);
                started = true;
            }

            // The core ends the sequence with a step that says what turned NaN or ±∞, and where.
            report.Problem.IfSome(problem => throw CommandFailure.Failed(
                $"training diverged: {problem}; no model was written "
                + $"({DivergenceHint(s.Optimizer)})"));
            lossSum += double.CreateChecked(report.Loss) * report.BatchSize;
            display.BatchDone();
            if (!report.EndsEpoch || report.State.Case is not TrainingStep<T> step)
            {
                continue;
            }

            // The epoch's end: evaluate, keep the best network, checkpoint, stop or go on.
            display.EpochEnded();
            var metrics = Evaluate(run, step, lossSum, clock);
            history.Add(metrics);
            display.Line(Describe(metrics, s));
            if (HeldOutProblem(metrics) is { } overflow)
            {
                throw CommandFailure.Failed(
                    $"training diverged: {overflow}; no model was written "
                    + $"({DivergenceHint(s.Optimizer)})");
            }

            best = s.EarlyStop > 0 ? best.After(metrics, step.Network) : best;
            if (s.CheckpointPath is { } path)
            {
                Save(run, step, history, best, path, claim);

                // The checkpoint went whole to the directory the run holds: when that was
                // moved or replaced during the save, the path no longer leads to it.
                if (AtomicFile.MovedClause(path) is { Length: > 0 } where)
                {
                    display.Line(Printable.Line($"checkpoint written to {path}{where}"));
                }
            }

            var stoppedAt = StoppedAt(history, s.EarlyStop);
            if (stoppedAt is not null || step.Epoch == s.Epochs)
            {
                if (stoppedAt is { } at)
                {
                    display.Line(StopLine(at, best, s.EarlyStop));
                }

                return s.EarlyStop > 0 && best.Network is { } kept
                    ? new(kept, best.Epoch!.Value, history, stoppedAt)
                    : new(step.Network, step.Epoch, history, stoppedAt);
            }

            lossSum = 0.0;
            started = false;
            clock.Restart();
        }

        throw new InvalidOperationException("the sequence of training steps ended early");
    }

    /// <summary>
    /// The epoch line: epoch over total, mean training loss (<see cref="LossText"/>), the
    /// validation loss and accuracy when there is a validation set, test accuracy as
    /// correct/total and a percentage, η when the schedule changes it, and seconds (training +
    /// evaluation).
    /// </summary>
    public static string Describe(EpochMetrics m, TrainSettings settings)
    {
        var epochs = settings.Epochs;
        var width = epochs.ToString(CultureInfo.InvariantCulture).Length;
        var validation = m.ValidationLoss is { } loss
            ? $"  validation loss {LossText.Of(loss)} {m.ValidationCorrect}/{m.ValidationTotal} "
                + $"({m.ValidationAccuracy * 100:F2}%)"
            : string.Empty;
        var varies = settings.Optimizer.Schedule != ScheduleKind.Constant
            || settings.Optimizer.Warmup > 0;
        var rate = varies ? $"  η {m.LearningRate:G4}" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"epoch {m.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{epochs}"
            + $"  loss {LossText.Of(m.TrainingLoss)}{validation}"
            + $"  test {m.TestCorrect}/{m.TestTotal} ({m.TestAccuracy * 100:F2}%)"
            + $"{rate}  {m.TrainingSeconds + m.EvaluationSeconds:F1}s");
    }

    /// <summary>
    /// What is wrong when the network after an epoch, whose steps all had finite losses, gives
    /// a non-finite mean loss on the validation or test images: its outputs there, or the loss
    /// computed from them, overflow (which of the two is not told), as the last step's update
    /// made its weights too large, and <c>evaluate</c> would refuse it.
    /// </summary>
    internal static string? HeldOutProblem(EpochMetrics m)
    {
        var (set, loss) = m.ValidationLoss is { } v && !double.IsFinite(v)
            ? ("validation", v)
            : ("test", m.TestLoss);
        return double.IsFinite(loss)
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"the network after epoch {m.Epoch} gives a mean loss of {loss} on the {set} "
                + $"images (its outputs there, or the loss computed from them, are not finite), "
                + $"although every step's loss was finite");
    }

    /// <summary>
    /// What to try after a divergence: a smaller learning rate, and a smaller --l2 or
    /// --weight-decay too when η·λ &gt; 1, where the decay alone, θ ← (1 − ηλ)θ, carries each
    /// weight past zero (and beyond η·λ = 2 makes it grow). Decoupled weight decay always takes
    /// that step; the L2 term only with sgd, momentum and nesterov, since adam, adamw and
    /// rmsprop divide the gradient it is part of by its running scale.
    /// </summary>
    internal static string DivergenceHint(OptimizerSettings o)
    {
        var η = o.LearningRate;
        var causes = new List<(string Option, double Product)>();
        if (o.Kind.DefaultBeta2() is null && η * o.L2 > 1)
        {
            causes.Add(("--l2", η * o.L2));
        }

        if (η * o.WeightDecay > 1)
        {
            causes.Add(("--weight-decay", η * o.WeightDecay));
        }

        static string G(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
        return causes switch
        {
            [] => "try a smaller --learning-rate",
            [var (option, product)] =>
                $"try a smaller --learning-rate or {option}: η·λ is {G(product)}, and above 1 "
                + "the decay alone carries each weight past zero",
            _ => $"try a smaller --learning-rate, {causes[0].Option} or {causes[1].Option}: "
                + $"η·λ is {G(causes[0].Product)} for {causes[0].Option} and "
                + $"{G(causes[1].Product)} for {causes[1].Option}, and above 1 the decay alone "
                + "carries each weight past zero",
        };
    }

    // The epoch's figures: the training loss summed over its batches, then the evaluations.
    private static EpochMetrics Evaluate<T>(
        TrainingRun run, TrainingStep<T> step, double lossSum, Stopwatch clock)
        where T : struct, IFloatingPointIeee754<T>
    {
        var trainingSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var loss = run.Settings.Loss;
        var validation = run.Sets.Validation is { } set
            ? DataSource.Evaluate(step.Network, set, loss)
            : null;
        var test = DataSource.Evaluate(step.Network, run.Sets.Test, loss);
        return new EpochMetrics(
            step.Epoch,
            lossSum / run.Sets.Train.Count,
            step.Optimizer.LearningRate,
            trainingSeconds,
            clock.Elapsed.TotalSeconds,
            validation?.MeanLoss,
            validation?.Accuracy,
            validation?.Correct,
            validation?.Count,
            test.MeanLoss,
            test.Accuracy,
            test.Correct,
            test.Count);
    }

    private static void Save<T>(
        TrainingRun run,
        TrainingStep<T> step,
        IReadOnlyList<EpochMetrics> history,
        Best<T> best,
        string path,
        CheckpointClaim claim)
        where T : struct, IFloatingPointIeee754<T>
    {
        var header = new CheckpointHeader(
            run.Settings.Precision.Name(),
            run.Identity.Select(e => (e.Key, e.Value)).ToArray(),
            step.Epoch,
            step.Batch,
            step.BatchesPerEpoch,
            step.Step,
            step.Skipped,
            history.ToArray(),
            best.Epoch,
            run.Data.ClassNames);
        var checkpoint = new Checkpoint<T>(header, step.Network, step.Optimizer, best.Network);

        // Made before the first epoch (CheckpointClaim.Hold); made again should it have gone,
        // and refused should another directory have taken its place.
        claim.Keep(path);
        CheckpointFile.Save(path, checkpoint, run.Info, claim.Held).OrFail();
    }

    // The epoch at which early stopping ends the run, if it does now: the core's rule applied
    // to the validation losses so far.
    private static int? StoppedAt(IReadOnlyList<EpochMetrics> history, int patience) =>
        patience > 0
            ? EarlyStopping.Find(history.Select(h => h.ValidationLoss!.Value), patience)
                .Map(stop => stop.Epoch)
                .ToNullable()
            : null;

    private static string StopLine<T>(int epoch, Best<T> best, int patience)
        where T : struct, IFloatingPointIeee754<T> =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"early stop after epoch {epoch}: the validation loss has not improved for "
            + $"{Plural.Of(patience, "epoch")}; the best was epoch "
            + $"{best.Epoch} ({LossText.Of(double.CreateTruncating(best.Loss))})");

    // The lowest validation loss so far, its epoch and the network after that epoch. A loss
    // improves only when it is lower (a NaN never does), as in EarlyStopping.Find.
    private sealed record Best<T>(int? Epoch, Network<T>? Network, double Loss)
        where T : struct, IFloatingPointIeee754<T>
    {
        public Best(int? epoch, Network<T>? network, IReadOnlyList<EpochMetrics> history)
            : this(
                epoch,
                network,
                epoch is { } e ? history[e - 1].ValidationLoss!.Value : double.PositiveInfinity)
        {
        }

        public Best<T> After(EpochMetrics metrics, Network<T> network) =>
            metrics.ValidationLoss < Loss
                ? new(metrics.Epoch, network, metrics.ValidationLoss.Value)
                : this;
    }
}
