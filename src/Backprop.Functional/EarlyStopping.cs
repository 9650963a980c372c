using System;
using System.Collections.Generic;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>Where a run should stop, as found by <see cref="EarlyStopping.Find"/>.</summary>
/// <param name="Epoch">The epoch to stop after (from 1): the patience-th in a row that did not
/// improve on the best loss.</param>
/// <param name="BestEpoch">The epoch of the best loss (from 1), whose network to keep; 0 when no
/// loss was below +∞ (every one NaN or +∞).</param>
/// <param name="BestLoss">The best loss, +∞ when <paramref name="BestEpoch"/> is 0.</param>
public sealed record EarlyStop(int Epoch, int BestEpoch, double BestLoss);

/// <summary>Early stopping as a pure function of the per-epoch validation losses.</summary>
public static class EarlyStopping
{
    /// <summary>
    /// The epoch at which to stop: the first epoch e with e − e* = <paramref name="patience"/>,
    /// where e* is the epoch of the best loss so far. An epoch improves when its loss is below
    /// best − <paramref name="minDelta"/>; a NaN loss never improves.
    /// </summary>
    /// <remarks>
    /// The losses are read in order and no further than the stop epoch, so a lazy sequence of
    /// losses (one evaluation per epoch of a training run) is evaluated only as far as needed.
    /// </remarks>
    /// <param name="losses">The validation loss of epochs 1, 2, …, in order.</param>
    /// <param name="patience">N ≥ 1, the epochs in a row without improvement that stop a
    /// run.</param>
    /// <param name="minDelta">The least decrease that counts as an improvement, finite and ≥ 0.
    /// Defaults to 0: any decrease.</param>
    /// <returns>Where to stop, or None when the losses end first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The patience is below 1, or the minimum
    /// decrease is negative or not finite.</exception>
    public static Option<EarlyStop> Find(
        IEnumerable<double> losses, int patience, double minDelta = 0.0)
    {
        if (patience < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(patience), patience, $"patience must be ≥ 1, got {patience}");
        }

        if (!(double.IsFinite(minDelta) && minDelta >= 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(minDelta), minDelta, $"minDelta must be finite and ≥ 0, got {minDelta}");
        }

        var (best, bestEpoch, epoch) = (double.PositiveInfinity, 0, 0);
        foreach (var loss in losses)
        {
            epoch++;
            if (loss < best - minDelta)
            {
                (best, bestEpoch) = (loss, epoch);
            }
            else if (epoch - bestEpoch == patience)
            {
                return Some(new EarlyStop(epoch, bestEpoch, best));
            }
        }

        return None;
    }
}
