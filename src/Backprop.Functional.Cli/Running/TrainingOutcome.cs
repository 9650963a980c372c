using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>How a training run ended: the network to save and what led to it.</summary>
/// <param name="Network">The network to save: the last one, or with --early-stop the one of
/// the lowest validation loss.</param>
/// <param name="Epoch">The epoch after which <paramref name="Network"/> stood.</param>
/// <param name="History">One entry per epoch of the whole run, a resumed run's earlier epochs
/// included.</param>
/// <param name="StoppedEarly">The epoch at which early stopping ended the run, or null when it
/// ran every epoch.</param>
internal sealed record TrainingOutcome<T>(
    Network<T> Network, int Epoch, IReadOnlyList<EpochMetrics> History, int? StoppedEarly)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>;
