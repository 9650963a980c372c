using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Tests;

/// <summary>
/// The loss of a batch is the mean of its samples' losses, so its gradient is the mean of the
/// per-sample gradients: L = (1/m)·Σₖ ℓₖ and ∂L/∂θ = (1/m)·Σₖ ∂ℓₖ/∂θ.
/// </summary>
public sealed class BatchProperties
{
    /// <summary>
    /// The batch and the per-sample paths differ only in rounding: the batch sums m ≤ 5 terms
    /// inside its matrix products, the mean sums them afterwards, and δ may be rounded
    /// differently when a product runs on 1 column or on m. Differences are measured against
    /// the largest entry of any per-sample gradient (for the loss, the largest per-sample loss):
    /// an entry that is a sum with cancellation keeps the rounding of its largest terms. Measured
    /// worst over 5000 cases: 2e-15 for gradients, 6e-16 for losses. Entry by entry, against
    /// its own summands, the gradient's worst was 4e-13: δ's rounding, amplified by cancellation.
    /// </summary>
    private const double Tolerance = 1e-13;

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property The_gradient_of_a_batch_is_the_mean_of_the_per_sample_gradients(NetworkCase c)
    {
        var batch = ReferenceModel.Flatten(
            c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss));
        var perSample = Samples(c).Map(s =>
            s.Network.Backward(s.Network.Forward(s.Inputs), s.Targets, s.Loss));
        var mean = ReferenceModel.Flatten(Gradient.Mean(perSample));

        var scale = perSample.Map(ReferenceModel.Flatten).Max(g => g.Max(Math.Abs));
        var worst = Enumerable.Range(0, batch.Length).MaxBy(i => Math.Abs(batch[i] - mean[i]));
        return Prop.Label(
            Math.Abs(batch[worst] - mean[worst]) <= Tolerance * scale,
            $"parameter {worst}: batch {batch[worst]:R}, mean {mean[worst]:R}, scale {scale:R}");
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property The_loss_of_a_batch_is_the_mean_of_the_per_sample_losses(NetworkCase c)
    {
        var batch = c.Network.Loss(c.Inputs, c.Targets, c.Loss);
        var losses = Samples(c).Map(s => s.Network.Loss(s.Inputs, s.Targets, s.Loss)).ToArray();
        var mean = losses.Sum() / losses.Length;
        var scale = losses.Max(Math.Abs);

        return Prop.Label(
            Math.Abs(batch - mean) <= Tolerance * scale,
            $"batch {batch:R}, mean of samples {mean:R}");
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property The_mean_of_one_gradient_is_that_gradient_and_of_two_equal_ones_too(
        NetworkCase c)
    {
        var g = c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss);

        // (1/1)·g and (g + g)·½ are exact in binary floating point.
        return Prop.Label(
            Gradient.Mean(Seq1(g)) == g && Gradient.Mean(Seq(g, g)) == g,
            "Mean changed the values");
    }

    private static Seq<NetworkCase> Samples(NetworkCase c) =>
        toSeq(Enumerable.Range(0, c.Inputs.ColumnCount).Select(k => c with
        {
            Inputs = c.Inputs.SubMatrix(0, c.Inputs.RowCount, k, 1),
            Targets = c.Targets.SubMatrix(0, c.Targets.RowCount, k, 1),
        }).ToArray());
}
