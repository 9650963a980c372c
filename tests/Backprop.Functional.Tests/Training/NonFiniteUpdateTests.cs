using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// An update outside a training run never hands out a network with NaN or ±∞ in it (which
/// <see cref="Layer.Create{T}"/> would refuse): it throws an ArithmeticException naming the
/// first such layer and whether the gradient was finite.
/// </summary>
public sealed class NonFiniteUpdateTests
{
    // 2 → 3 → 2: layer 1 has 6 weights and 3 biases, layer 2 has 6 weights and 2 biases.
    private static readonly Network<double> Network =
        Fixtures.Seeded(5, Activation.Identity, 2, 3, 2);

    [Theory]
    [InlineData(0, double.NaN, 1)]
    [InlineData(8, double.PositiveInfinity, 1)]
    [InlineData(9, double.NaN, 2)]
    [InlineData(16, double.NegativeInfinity, 2)]
    public void Sgd_with_a_non_finite_gradient_names_its_layer(int at, double value, int layer)
    {
        var gradient = GradientWith(at, value);

        var e = Assert.Throws<ArithmeticException>(() => Network.Update(gradient, 0.1));

        Assert.Equal(
            $"the update made the parameters of layer {layer} NaN or ±∞: the gradient of layer "
            + $"{layer} is not finite",
            e.Message);
    }

    [Fact]
    public void Sgd_whose_finite_step_overflows_says_the_gradient_was_finite()
    {
        // w = 1e308 in layer 2, g = −1e308, η = 10: w − η·g = 1.1e309 overflows to +∞.
        var flat = Fixtures.Flat(Network);
        flat[12] = 1e308;
        var network = Fixtures.WithParameters(Network, flat);
        var g = new double[flat.Length];
        g[12] = -1e308;

        var e = Assert.Throws<ArithmeticException>(
            () => network.Update(Fixtures.GradientOf(Network, g), 10.0));

        Assert.Equal(
            "the update made the parameters of layer 2 NaN or ±∞: the gradient is finite, but "
            + "the step or the weights are too large for Double",
            e.Message);
    }

    [Fact]
    public void A_float32_step_that_overflows_names_the_precision()
    {
        var network = Functional.Network.Create(Layer.Create(
            Matrix<float>.Build.Dense(1, 1, [3e38f]),
            Vector<float>.Build.Dense([0f]),
            Activation.Identity));
        var gradient = new Gradient<float>(LanguageExt.Prelude.Seq1(new LayerGradient<float>(
            Matrix<float>.Build.Dense(1, 1, [-1e38f]), Vector<float>.Build.Dense([0f]))));

        var e = Assert.Throws<ArithmeticException>(() => network.Update(gradient, 1f));

        Assert.EndsWith("too large for Single", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void Every_optimizer_refuses_a_non_finite_gradient_and_leaves_its_inputs(string name)
    {
        var optimizer = name switch
        {
            "sgd" => Optimizer.Sgd(0.1),
            "momentum" => Optimizer.Momentum(Schedule.Constant(0.1)),
            "adam" => Optimizer.Adam(Schedule.Constant(0.1)),
            _ => Optimizer.RmsProp(Schedule.Constant(0.1)),
        };
        var state = optimizer.Init(Network);
        var before = Fixtures.Flat(Network);

        var e = Assert.Throws<ArithmeticException>(
            () => optimizer.Update(state, Network, GradientWith(10, double.NaN)));

        Assert.Equal(
            "the update made the parameters of layer 2 NaN or ±∞: the gradient of layer 2 is "
            + "not finite",
            e.Message);
        Assert.Equal(before, Fixtures.Flat(Network));
        Assert.Equal(0, state.Step);
    }

    [Fact]
    public void A_value_clip_that_makes_an_infinite_gradient_finite_lets_the_update_through()
    {
        // Clipping by value maps +∞ to the bound, so the new parameters are finite.
        var optimizer = Optimizer.Sgd(0.1).With(Transform.ClipByValue(1.0));
        var (_, next) = optimizer.Update(
            optimizer.Init(Network), Network, GradientWith(3, double.PositiveInfinity));

        Assert.Equal(Fixtures.Flat(Network)[3] - 0.1, Fixtures.Flat(next)[3], 15);
        Assert.True(Fixtures.Flat(next).All(double.IsFinite));
    }

    // A gradient of zeros but one entry, in the order of Fixtures.Flat.
    private static Gradient<double> GradientWith(int at, double value)
    {
        var g = new double[Fixtures.Flat(Network).Length];
        g[at] = value;
        return Fixtures.GradientOf(Network, g);
    }
}
