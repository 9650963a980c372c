using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>The JSON object <c>backprop train --json</c> prints.</summary>
/// <param name="Command">"train".</param>
/// <param name="Settings">The settings the run used, defaults filled in.</param>
/// <param name="Seed">The seed of the initial weights and of every epoch's shuffle.</param>
/// <param name="Epochs">One entry per epoch, in order.</param>
/// <param name="Final">The test metrics after the last epoch.</param>
/// <param name="Model">The model file written, as given by --out.</param>
/// <param name="Plot">The PNG written, as given by --plot, or null.</param>
internal sealed record TrainReport(
    string Command,
    TrainReportSettings Settings,
    ulong Seed,
    IReadOnlyList<EpochMetrics> Epochs,
    FinalMetrics Final,
    string Model,
    string? Plot);

/// <summary>The settings of a training run as <c>--json</c> reports them.</summary>
/// <param name="Data">The data directory, or "embedded" for the built-in sample.</param>
/// <param name="Dataset">The data's one-line description.</param>
/// <param name="TrainingImages">The number of training images.</param>
/// <param name="TestImages">The number of test images.</param>
/// <param name="Sizes">The layer sizes [n₀, hidden…, n_L].</param>
/// <param name="Activation">The hidden layers' activation.</param>
/// <param name="Output">The output layer's activation.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Init">The initialisation scheme.</param>
/// <param name="Epochs">The number of epochs.</param>
/// <param name="BatchSize">The batch size.</param>
/// <param name="LearningRate">η.</param>
/// <param name="Precision">"float32" or "float64".</param>
/// <param name="Parameters">The number of weights and biases.</param>
internal sealed record TrainReportSettings(
    string Data,
    string Dataset,
    int TrainingImages,
    int TestImages,
    IReadOnlyList<int> Sizes,
    string Activation,
    string Output,
    string Loss,
    string Init,
    int Epochs,
    int BatchSize,
    double LearningRate,
    string Precision,
    int Parameters);

/// <summary>The test-set figures after the last epoch.</summary>
/// <param name="TestLoss">The mean test loss.</param>
/// <param name="TestAccuracy">The test accuracy, in [0, 1].</param>
/// <param name="TestCorrect">The test images classified correctly.</param>
/// <param name="TestTotal">The test images.</param>
internal sealed record FinalMetrics(
    double TestLoss, double TestAccuracy, int TestCorrect, int TestTotal);
