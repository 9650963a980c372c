using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Laws of the SGD step W ← W − η·∂W, b ← b − η·∂b: a zero step changes nothing, and a
/// non-zero step is exactly that formula, entry by entry.
/// </summary>
public sealed class SgdProperties
{
    /// <summary>Learning rates in (0, 10], on a grid of 10⁻⁶.</summary>
    private static Gen<double> LearningRates { get; } =
        Gen.Choose(1, 10_000_000).Select(k => k / 1e6);

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property A_learning_rate_of_zero_leaves_the_network_equal(NetworkCase c)
    {
        var gradient = c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss);

        return Prop.Label(c.Network.Update(gradient, 0.0) == c.Network, "η = 0 moved a weight");
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property A_zero_gradient_leaves_the_network_equal(NetworkCase c) =>
        Prop.ForAll(LearningRates.ToArbitrary(), η =>
            Prop.Label(
                c.Network.Update(Gradient.Zero(c.Network), η) == c.Network,
                $"a zero gradient with η = {η} moved a weight"));

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property A_step_subtracts_the_scaled_gradient_entry_by_entry(NetworkCase c) =>
        Prop.ForAll(LearningRates.ToArbitrary(), η =>
        {
            var gradient = c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss);
            var θ = ReferenceModel.Flatten(c.Network);
            var g = ReferenceModel.Flatten(gradient);
            var stepped = ReferenceModel.Flatten(c.Network.Update(gradient, η));

            // The library rounds after the product and after the sum, as this does, so the
            // two agree to the bit.
            var expected = θ.Select((w, i) => w + (-η * g[i])).ToArray();
            var first = Enumerable.Range(0, θ.Length)
                .Where(i => stepped[i] != expected[i])
                .Select(i => $"parameter {i}: θ {θ[i]:R}, g {g[i]:R}, η {η:R}, "
                    + $"stepped {stepped[i]:R}, expected {expected[i]:R}");
            return Prop.Label(!first.Any(), first.FirstOrDefault() ?? string.Empty);
        });

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property Step_is_the_loss_before_and_the_update_by_its_gradient(NetworkCase c)
    {
        const double η = 0.1;
        var (loss, gradient) = c.Network.LossAndGradient(c.Inputs, c.Targets, c.Loss);

        var (next, reported) = c.Network.Step(c.Inputs, c.Targets, c.Loss, η);

        return Prop.Label(
            BitConverter.DoubleToInt64Bits(reported) == BitConverter.DoubleToInt64Bits(loss)
                && next == c.Network.Update(gradient, η),
            "Step is not Forward, Backward and Update");
    }
}
