using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>Everything <c>backprop train</c> was asked to do, after parsing and defaults.</summary>
/// <param name="DataDirectory">The data directory, or null for the embedded sample.</param>
/// <param name="Hidden">The hidden layer sizes, input side first; empty for none.</param>
/// <param name="Activation">The hidden layers' activation.</param>
/// <param name="Output">The output layer's activation.</param>
/// <param name="Loss">The loss minimised.</param>
/// <param name="Initialization">How the starting weights are drawn.</param>
/// <param name="Epochs">The number of passes over the training set, ≥ 1.</param>
/// <param name="BatchSize">The images per step, ≥ 1.</param>
/// <param name="Optimizer">The optimizer, its transforms and its learning-rate schedule.</param>
/// <param name="Dropout">p, the dropout rate of the hidden layers, in [0, 1).</param>
/// <param name="Seed">The seed of the initial weights, the validation split, every epoch's
/// shuffle and every step's dropout masks.</param>
/// <param name="Precision">The element type trained in and saved.</param>
/// <param name="Validation">The training images held out to validate on, or 0 for none.</param>
/// <param name="EarlyStop">The patience in epochs on the validation loss, or 0 for none.</param>
/// <param name="ModelPath">Where the model is written.</param>
/// <param name="PlotPath">Where the PNG plot is written, or null for none.</param>
/// <param name="CheckpointDirectory">Where a checkpoint is written after every epoch, or
/// null for none.</param>
/// <param name="ResumePath">The checkpoint the run continues from, or null for a fresh
/// run.</param>
/// <param name="Json">Whether one JSON object goes to stdout at the end.</param>
internal sealed record TrainSettings(
    string? DataDirectory,
    IReadOnlyList<int> Hidden,
    Activation Activation,
    Activation Output,
    Loss Loss,
    Initialization Initialization,
    int Epochs,
    int BatchSize,
    OptimizerSettings Optimizer,
    double Dropout,
    ulong Seed,
    Precision Precision,
    int Validation,
    int EarlyStop,
    string ModelPath,
    string? PlotPath,
    string? CheckpointDirectory,
    string? ResumePath,
    bool Json)
{
    /// <summary>The name of the file a run checkpoints to, in the --checkpoint directory.</summary>
    public const string CheckpointFileName = "checkpoint.json";

    /// <summary>The checkpoint file, or null when the run keeps none.</summary>
    public string? CheckpointPath => CheckpointDirectory is null
        ? null
        : System.IO.Path.Combine(CheckpointDirectory, CheckpointFileName);

    /// <summary>[n₀, hidden…, n_L] for data with the given input and class counts.</summary>
    public int[] Sizes(int features, int classes) => [features, .. Hidden, classes];

    /// <summary>⌈n / batch size⌉, the steps of an epoch over <paramref name="images"/>.</summary>
    public int BatchesPerEpoch(int images) =>
        (images / BatchSize) + (images % BatchSize == 0 ? 0 : 1);
}
