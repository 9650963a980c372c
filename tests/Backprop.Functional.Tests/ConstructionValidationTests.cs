using System;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Tests;

/// <summary>
/// Bad parts refused when building layers, networks, gradients and steps: the Try… factories
/// return a failure and the others throw an <see cref="ArgumentException"/>, and in both cases
/// the message names what was expected and what was found.
/// </summary>
public sealed class ConstructionValidationTests
{
    private static readonly Network<double> Network = Functional.Network.Initialize<double>(
        [2, 3, 1], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 5);

    public static TheoryData<double> BadLearningRates => new(
        -0.1, -1e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity);

    [Fact]
    public void A_bias_that_does_not_match_the_rows_of_W_is_refused_naming_both_shapes()
    {
        var w = Matrix<double>.Build.Dense(2, 3);
        var b = Vector<double>.Build.Dense(3);

        var fin = Layer.TryCreate(w, b, Activation.Tanh);
        var thrown = Assert.Throws<ArgumentException>(() => Layer.Create(w, b, Activation.Tanh));

        Assert.True(fin.IsFail);
        Assert.Contains("weights are 2 × 3 (out × in)", Message(fin));
        Assert.Contains("bias has length 3; expected 2", Message(fin));
        Assert.Equal(Message(fin), thrown.Message.Split(" (Parameter")[0]);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(2, 0)]
    public void Weights_with_no_rows_or_no_columns_are_refused(int rows, int columns)
    {
        var fin = Layer.TryCreate(
            Matrix<double>.Build.Dense(rows, columns), Vector<double>.Build.Dense(rows),
            Activation.ReLU);

        Assert.True(fin.IsFail);
        Assert.Contains($"weights are {rows} × {columns}", Message(fin));
        Assert.Contains("at least one input and one unit", Message(fin));
    }

    [Fact]
    public void Non_finite_weights_or_biases_are_refused_naming_the_place()
    {
        var w = Matrix<double>.Build.Dense(2, 2);
        w[1, 0] = double.NaN;
        var b = Vector<double>.Build.Dense([0.0, double.PositiveInfinity]);

        var badW = Layer.TryCreate(w, Vector<double>.Build.Dense(2), Activation.Tanh);
        var badB = Layer.TryCreate(Matrix<double>.Build.Dense(2, 2), b, Activation.Tanh);

        Assert.Contains("weights contain NaN at row 1, column 0", Message(badW));
        Assert.StartsWith("bias", Message(badB));
        Assert.Contains("Infinity at row 1, column 0", Message(badB));
    }

    [Fact]
    public void Adjacent_layers_whose_sizes_disagree_are_refused_naming_both()
    {
        var first = Layer.Create(
            Matrix<double>.Build.Dense(3, 2), Vector<double>.Build.Dense(3), Activation.Tanh);
        var second = Layer.Create(
            Matrix<double>.Build.Dense(1, 4), Vector<double>.Build.Dense(1), Activation.Sigmoid);

        var fin = Functional.Network.TryCreate(Seq(first, second));
        var thrown = Assert.Throws<ArgumentException>(() =>
            Functional.Network.Create(first, second));

        Assert.True(fin.IsFail);
        Assert.Contains("layer 1 has 3 outputs (W is 3 × 2)", Message(fin));
        Assert.Contains("layer 2 expects 4 inputs (W is 1 × 4)", Message(fin));
        Assert.StartsWith(Message(fin), thrown.Message);
    }

    [Theory]
    [InlineData(
        1, 4, "layer 1 has 1 output (W is 1 × 2) but layer 2 expects 4 inputs (W is 1 × 4)")]
    [InlineData(
        3, 1, "layer 1 has 3 outputs (W is 3 × 2) but layer 2 expects 1 input (W is 1 × 1)")]
    public void The_sizes_of_adjacent_layers_are_counted(int outputs, int inputs, string expected)
    {
        var first = Layer.Create(
            Matrix<double>.Build.Dense(outputs, 2),
            Vector<double>.Build.Dense(outputs),
            Activation.Tanh);
        var second = Layer.Create(
            Matrix<double>.Build.Dense(1, inputs), Vector<double>.Build.Dense(1), Activation.Tanh);

        var fin = Functional.Network.TryCreate(Seq(first, second));

        Assert.StartsWith(expected, Message(fin));
    }

