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
/// <param name="BatchSize">The images per SGD step, ≥ 1.</param>
/// <param name="LearningRate">η, finite and &gt; 0.</param>
/// <param name="Seed">The seed of the initial weights and of every epoch's shuffle.</param>
/// <param name="Precision">The element type trained in and saved.</param>
/// <param name="ModelPath">Where the model is written.</param>
/// <param name="PlotPath">Where the PNG plot is written, or null for none.</param>
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
    double LearningRate,
    ulong Seed,
    Precision Precision,
    string ModelPath,
    string? PlotPath,
    bool Json)
{
    /// <summary>[n₀, hidden…, n_L] for data with the given input and class counts.</summary>
    public int[] Sizes(int features, int classes) => [features, .. Hidden, classes];
}
