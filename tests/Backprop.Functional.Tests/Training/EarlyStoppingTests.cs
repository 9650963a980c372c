using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>Early stopping on crafted curves of per-epoch validation losses.</summary>
public sealed class EarlyStoppingTests
{
    // Epochs 1–9. Improvements at 1, 2, 3 and 5 (0.69 < 0.7); 6, 7 and 8 do not improve on
    // 0.69, so with patience 3 the run stops after epoch 8 and keeps epoch 5. The 0.68 of
    // epoch 9 comes too late to be seen.
    private static readonly double[] Curve = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.70, 0.75, 0.68];

    [Fact]
    public void It_stops_after_patience_epochs_without_a_new_best()
    {
        var stop = EarlyStopping.Find(Curve, patience: 3);

        Assert.Equal(new EarlyStop(Epoch: 8, BestEpoch: 5, BestLoss: 0.69), stop);
    }

    [Fact]
    public void It_reads_the_losses_no_further_than_the_stop_epoch()
    {
        var read = 0;
        IEnumerable<double> Losses()
        {
            foreach (var loss in Curve)
            {
                read++;
                yield return loss;
            }

            throw new InvalidOperationException("read past the end");
        }

        _ = EarlyStopping.Find(Losses(), patience: 3);

        Assert.Equal(8, read);
    }

    [Fact]
    public void Patience_one_stops_at_the_first_epoch_that_does_not_improve()
    {
        Assert.Equal(new EarlyStop(4, 3, 0.7), EarlyStopping.Find(Curve, patience: 1));
    }

    [Fact]
    public void A_minimum_decrease_ignores_small_improvements()
    {
        // With minΔ = 0.015, 0.69 is not below 0.7 − 0.015: epochs 4, 5 and 6 fail, stop at 6.
        Assert.Equal(
            new EarlyStop(6, 3, 0.7), EarlyStopping.Find(Curve, patience: 3, minDelta: 0.015));
    }

    [Fact]
    public void A_curve_that_keeps_improving_never_stops()
    {
        var falling = Enumerable.Range(1, 50).Select(e => 1.0 / e);

        Assert.True(EarlyStopping.Find(falling, patience: 2).IsNone);
        Assert.True(EarlyStopping.Find(Curve, patience: 5).IsNone);
    }

    [Fact]
    public void A_nan_loss_never_improves()
    {
        Assert.Equal(
            new EarlyStop(3, 1, 1.0),
            EarlyStopping.Find([1.0, double.NaN, double.NaN, 0.5], patience: 2));
        Assert.Equal(
            new EarlyStop(2, 0, double.PositiveInfinity),
            EarlyStopping.Find([double.NaN, double.NaN], patience: 2));
    }

    [Fact]
    public void It_finds_the_stop_of_a_lazy_training_run()
    {
        // Validation losses from a lazy run: the run is enumerated only as far as the stop.
        // Training on one sample and validating on another whose label contradicts it makes
        // the validation loss rise once the fit of the training sample takes over.
        var trainingX = Fixtures.Matrix(1, 1, 1.0);
        var data = Fixtures.InMemory(trainingX, Fixtures.Matrix(1, 1, 1.0));
        var validation = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1.0), Fixtures.Matrix(1, 1, 0.3));
        var start = Fixtures.Affine(1, 1, [0.0], [0.0]);
        var batches = 0;
        var counted = data with { Batch = k => (++batches, data.Batch(k)).Item2 };
        var options = new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 1, 0);

        var losses = Training.Run(start, counted, options)
            .Where(s => s.EndsEpoch)
            .Select(s => Metrics.Evaluate(s.Network, validation, Loss.Quadratic, 1).MeanLoss);
        var stop = EarlyStopping.Find(losses, patience: 3)
            .IfNone(() => throw new InvalidOperationException("no stop"));

        // o = w + b rises from 0 towards 1 by 1 − 0.8ᵉ after epoch e (each step shrinks the
        // residual by 1 − η·(x² + 1) = 0.8). The validation loss ½(o − 0.3)² is best at the
        // epoch closest to 0.3: o = 0.2 after 1, 0.36 after 2, so epoch 2; stop at 5.
        Assert.Equal((5, 2), (stop.Epoch, stop.BestEpoch));
        Fixtures.Near(0.5 * Math.Pow(0.36 - 0.3, 2), stop.BestLoss, 1e-15, "best loss");
        Assert.Equal(5, batches);
    }

    [Fact]
    public void Patience_below_one_and_a_bad_minimum_decrease_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlyStopping.Find(Curve, patience: 0));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => EarlyStopping.Find(Curve, 2, minDelta: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlyStopping.Find(Curve, 2, double.NaN));
    }
}
