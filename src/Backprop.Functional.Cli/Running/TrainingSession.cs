using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// One <c>backprop train</c> from settings to files: describe the run, train, then write the
/// model (and plot), in that order, only once every epoch has finished with finite numbers.
/// </summary>
internal static class TrainingSession
{
    /// <summary>Trains on <paramref name="data"/> as <paramref name="settings"/> say.</summary>
    /// <returns>The exit code: 0, as every failure throws a <see cref="CommandFailure"/>.</returns>
    public static int Run(TrainSettings settings, DataSplit data, CliContext context)
    {
        var human = context.Human(settings.Json);
        var sizes = settings.Sizes(data.Train.Features, data.ClassNames.Count);
        foreach (var line in Describe(settings, data, sizes))
        {
            human.WriteLine(line);
        }

        human.Flush();
        var interactive = context.ShowsProgress(settings.Json);
        var history = TrainingDisplay.Run(human, interactive, display =>
            settings.Precision == Precision.Float64
                ? TrainAndSave<double>(settings, data, display)
                : TrainAndSave<float>(settings, data, display));

        human.WriteLine($"model written to {settings.ModelPath}");
        if (settings.PlotPath is not null)
        {
            human.WriteLine($"plot written to {settings.PlotPath}");
        }

        if (settings.Json)
        {
            JsonOutput.Write(context.Out, Report(settings, data, sizes, history));
        }

        return ExitCode.Success;
    }

    /// <summary>
    /// The settings lines: the data, the network, the training (with the seed), the backend of
    /// the matrix products and where the model goes.
    /// </summary>
    public static IEnumerable<string> Describe(TrainSettings s, DataSplit data, int[] sizes)
    {
        var invariant = CultureInfo.InvariantCulture;
        yield return $"data: {data.Description}";
        yield return string.Create(
            invariant,
            $"network: {string.Join(" → ", sizes)}, {HiddenActivation(s)}{s.Output.Name} output, "
            + $"{s.Initialization.Name()} init, {s.Precision.Name()} "
            + $"({Parameters(sizes):N0} parameters)");
        yield return string.Create(
            invariant,
            $"training: {s.Loss.Name} loss, SGD with learning rate {s.LearningRate}, "
            + $"batch size {s.BatchSize}, {s.Epochs} {(s.Epochs == 1 ? "epoch" : "epochs")}, "
            + $"seed {s.Seed}");
        yield return $"backend: {Backends.Describe()}";
        var relative = Path.IsPathRooted(s.ModelPath)
            ? string.Empty
            : " (relative to the current directory)";
        var plot = s.PlotPath is null ? string.Empty : $"; plot: {s.PlotPath}";
        yield return $"model: {s.ModelPath}{relative}{plot}";
    }

    /// <summary>Σ (n_(l−1) + 1)·n_l, the weights and biases of a network of these sizes.</summary>
    public static int Parameters(IReadOnlyList<int> sizes) =>
        Enumerable.Range(1, sizes.Count - 1).Sum(l => (sizes[l - 1] + 1) * sizes[l]);

    private static string HiddenActivation(TrainSettings s) =>
        s.Hidden.Count == 0 ? string.Empty : $"{s.Activation.Name} hidden, ";

    // Trains, then renders the plot in memory (so that a plot failure writes nothing), then
    // saves the model atomically, then writes the plot atomically.
    private static IReadOnlyList<EpochMetrics> TrainAndSave<T>(
        TrainSettings settings, DataSplit data, TrainingDisplay display)
        where T : struct, IFloatingPointIeee754<T>
    {
        var (network, history) = TrainingLoop.Run<T>(settings, data, display);
        var png = settings.PlotPath is null
            ? null
            : TrainingPlot.Render(history, PlotTitle(settings, network));
        var info = new ModelInfo(
            settings.Precision.Name(),
            settings.Loss.Name,
            data.ClassNames,
            settings.Seed,
            data.Description);
        ModelFile.Save(settings.ModelPath, network, info).OrFail();
        if (png is not null)
        {
            AtomicFile.Write(settings.PlotPath!, png).OrFail();
        }

        return history;
    }

    private static string PlotTitle<T>(TrainSettings s, Network<T> network)
        where T : struct, IFloatingPointIeee754<T> =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{string.Join(" → ", network.Sizes)} ({HiddenActivation(s)}{s.Output.Name} output), "
            + $"η = {s.LearningRate}, batch {s.BatchSize}, seed {s.Seed}");

    private static TrainReport Report(
        TrainSettings s, DataSplit data, int[] sizes, IReadOnlyList<EpochMetrics> history)
    {
        var last = history[^1];
        return new TrainReport(
            "train",
            new TrainReportSettings(
                s.DataDirectory ?? "embedded",
                data.Description,
                data.Train.Count,
                data.Test.Count,
                sizes,
                s.Activation.Name,
                s.Output.Name,
                s.Loss.Name,
                s.Initialization.Name(),
                s.Epochs,
                s.BatchSize,
                s.LearningRate,
                s.Precision.Name(),
                Parameters(sizes)),
            s.Seed,
            history,
            new FinalMetrics(last.TestLoss, last.TestAccuracy, last.TestCorrect, last.TestTotal),
            s.ModelPath,
            s.PlotPath);
    }
}
