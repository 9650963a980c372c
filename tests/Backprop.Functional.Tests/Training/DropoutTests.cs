using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>Inverted dropout in the forward pass, its trace, and Backward through it.</summary>
public sealed class DropoutTests
{
    /// <summary>
    /// The kept share of a 1000 × 100 mask is within this of 1 − p. Its standard deviation is
    /// √(p(1 − p)/10⁵) ≤ 0.0016, so 0.01 is more than six of them; the key is fixed, so the
    /// test is deterministic and the margin only guards against a biased draw.
    /// </summary>
    private const double KeptTolerance = 0.01;

    /// <summary>
    /// Central differences (L(θ + h) − L(θ − h))/2h with h = 1e-6 on smooth layers: truncation
    /// about h²·|L‴| ≈ 1e-12 and rounding about ε·|L|/h ≈ 1e-10, so 1e-7 (absolute, or relative
    /// to the larger derivative above 1) leaves a wide margin.
    /// </summary>
    private const double DifferenceTolerance = 1e-7;

    private static readonly Network<double> Net =
        Fixtures.Seeded(7, Activation.Identity, 3, 5, 4, 2);

    private static readonly Matrix<double> X =
        Fixtures.Matrix(3, 4, 0.5, -1, 0.25, 1, 0.75, -0.5, -0.25, 0, 1, 0.3, -0.8, 0.6);

    private static readonly Matrix<double> Y =
        Fixtures.Matrix(2, 4, 1, 0, -1, 0.5, 0.25, 0, 0.5, -1);

    [Fact]
    public void Hidden_layers_carry_their_mask_in_the_trace_and_the_output_layer_none()
    {
        var trace = Net.Forward(X, new Dropout(0.5, Key: 42));

        Assert.True(trace.Layers[0].Mask.IsSome);
        Assert.True(trace.Layers[1].Mask.IsSome);
        Assert.True(trace.OutputLayer.Mask.IsNone);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Mask_entries_are_zero_or_the_inverse_keep_rate(double p)
    {
        var trace = Net.Forward(X, new Dropout(p, Key: 3));

        foreach (var layer in trace.Layers.Init)
        {
            var mask = layer.Mask.IfNone(() => throw new InvalidOperationException("no mask"));
            Assert.All(
                mask.Enumerate(), m => Assert.True(m == 0.0 || m == 1.0 / (1.0 - p), $"{m}"));

            // The output is f(Σ) ⊙ M: a dropped unit outputs 0, a kept one f(Σ)/(1 − p).
            var f = Activation.Tanh.Apply(layer.WeightedInput);
            Assert.Equal(f.PointwiseMultiply(mask), layer.Output);
        }
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void The_kept_share_of_a_large_layer_is_about_one_minus_p(double p)
    {
        var wide = Fixtures.Seeded(1, Activation.Identity, 10, 1000, 2);
        var x = Matrix<double>.Build.Dense(10, 100, (i, j) => Math.Sin(i + (10 * j)));

        var mask = wide.Forward(x, new Dropout(p, Key: 11)).Layers[0].Mask
            .IfNone(() => throw new InvalidOperationException("no mask"));

        var kept = mask.Enumerate().Count(m => m != 0) / (double)(1000 * 100);
        Fixtures.Near(1 - p, kept, KeptTolerance, "kept share");
    }

    [Fact]
    public void The_same_key_gives_the_same_mask_and_another_key_another()
    {
        var first = Masks(Net.Forward(X, new Dropout(0.5, Key: 9)));
        var again = Masks(Net.Forward(X, new Dropout(0.5, Key: 9)));
        var other = Masks(Net.Forward(X, new Dropout(0.5, Key: 10)));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Forward_without_dropout_records_no_mask()
    {
        Assert.All(Net.Forward(X).Layers, l => Assert.True(l.Mask.IsNone));
        Assert.All(Net.Forward(X, Dropout.None).Layers, l => Assert.True(l.Mask.IsNone));
        Assert.All(
            Net.Forward(X, new Dropout(0.0, Key: 5)).Layers, l => Assert.True(l.Mask.IsNone));
    }

    [Fact]
    public void Backward_through_masked_layers_matches_differences_of_the_masked_forward()
    {
        // The mask depends on the key, the layer and the shape only, not on the weights, so
        // with the key fixed the masked forward is a smooth function of θ.
        var dropout = new Dropout(0.5, Key: 2024);
        var trace = Net.Forward(X, dropout);
        var masks = Masks(trace);
        Assert.Contains(0.0, masks);
        Assert.Contains(2.0, masks);

        var analytic = Fixtures.Flat(Net.Backward(trace, Y, Loss.Quadratic));

        var θ = Fixtures.Flat(Net);
        const double h = 1e-6;
        for (var i = 0; i < θ.Length; i++)
        {
            var numeric = (LossAt(θ, i, h, dropout) - LossAt(θ, i, -h, dropout)) / (2 * h);
            var scale = Math.Max(1.0, Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])));
            Fixtures.Near(numeric / scale, analytic[i] / scale, DifferenceTolerance, $"∂L/∂θ[{i}]");
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_outside_zero_to_one_throws(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p, Key: 0));

        Assert.Contains("dropout rate", e.Message);
    }

    private static double[] Masks(Trace<double> trace) =>
        trace.Layers.Init.SelectMany(l => l.Mask
            .IfNone(() => throw new InvalidOperationException("no mask")).ToColumnMajorArray())
            .ToArray();

    private static double LossAt(double[] θ, int i, double h, Dropout dropout)
    {
        var moved = (double[])θ.Clone();
        moved[i] += h;
        var network = Fixtures.WithParameters(Net, moved);
        return Loss.Quadratic.Value(network.Forward(X, dropout).OutputLayer, Y);
    }
}
