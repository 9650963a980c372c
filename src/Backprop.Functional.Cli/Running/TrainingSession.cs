using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// One <c>backprop train</c> from settings to files: check a checkpoint to resume from, describe
/// the run, train, then write the model (and plot), in that order, only once every epoch has
/// finished with finite numbers.
/// </summary>
internal static class TrainingSession
{
    /// <summary>
    /// Trains on <paramref name="data"/> as <paramref name="settings"/> say, which the command
    /// has checked against it: fewer validation images than training images.
    /// </summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="data">The data it trains on.</param>
    /// <param name="context">Where its lines go.</param>
    /// <param name="claim">The run's hold on its checkpoint directory, taken already when the
    /// directory is there, and taken here, once the directory is made, when it is not.</param>
    /// <returns>The exit code: 0, as every failure throws a <see cref="CommandFailure"/>.</returns>
    public static int Run(
        TrainSettings settings, DataSplit data, CliContext context, CheckpointClaim claim)
    {
        CheckSize(
            settings.Sizes(data.Train.Features, data.ClassNames.Count),
            settings.Precision,
            Math.Max(settings.BatchSize, DataSource.EvaluationBatchSize));
        var run = TrainingRun.Create(settings, data);
        var resume = settings.ResumePath is { } path ? ResumeCheck.Header(run, path) : null;
        var human = context.Human(settings.Json);
        var (history, epoch, stoppedEarly) = settings.Precision == Precision.Float64
            ? Train<double>(run, resume, claim, context, human)
            : Train<float>(run, resume, claim, context, human);

        var kept = settings.EarlyStop > 0
            ? $" (the network after epoch {epoch}, the lowest validation loss)"
            : string.Empty;
        // A file whose directory was moved or replaced during its save is in that directory,
        // wherever it went, and the line says so.
        var model = settings.ModelPath;
        human.WriteLine(Printable.Line(
            $"model written to {model}{AtomicFile.MovedClause(model)}{kept}"));
        if (settings.PlotPath is { } plot)
        {
            human.WriteLine(
                Printable.Line($"plot written to {plot}{AtomicFile.MovedClause(plot)}"));
        }

        if (settings.Json)
        {
            JsonOutput.Write(context.Out, TrainReports.Of(run, history, epoch, stoppedEarly));
        }

        return ExitCode.Success;
    }

    /// <summary>
    /// The settings lines: the data, the network, the training (with the optimizer chain and
    /// the seed), the validation split when there is one, the backend of the matrix products,
    /// where the files go, and where a resumed run starts.
    /// </summary>
    public static IEnumerable<string> Describe(TrainingRun run, CheckpointHeader? resume)
    {
        var (s, data, sizes) = (run.Settings, run.Data, run.Sizes);
        var invariant = CultureInfo.InvariantCulture;
        yield return $"data: {data.Description}";
        yield return string.Create(
            invariant,
            $"network: {string.Join(" → ", sizes)}, {HiddenActivation(s)}{s.Output.Name} output, "
            + $"{s.Initialization.Name()} init, {s.Precision.Name()} "
            + $"({Parameters(sizes):N0} parameters)");
        var dropout = s.Dropout > 0
            ? string.Create(invariant, $", dropout {s.Dropout}")
            : string.Empty;
        yield return string.Create(
            invariant,
            $"training: {s.Loss.Name} loss, optimizer {run.Optimizer.Name}{dropout}, "
            + $"batch size {s.BatchSize}, {Plural.Of(s.Epochs, "epoch")}, "
            + $"seed {s.Seed}");
        if (run.Sets.Validation is { } validation)
        {
            var stop = s.EarlyStop > 0
                ? $"; early stop after {Plural.Of(s.EarlyStop, "epoch")} "
                    + "without a lower validation loss, keeping the best network"
                : string.Empty;
            yield return $"validation: {validation.Count} of the {data.Train.Count} training "
                + $"images, drawn with the seed; training on the other {run.Sets.Train.Count}"
                + stop;
        }

        yield return $"backend: {Backends.Describe()}";
        var relative = Path.IsPathRooted(s.ModelPath)
            ? string.Empty
            : " (relative to the current directory)";
        var plot = s.PlotPath is null ? string.Empty : $"; plot: {s.PlotPath}";
        var checkpoint = s.CheckpointPath is null
            ? string.Empty
            : $"; checkpoint: {s.CheckpointPath}";
        yield return $"model: {s.ModelPath}{relative}{plot}{checkpoint}";
        if (resume is not null)
        {
            yield return string.Create(
                invariant,
                $"resuming from {s.ResumePath}: epoch {resume.Epoch} of {s.Epochs} done "
                + $"(step {resume.Step})");
        }
    }

