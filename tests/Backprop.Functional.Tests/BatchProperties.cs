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
    /// A saturated σ or tanh output scales each sample's gradient by its slope but not the
    /// slope's own rounding, so that sample's entries count divided by its smallest slope
    /// (<see cref="Slope"/>); 15,000 further cases passed so.
    /// </summary>
    private const double Tolerance = 1e-13;

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property The_gradient_of_a_batch_is_the_mean_of_the_per_sample_gradients(
        NetworkCase c) => BatchGradientIsTheMean(c);

    // A case that failed with the scale of the largest gradient entry alone: a 6-7-6-6-1
    // network whose tanh output saturates (slopes 1e-5 to 5e-4), batch 5, a difference of
    // 3.25e-16 on entries of at most 9.4e-4.
    [Property(
        MaxTest = 1,
        Arbitrary = [typeof(NetworkArbitraries)],
        Replay = "15738847350803602433,6352006530239708713,51")]
    public Property A_saturated_output_does_not_shrink_the_rounding_between_batch_and_samples(
        NetworkCase c) =>
        (Samples(c).Map(Slope).Max() < 1e-3).Label("the output saturates")
            .And(BatchGradientIsTheMean(c));

    private static Property BatchGradientIsTheMean(NetworkCase c)
    {
        var batch = ReferenceModel.Flatten(
            c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss));
        var perSample = Samples(c).Map(s =>
            s.Network.Backward(s.Network.Forward(s.Inputs), s.Targets, s.Loss));
        var mean = ReferenceModel.Flatten(Gradient.Mean(perSample));

        var scale = Samples(c).Zip(perSample)
            .Max(pair => ReferenceModel.Flatten(pair.Item2).Max(Math.Abs) / Slope(pair.Item1));
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

    // A sample's smallest output slope, for an output layer whose slope is computed from o
    // (σ′ = o·(1 − o), tanh′ = 1 − o²); 1 otherwise. Near saturation that slope cancels: its
    // rounding, about ε, does not shrink with it, and the batch and the per-sample paths
    // round o differently (their products sum in other orders), so their gradients differ by
    // about ε·|g|/f′ rather than ε·|g|. A tanh output with slopes from 1e-5 to 5e-4 made a
    // difference of 3e-16 on gradients whose largest entry was 9.4e-4.
    private static double Slope(NetworkCase sample)
    {
        var output = sample.Network.Forward(sample.Inputs).OutputLayer;
        var fromOutput = output.Activation == Activation.Sigmoid
            || output.Activation == Activation.Tanh;
        return fromOutput && output.Jacobian is DiagonalJacobian<double> d
            ? Math.Min(1, d.Slopes.Enumerate().Where(f => f > 0).DefaultIfEmpty(1).Min())
            : 1;
    }

    private static Seq<NetworkCase> Samples(NetworkCase c) =>
        toSeq(Enumerable.Range(0, c.Inputs.ColumnCount).Select(k => c with
        {
            Inputs = c.Inputs.SubMatrix(0, c.Inputs.RowCount, k, 1),
            Targets = c.Targets.SubMatrix(0, c.Targets.RowCount, k, 1),
        }).ToArray());
}
