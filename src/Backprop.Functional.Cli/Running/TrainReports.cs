using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>Builds the <see cref="TrainReport"/> of a finished run.</summary>
internal static class TrainReports
{
    /// <summary>
    /// The report of <paramref name="run"/>, which saved the network after
    /// <paramref name="epoch"/> and stopped early at <paramref name="stoppedEarly"/>, if at all.
    /// </summary>
    public static TrainReport Of(
        TrainingRun run, IReadOnlyList<EpochMetrics> history, int epoch, int? stoppedEarly)
    {
        var (s, o) = (run.Settings, run.Settings.Optimizer);
        var saved = history[epoch - 1];
        return new TrainReport(
            "train",
            new TrainReportSettings(
                s.DataDirectory ?? "embedded",
                run.Data.Description,
                run.Data.Train.Count,
                s.Validation,
                run.Data.Test.Count,
                run.Sizes,
                s.Activation.Name,
                s.Output.Name,
                s.Loss.Name,
                s.Initialization.Name(),
                s.Epochs,
                s.BatchSize,
                o.Kind.Name(),
                run.Optimizer.Name,
                o.LearningRate,
                o.Momentum,
                o.Beta2,
                o.WeightDecay,
                o.L2,
                o.ClipNorm,
                o.Schedule.Name(),
                o.DecayFactor,
                o.DecayEvery,
                o.Warmup,
                s.Dropout,
                s.EarlyStop > 0 ? s.EarlyStop : null,
                s.Precision.Name(),
                Backends.Describe(),
                TrainingSession.Parameters(run.Sizes)),
            s.Seed,
            history,
            s.EarlyStop > 0
                ? new EarlyStopReport(
                    s.EarlyStop, stoppedEarly, epoch, saved.ValidationLoss!.Value)
                : null,
            new FinalMetrics(
                saved.Epoch,
                saved.ValidationLoss,
                saved.ValidationAccuracy,
                saved.TestLoss,
                saved.TestAccuracy,
                saved.TestCorrect,
                saved.TestTotal),
            s.ModelPath,
            s.PlotPath,
            s.CheckpointPath,
            s.ResumePath);
    }
}