    /// <summary>Σ (n_(l−1) + 1)·n_l, the weights and biases of a network of these sizes.</summary>
    public static long Parameters(IReadOnlyList<int> sizes) =>
        Enumerable.Range(1, sizes.Count - 1).Sum(l => (sizes[l - 1] + 1L) * sizes[l]);

    // A network that cannot fit is refused before anything is allocated: one matrix must fit
    // in one array, a layer's outputs for the largest batch it sees (a training batch or an
    // evaluation batch) included, and training holds about six copies of the parameters at
    // once (the network, its gradient, the next network and up to two optimizer buffers, plus
    // slack).
    private static void CheckSize(int[] sizes, Precision precision, int columns) =>
        Commands.SizeGuard.Check(
            sizes,
            precision == Precision.Float32 ? sizeof(float) : sizeof(double),
            6,
            "train",
            columns);

    private static string HiddenActivation(TrainSettings s) =>
        s.Hidden.Count == 0 ? string.Empty : $"{s.Activation.Name} hidden, ";

    // Reads the whole checkpoint, if resuming, and holds the checkpoint directory before
    // anything is shown: a run refused for either shows its one error line alone, and a
    // warning about the class names comes only once every part of the checkpoint has been
    // checked. Then describes the run and trains.
    private static (IReadOnlyList<EpochMetrics> History, int Epoch, int? StoppedEarly) Train<T>(
        TrainingRun run, CheckpointHeader? header, CheckpointClaim claim, CliContext context,
        TextWriter human)
        where T : struct, IFloatingPointIeee754<T>
    {
        var path = header is null ? null : run.Settings.ResumePath;
        var resume = path is null
            ? null
            : ResumeCheck.Networks(run, CheckpointFile.Load<T>(path).OrFail(), path);
        claim.Hold();

        foreach (var line in Describe(run, header))
        {
            human.WriteLine(Printable.Line(line));
        }

        human.Flush();
        if (header is not null && path is not null)
        {
            ResumeCheck.WarnIfClassesDiffer(run, header, path, context.Error);
        }

        var interactive = context.ShowsProgress(run.Settings.Json);
        return TrainingDisplay.Run(
            human, interactive, display => TrainAndSave(run, display, resume, claim));
    }

    // Trains, then renders the plot in memory and writes the model and the plot together, as
    // one save (AtomicFile.Save): both are replaced or neither is, and a stop signal from the
    // plot's first pixel on waits for both. Once they are written, a signal changes nothing.
    private static (IReadOnlyList<EpochMetrics> History, int Epoch, int? StoppedEarly)
        TrainAndSave<T>(
            TrainingRun run, TrainingDisplay display, Checkpoint<T>? resume, CheckpointClaim claim)
        where T : struct, IFloatingPointIeee754<T>
    {
        var settings = run.Settings;
        var outcome = TrainingLoop.Run(run, display, resume, claim);
        string[] paths = settings.PlotPath is null
            ? [settings.ModelPath]
            : [settings.ModelPath, settings.PlotPath];
        AtomicFile.Save(paths, () => Save(run, outcome)).OrFail();
        StopSignals.Finish();
        return (outcome.History, outcome.Epoch, outcome.StoppedEarly);
    }

    private static Fin<Unit> Save<T>(TrainingRun run, TrainingOutcome<T> outcome)
        where T : struct, IFloatingPointIeee754<T>
    {
        var settings = run.Settings;
        var png = settings.PlotPath is null
            ? null
            : TrainingPlot.Render(
                outcome.History,
                PlotTitle(run),
                settings.EarlyStop > 0 ? outcome.Epoch : null);
        return ModelFile.Serialize(settings.ModelPath, outcome.Network, run.Info)
            .Bind(model => Write(settings, model, png));
    }

    // Both files or neither: a plot that cannot be written must not leave a new model, and the
    // error line says so, as it names only the file that failed, unless the write says itself
    // what it left.
    private static Fin<Unit> Write(TrainSettings settings, byte[] model, byte[]? png) =>
        png is null
            ? AtomicFile.WriteAll((settings.ModelPath, model))
            : AtomicFile.WriteAll((settings.ModelPath, model), (settings.PlotPath!, png)).Match(
                Succ: Fin<Unit>.Succ,
                Fail: e => Fin<Unit>.Fail(e.Code == AtomicFile.PartlyWritten
                    ? e
                    : Error.New(
                        $"{e.Message}; neither {settings.ModelPath} nor {settings.PlotPath} was "
                        + "written")));

    private static string PlotTitle(TrainingRun run)
    {
        var s = run.Settings;
        var o = s.Optimizer;
        var schedule = o.Schedule == ScheduleKind.Constant ? string.Empty : $" {o.Schedule.Name()}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{string.Join(" → ", run.Sizes)} ({HiddenActivation(s)}{s.Output.Name} output), "
            + $"{o.Kind.Name()}, η = {o.LearningRate}{schedule}, batch {s.BatchSize}, "
            + $"seed {s.Seed}");
    }
}
