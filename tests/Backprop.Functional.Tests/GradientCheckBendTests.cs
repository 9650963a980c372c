using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// A smooth activation acts as a kink when a finite-difference step carries its input through
/// its bend by far more than the bend's width of about 1: a softmax's largest logits tying,
/// σ, tanh or softplus at 0. GradientCheck flags those parameters as near a kink instead of
/// failing them, and still checks a stencil that crosses a bend by a small move.
/// </summary>
public sealed class GradientCheckBendTests
{
    private const double Tolerance = 1e-6;

    // Values worked out by hand, compared to a few ulps.
    private static readonly Func<double, double, bool> Equal = (a, b) => Math.Abs(a - b) < 1e-15;

    [Fact]
    public void Weights_that_move_tied_huge_logits_by_far_more_than_1_are_near_a_kink()
    {
        // Given one softmax layer whose three logits tie at 1e6 (x = 1, every weight 1e6): a
        // weight's step h = 1e3 moves its logit by 1e3, across the tie, where the loss is in
        // effect max(Σ) − Σ_y. A bias's step h = 1e-3 moves its logit by 1e-3.
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(3, 1, 1e6),
            Vector<double>.Build.Dense(3),
            Activation.Softmax));
        var x = Matrix<double>.Build.Dense(1, 1, 1.0);
        var y = Matrix<double>.Build.Dense(3, 1, [1.0, 0.0, 0.0]);

        // When
        var report = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy);

        // Then the weights are near a kink, and their finite differences are indeed far off
        // the slope s − y = (−2/3, 1/3, 1/3) of the tie
        var (weights, biases) = (report.Parameters.Take(3), report.Parameters.Skip(3));
        Assert.All(weights, p => Assert.True(p.NearKink, $"W[{p.Row}] not flagged"));
        Assert.All(weights, p => Assert.InRange(p.RelativeError, 0.1, 1.0));
        Assert.Equal(3, report.NearKinkCount);

        // And the biases are checked and agree with s − y
        Assert.Equal([-2.0 / 3, 1.0 / 3, 1.0 / 3], biases.Select(p => p.Analytic), Equal);
        Assert.All(biases, p => Assert.False(p.NearKink));
        Assert.All(biases, p => Assert.InRange(p.RelativeError, 0.0, Tolerance));
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_stencil_that_comes_near_a_tie_by_a_large_move_is_flagged_without_crossing_it()
    {
        // Given logits 1e3 and 1e3 − 3: a weight's step h = 1 moves the gap of 3 to between 1
        // and 5, so the largest logit never changes, but the stencil reaches the bend: the
        // loss's ln(1 + e^−gap) is far from linear over gaps of 1 to 5.
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(2, 1, 1e3),
            Vector<double>.Build.Dense([0.0, -3.0]),
            Activation.Softmax));
        var x = Matrix<double>.Build.Dense(1, 1, 1.0);
        var y = Matrix<double>.Build.Dense(2, 1, [0.0, 1.0]);

        var report = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy);

        Assert.Equal(
            [true, true, false, false], report.Parameters.Select(p => p.NearKink).ToArray());
        Assert.All(report.Parameters.Take(2), p => Assert.True(p.RelativeError > Tolerance));
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_small_move_across_a_tie_is_smooth_and_still_checked()
    {
        // Given logits 1 and 1.0005 (x = 1): a step of +2h = 2e-3 on W[0] makes logit 0 the
        // largest, but moves the gap by 2e-3, where ln Σ e^Σ is smooth to the stencil
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(2, 1, [1.0, 1.0005]),
            Vector<double>.Build.Dense(2),
            Activation.Softmax));
        var x = Matrix<double>.Build.Dense(1, 1, 1.0);
        var y = Matrix<double>.Build.Dense(2, 1, [1.0, 0.0]);
        var stepped = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(2, 1, [1.002, 1.0005]),
            Vector<double>.Build.Dense(2),
            Activation.Softmax));
        var logits = stepped.Forward(x).OutputLayer.WeightedInput;
        Assert.True(logits[0, 0] > logits[1, 0]);

        // When
        var report = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy);

        // Then nothing is flagged, and W[0]'s derivative s₀ − 1 agrees closely
        Assert.Equal(0, report.NearKinkCount);
        var s0 = 1.0 / (1.0 + Math.Exp(0.0005));
        Assert.Equal(s0 - 1.0, report.Parameters[0].Analytic, 1e-15);
        Assert.InRange(report.WorstRelativeError, 0.0, 1e-9);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_huge_sigmoid_logit_crossing_0_under_binary_cross_entropy_is_near_a_kink()
    {
        // Given Σ = 1e6·1e-3 + 0.5·1 − 1e3 = 0.5 after a sigmoid, under binary cross-entropy,
        // in effect max(Σ, 0) − yΣ at this scale: the steps of W[0] (h = 1e3) and of b (h = 1)
        // move Σ by 2 across 0, that of W[1] (h = 1e-3) by 2e-3
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(1, 2, [1e6, 0.5]),
            Vector<double>.Build.Dense([-1e3]),
            Activation.Sigmoid));
        var x = Matrix<double>.Build.Dense(2, 1, [1e-3, 1.0]);
        var y = Matrix<double>.Build.Dense(1, 1, 1.0);

        var report = GradientCheck.Run(network, x, y, Loss.BinaryCrossEntropy);

        Assert.Equal([true, false, true], report.Parameters.Select(p => p.NearKink).ToArray());
        var w1 = report.Parameters[1];
        Assert.Equal((1.0 / (1.0 + Math.Exp(-0.5))) - 1.0, w1.Analytic, 1e-15);
        Assert.InRange(w1.RelativeError, 0.0, 1e-9);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Theory]
    [InlineData("sigmoid", true)]
    [InlineData("tanh", true)]
    [InlineData("softplus", true)]
    [InlineData("identity", false)]
    public void A_hidden_unit_moved_through_its_bend_by_a_huge_step_is_near_a_kink(
        string activation, bool bends)
    {
        // Given a hidden unit with Σ = 1e6·1 − (1e6 − 0.5) = 0.5, whose steps h ≈ 1e3 move Σ
        // through 0 (σ, tanh and softplus become a step or max(Σ, 0) at that scale; the
        // identity stays linear), feeding an identity output o = a under the quadratic loss
        var f = Activation.Parse(activation).ThrowIfFail();
        var network = Network.Create(
            Layer.Create(
                Matrix<double>.Build.Dense(1, 1, 1e6),
                Vector<double>.Build.Dense([-(1e6 - 0.5)]),
                f),
            Layer.Create(
                Matrix<double>.Build.Dense(1, 1, 1.0),
                Vector<double>.Build.Dense(1),
                Activation.Identity));
        var x = Matrix<double>.Build.Dense(1, 1, 1.0);
        var y = Matrix<double>.Build.Dense(1, 1, 0.0);

        var report = GradientCheck.Run(network, x, y, Loss.Quadratic);

        // Then the hidden layer's parameters are near a kink exactly when f bends, and the
        // output layer's are checked: ∂L/∂b₂ = o − y = f(0.5)
        Assert.Equal(
            [bends, bends, false, false], report.Parameters.Select(p => p.NearKink).ToArray());
        var a = network.Forward(x).Output[0, 0];
        Assert.Equal(a, report.Parameters[3].Analytic, 1e-15);
        Assert.InRange(report.WorstRelativeError, 0.0, Tolerance);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }
}
