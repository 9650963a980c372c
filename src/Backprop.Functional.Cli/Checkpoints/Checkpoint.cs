using System.Collections.Generic;
using Backprop.Functional.Cli.Running;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Checkpoints;

/// <summary>
/// What a checkpoint says about its run, apart from its networks and optimizer buffers: enough
/// to check a resumed run against it and to tell where it stood.
/// </summary>
/// <param name="Precision">"float32" or "float64", the element type of everything saved.</param>
/// <param name="Settings">The run's settings as (key, value) text, in a fixed order; a resumed
/// run must give the same.</param>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Batch">The batch of that epoch just taken: the epoch's last.</param>
/// <param name="BatchesPerEpoch">The steps of an epoch.</param>
/// <param name="Step">The steps taken so far.</param>
/// <param name="Skipped">The steps skipped for non-finite values so far.</param>
/// <param name="History">One entry per epoch finished, in order.</param>
/// <param name="BestEpoch">The epoch of the lowest validation loss so far when the run stops
/// early, whose network the checkpoint also holds; null otherwise.</param>
/// <param name="ClassNames">The names of the data's classes the run trained on, label 0 first,
/// which the networks' model-file objects record.</param>
internal sealed record CheckpointHeader(
    string Precision,
    IReadOnlyList<(string Key, string Value)> Settings,
    int Epoch,
    int Batch,
    int BatchesPerEpoch,
    long Step,
    int Skipped,
    IReadOnlyList<EpochMetrics> History,
    int? BestEpoch,
    IReadOnlyList<string> ClassNames);

/// <summary>
/// A training run saved at the end of an epoch: its header, the network, the optimizer state
/// with its buffers and, for a run that stops early, the best network so far.
/// </summary>
/// <param name="Header">The settings, the position in the run and the history.</param>
/// <param name="Network">The network after the last step.</param>
/// <param name="Optimizer">The optimizer state after the last step.</param>
/// <param name="Best">The network after <see cref="CheckpointHeader.BestEpoch"/>, or null.</param>
internal sealed record Checkpoint<T>(
    CheckpointHeader Header, Network<T> Network, OptimizerState<T> Optimizer, Network<T>? Best)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>The core's view of the position: the step to resume the sequence from.</summary>
    public TrainingStep<T> Position => new(
        Header.Epoch,
        Header.Batch,
        Header.BatchesPerEpoch,
        Header.Step,
        Network,
        Optimizer,
        T.Zero,
        0,
        Header.Skipped,
        None);
}
