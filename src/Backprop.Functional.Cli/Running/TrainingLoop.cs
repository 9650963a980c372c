using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// The training run: the core's lazy sequence of SGD steps, cut into epochs, with a test-set
/// evaluation after each one and a check that nothing has turned NaN or infinite.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>
    /// Initialises a network for <paramref name="data"/> as <paramref name="settings"/> say,
    /// trains it for <c>settings.Epochs</c> epochs and returns it with one
    /// <see cref="EpochMetrics"/> per epoch, reporting each epoch to <paramref name="display"/>.
    /// </summary>
    /// <exception cref="CommandFailure">A loss, gradient or weight became NaN or ±∞ (the run
    /// diverged).</exception>
    public static (Network<T> Network, IReadOnlyList<EpochMetrics> History) Run<T>(
        TrainSettings settings, DataSplit data, TrainingDisplay display)
        where T : struct, IFloatingPointIeee754<T>
    {
        var train = data.Train;
        var sizes = settings.Sizes(train.Features, data.ClassNames.Count);
        var initial = Network.Initialize<T>(
            sizes, settings.Activation, settings.Output, settings.Initialization, settings.Seed);
        var steps = Training.Steps(
            initial,
            DataSource.Batches<T>(train),
            settings.Loss,
            T.CreateChecked(settings.LearningRate),
            settings.BatchSize,
            settings.Seed);

        var history = new List<EpochMetrics>();
        var lossSum = 0.0;
        var clock = Stopwatch.StartNew();
        var started = false;
        foreach (var step in steps)
        {
            if (!started)
            {
                display.EpochStarted(step.Epoch, settings.Epochs, step.BatchesPerEpoch);
                started = true;
            }

            // The core ends the sequence with a step that says what turned NaN or ±∞, and where.
            step.Problem.IfSome(problem => throw CommandFailure.Failed(
                $"training diverged: {problem}; no model was written (try a smaller "
                + "--learning-rate)"));
            lossSum += double.CreateChecked(step.Loss) * step.BatchSize;
            display.BatchDone();
            if (!step.EndsEpoch)
            {
                continue;
            }

            display.EpochEnded();
            var trainingSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var test = DataSource.Evaluate(step.Network, data.Test, settings.Loss);
            var metrics = new EpochMetrics(
                step.Epoch,
                lossSum / train.Count,
                trainingSeconds,
                clock.Elapsed.TotalSeconds,
                test.MeanLoss,
                test.Accuracy,
                test.Correct,
                test.Count);
            history.Add(metrics);
            display.Line(Describe(metrics, settings.Epochs));
            if (step.Epoch == settings.Epochs)
            {
                return (step.Network, history);
            }

            lossSum = 0.0;
            started = false;
            clock.Restart();
        }

        throw new InvalidOperationException("the sequence of training steps ended early");
    }

    /// <summary>
    /// The epoch line: epoch over total, mean training loss to 4 decimals, test accuracy as
    /// correct/total and a percentage, and seconds (training + evaluation).
    /// </summary>
    public static string Describe(EpochMetrics m, int epochs)
    {
        var width = epochs.ToString(CultureInfo.InvariantCulture).Length;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"epoch {m.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{epochs}"
            + $"  loss {m.TrainingLoss:F4}"
            + $"  test {m.TestCorrect}/{m.TestTotal} ({m.TestAccuracy * 100:F2}%)"
            + $"  {m.TrainingSeconds + m.EvaluationSeconds:F1}s");
    }
}
