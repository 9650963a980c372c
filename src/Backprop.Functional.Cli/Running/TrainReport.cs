using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>The JSON object <c>backprop train --json</c> prints.</summary>
/// <param name="Command">"train".</param>
/// <param name="Settings">The settings the run used, defaults filled in.</param>
/// <param name="Seed">The seed of the initial weights, the validation split, every epoch's
/// shuffle and every step's dropout masks.</param>
/// <param name="Epochs">One entry per epoch, in order; a resumed run's earlier epochs
/// included.</param>
/// <param name="EarlyStop">What early stopping found, or null without --early-stop.</param>
/// <param name="Final">The figures of the network saved.</param>
/// <param name="Model">The model file written, as given by --out.</param>
/// <param name="Plot">The PNG written, as given by --plot, or null.</param>
/// <param name="Checkpoint">The checkpoint file kept up to date, or null.</param>
/// <param name="ResumedFrom">The checkpoint the run continued from, as given by --resume, or
/// null.</param>
internal sealed record TrainReport(
    string Command,
    TrainReportSettings Settings,
    ulong Seed,
    IReadOnlyList<EpochMetrics> Epochs,
    EarlyStopReport? EarlyStop,
    FinalMetrics Final,
    string Model,
    string? Plot,
    string? Checkpoint,
    string? ResumedFrom);

/// <summary>The settings of a training run as <c>--json</c> reports them.</summary>
/// <param name="Data">The data directory, or "embedded" for the built-in sample.</param>
/// <param name="Dataset">The data's one-line description.</param>
/// <param name="TrainingImages">The number of training images in the data.</param>
/// <param name="ValidationImages">How many of them were held out to validate on (0 for
/// none).</param>
/// <param name="TestImages">The number of test images.</param>
/// <param name="Sizes">The layer sizes [n₀, hidden…, n_L].</param>
/// <param name="Activation">The hidden layers' activation.</param>
/// <param name="Output">The output layer's activation.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Init">The initialisation scheme.</param>
/// <param name="Epochs">The number of epochs.</param>
/// <param name="BatchSize">The batch size.</param>
/// <param name="Optimizer">The optimizer's name, as --optimizer takes it.</param>
/// <param name="OptimizerChain">The whole chain as the core describes it, schedule
/// included.</param>
/// <param name="LearningRate">η₀.</param>
/// <param name="Momentum">μ or β₁, or null.</param>
/// <param name="Beta2">β₂ or ρ, or null.</param>
/// <param name="WeightDecay">λ of decoupled weight decay.</param>
/// <param name="L2">λ of the L2 penalty.</param>
/// <param name="ClipNorm">The gradient norm clipped to, or null.</param>
/// <param name="Schedule">The schedule's name, as --schedule takes it.</param>
/// <param name="DecayFactor">γ, or null.</param>
/// <param name="DecayEvery">The epochs per factor γ, or null.</param>
/// <param name="Warmup">The warm-up steps.</param>
/// <param name="Dropout">The hidden layers' dropout rate.</param>
/// <param name="EarlyStop">The patience in epochs, or null.</param>
/// <param name="Precision">"float32" or "float64".</param>
/// <param name="Backend">Where the products ran, as the <c>backend:</c> line says it (for
/// OpenBLAS with its kernel set, on which the last bits depend).</param>
/// <param name="Parameters">The number of weights and biases.</param>
internal sealed record TrainReportSettings(
    string Data,
    string Dataset,
    int TrainingImages,
    int ValidationImages,
    int TestImages,
    IReadOnlyList<int> Sizes,
    string Activation,
    string Output,
    string Loss,
    string Init,
    int Epochs,
    int BatchSize,
    string Optimizer,
    string OptimizerChain,
    double LearningRate,
    double? Momentum,
    double? Beta2,
    double WeightDecay,
    double L2,
    double? ClipNorm,
    string Schedule,
    double? DecayFactor,
    int? DecayEvery,
    long Warmup,
    double Dropout,
    int? EarlyStop,
    string Precision,
    string Backend,
    long Parameters);

/// <summary>Where early stopping ended a run and which epoch it kept.</summary>
/// <param name="Patience">The epochs without a lower validation loss that stop the run.</param>
/// <param name="StoppedEpoch">The epoch the run stopped after, or null when it ran them
/// all.</param>
/// <param name="BestEpoch">The epoch of the lowest validation loss, whose network was
/// saved.</param>
/// <param name="BestValidationLoss">That loss.</param>
internal sealed record EarlyStopReport(
    int Patience, int? StoppedEpoch, int BestEpoch, double BestValidationLoss);

/// <summary>The figures of the network saved.</summary>
/// <param name="Epoch">The epoch after which the saved network stood.</param>
/// <param name="ValidationLoss">Its mean validation loss, or null.</param>
/// <param name="ValidationAccuracy">Its validation accuracy, or null.</param>
/// <param name="TestLoss">Its mean test loss.</param>
/// <param name="TestAccuracy">Its test accuracy, in [0, 1].</param>
/// <param name="TestCorrect">The test images it classifies correctly.</param>
/// <param name="TestTotal">The test images.</param>
internal sealed record FinalMetrics(
    int Epoch,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double TestLoss,
    double TestAccuracy,
    int TestCorrect,
    int TestTotal);
