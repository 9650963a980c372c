using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Layers copy what they are built from, and networks, layers, activations and gradients are
/// records with value equality: built separately from equal parts, they are equal and hash
/// alike; one different weight makes them different.
/// </summary>
public sealed class ImmutabilityTests
{
    [Fact]
    public void A_layer_copies_its_weights_and_bias()
    {
        var w = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 2.0 } });
        var b = Vector<double>.Build.Dense([3.0]);
        var layer = Layer.Create(w, b, Activation.Tanh);

        w[0, 0] = 99;
        b[0] = 99;

        Assert.Equal(1.0, layer.Weights[0, 0]);
        Assert.Equal(3.0, layer.Bias[0]);
    }

    [Fact]
    public void Networks_built_separately_from_equal_parts_are_equal_and_hash_alike()
    {
        var first = Build(0.25);
        var second = Build(0.25);

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.True(first == second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(first.Layers[0], second.Layers[0]);
        Assert.Equal(first.Layers[0].GetHashCode(), second.Layers[0].GetHashCode());
    }

    [Fact]
    public void Networks_that_differ_in_one_weight_or_one_activation_are_not_equal()
    {
        var network = Build(0.25);
        var activation = Network.Create(
            network.Layers[0],
            Layer.Create(network.Layers[1].Weights, network.Layers[1].Bias, Activation.Tanh));

        Assert.NotEqual(network, Build(0.25000000000000006));
        Assert.NotEqual(network, activation);
    }

    [Fact]
    public void Activations_are_equal_by_kind_and_slope()
    {
        Assert.Equal(Activation.LeakyReLU(0.01), Activation.LeakyReLU(0.01));
        Assert.Equal(
            Activation.LeakyReLU(0.01).GetHashCode(), Activation.LeakyReLU(0.01).GetHashCode());
        Assert.NotEqual(Activation.LeakyReLU(0.01), Activation.LeakyReLU(0.02));
        Assert.Equal(Activation.ReLU, Activation.LeakyReLU(0.0));
        Assert.NotEqual(Activation.Sigmoid, Activation.Tanh);
    }

    [Fact]
    public void Gradients_computed_twice_are_equal_records()
    {
        var network = Build(0.25);
        var x = Matrix<double>.Build.Dense(2, 3, (i, j) => i - j);
        var y = Matrix<double>.Build.Dense(1, 3, 0.5);

        var g = network.Backward(network.Forward(x), y, Loss.Quadratic);
        var h = network.Backward(network.Forward(x.Clone()), y.Clone(), Loss.Quadratic);

        Assert.Equal(g, h);
        Assert.Equal(g.GetHashCode(), h.GetHashCode());
        Assert.NotEqual(g, 2.0 * h);
    }

    [Fact]
    public void Update_returns_a_new_network_and_leaves_the_old_one_as_it_was()
    {
        var network = Build(0.25);
        var before = Bits.Of(network);
        var ones = new Gradient<double>(Gradient.Zero(network).Layers.Map(l =>
            new LayerGradient<double>(l.Weights.Map(_ => 1.0), l.Bias.Map(_ => 1.0))));

        var next = network.Update(ones, 0.5);

        Assert.Equal(before, Bits.Of(network));
        Assert.Equal(0.25 - 0.5, next.Layers[0].Weights[0, 0]);
    }

    // A [2, 2, 1] network with every weight and bias equal to w, built from fresh matrices.
    private static Network<double> Build(double w) => Network.Create(
        Layer.Create(
            Matrix<double>.Build.Dense(2, 2, w),
            Vector<double>.Build.Dense(2, w),
            Activation.Tanh),
        Layer.Create(
            Matrix<double>.Build.Dense(1, 2, w),
            Vector<double>.Build.Dense(1, w),
            Activation.Sigmoid));
}
