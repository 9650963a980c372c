using System.Collections.Generic;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// A training run made concrete: the settings, the sets, the layer sizes and the optimizer
/// chain they give, what a checkpoint records of them, and what model files record.
/// </summary>
/// <param name="Settings">The settings, defaults filled in.</param>
/// <param name="Data">The data set as loaded.</param>
/// <param name="Sets">The training, validation and test images.</param>
/// <param name="Sizes">[n₀, hidden…, n_L].</param>
/// <param name="Optimizer">The optimizer chain with its schedule.</param>
/// <param name="Identity">The settings a checkpoint records and a resumed run must share.</param>
internal sealed record TrainingRun(
    TrainSettings Settings,
    DataSplit Data,
    TrainingSets Sets,
    int[] Sizes,
    Optimizer Optimizer,
    IReadOnlyList<RunSetting> Identity)
{
    /// <summary>
    /// The run for <paramref name="settings"/> over <paramref name="data"/>, after the
    /// validation split.
    /// </summary>
    public static TrainingRun Create(TrainSettings settings, DataSplit data)
    {
        var sets = TrainingSets.Split(data, settings.Validation, settings.Seed);
        var sizes = settings.Sizes(data.Train.Features, data.ClassNames.Count);
        var optimizer = settings.Optimizer.Build(
            settings.BatchesPerEpoch(sets.Train.Count), settings.Epochs);
        return new(
            settings, data, sets, sizes, optimizer,
            RunIdentity.Of(settings, data, sizes, optimizer));
    }

    /// <summary>What the model files of this run record besides their networks.</summary>
    public ModelInfo Info => new(
        Settings.Precision.Name(),
        Settings.Loss.Name,
        Data.ClassNames,
        Settings.Seed,
        Data.Description);
}