    [Fact]
    public void A_network_needs_at_least_one_layer()
    {
        var fin = Functional.Network.TryCreate(Seq<Layer<double>>());

        Assert.True(fin.IsFail);
        Assert.Contains("at least one layer", Message(fin));
    }

    [Fact]
    public void A_gradient_of_the_wrong_shape_is_refused_by_Update_naming_both_shapes()
    {
        var other = Functional.Network.Initialize<double>(
            [3, 2], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 5);

        var e = Assert.Throws<ArgumentException>(() =>
            Network.Update(Gradient.Zero(other), 0.1));

        Assert.Contains("the gradient has shapes [2 × 3]", e.Message);
        Assert.Contains("the network has [3 × 2, 1 × 3]", e.Message);
        Assert.Equal("gradient", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(BadLearningRates))]
    public void A_negative_or_non_finite_learning_rate_is_refused_naming_it(double η)
    {
        var zero = Gradient.Zero(Network);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Network.Update(zero, η));

        Assert.Equal("learningRate", e.ParamName);
        Assert.Contains("must be finite and ≥ 0", e.Message);
        Assert.Contains($"Actual value was {η}", e.Message);
    }

    [Fact]
    public void Gradients_of_different_shapes_cannot_be_added_or_multiplied()
    {
        var g = Gradient.Zero(Network);
        var h = Gradient.Zero(Functional.Network.Initialize<double>(
            [2, 4, 1], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 5));

        var add = Assert.Throws<ArgumentException>(() => g + h);
        var dot = Assert.Throws<ArgumentException>(() => Gradient.Dot(g, h));

        Assert.Contains("[3 × 2, 1 × 3] and [4 × 2, 1 × 4]", add.Message);
        Assert.Equal(add.Message, dot.Message);
        Assert.Throws<ArgumentException>(() => Gradient.Mean(Seq(g, h)));
    }

    [Fact]
    public void The_mean_of_no_gradients_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Gradient.Mean(Seq<Gradient<double>>()));

        Assert.Contains("no gradients", e.Message);
    }

    [Theory]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { 3, 0, 1 })]
    [InlineData(new[] { -1, 2 })]
    public void Initialize_refuses_sizes_that_are_not_a_network_naming_them(int[] sizes)
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.Network.Initialize<double>(
            sizes, Activation.Tanh, Activation.Identity, Initialization.He, 1));

        Assert.Contains($"got [{string.Join(", ", sizes)}]", e.Message);
        Assert.Contains("at least two positive numbers", e.Message);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_leaky_ReLU_slope_outside_zero_to_one_is_refused(double slope)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyReLU(slope));

        Assert.Contains("[0, 1)", e.Message);
        Assert.Contains($"got {slope}", e.Message);
    }

    [Fact]
    public void Unknown_names_are_refused_listing_the_known_ones()
    {
        var activation = Activation.Parse("swish");
        var slope = Activation.Parse("leaky-relu:2");
        var loss = Loss.Parse("hinge");

        Assert.Contains("unknown activation 'swish'", Message(activation));
        Assert.Contains("softplus or softmax", Message(activation));
        Assert.Contains("got '2'", Message(slope));
        Assert.Contains("unknown loss 'hinge'", Message(loss));
        Assert.Contains("softmax-cross-entropy", Message(loss));
    }

    [Fact]
    public void Every_canonical_name_parses_back_to_its_activation_or_loss()
    {
        Assert.All(
            Generators.Elementwise.Concat([Activation.Softmax]),
            f => Assert.Equal(f, Activation.Parse(f.Name).Match(a => a, e => null!)));
        Assert.All(
            Pairing.All.Select(p => p.Loss).Distinct(),
            l => Assert.Equal(l, Loss.Parse(l.Name).Match(a => a, e => null!)));
    }

    private static string Message<TValue>(Fin<TValue> fin) =>
        fin.Match(_ => string.Empty, e => e.Message);
}
