using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// A [2, 2, 1] sigmoid network with quadratic loss on one sample, worked by hand: every
/// intermediate value, the loss and every gradient entry.
/// </summary>
/// <remarks>
/// The literals were computed with 50-digit decimal arithmetic and rounded to 15 significant
/// digits; the weights 0.15, 0.2, … are read as the nearest doubles, which moves the results
/// by about 1e-17. So everything is compared to <see cref="Tolerance"/>, far below any
/// difference a wrong formula would make and far above rounding.
/// </remarks>
public sealed class HandComputedNetworkTests
{
    /// <summary>
    /// 15 significant digits of values below 1, plus double rounding: 1e-12 is loose.
    /// </summary>
    private const double Tolerance = 1e-12;

    // W₁ = [[0.15, 0.20], [0.25, 0.30]], b₁ = [0.35, 0.35]; W₂ = [[0.40, 0.45]], b₂ = [0.60];
    // x = [0.05, 0.10], y = [0.01].
    private static readonly Network<double> Network = Functional.Network.Create(
        Layer.Create(
            Matrix<double>.Build.DenseOfArray(new[,] { { 0.15, 0.20 }, { 0.25, 0.30 } }),
            Vector<double>.Build.Dense([0.35, 0.35]),
            Activation.Sigmoid),
        Layer.Create(
            Matrix<double>.Build.DenseOfArray(new[,] { { 0.40, 0.45 } }),
            Vector<double>.Build.Dense([0.60]),
            Activation.Sigmoid));

    private static readonly Matrix<double> X = Matrix<double>.Build.Dense(2, 1, [0.05, 0.10]);
    private static readonly Matrix<double> Y = Matrix<double>.Build.Dense(1, 1, [0.01]);

    [Fact]
    public void The_forward_pass_gives_the_hand_computed_activations_and_loss()
    {
        // Σ₁ = W₁x + b₁ = [0.15·0.05 + 0.20·0.10 + 0.35, 0.25·0.05 + 0.30·0.10 + 0.35]
        //    = [0.3775, 0.3925]
        // a₁ = σ(Σ₁) = [0.593269992107187, 0.596884378259767]
        // Σ₂ = 0.40·a₁[0] + 0.45·a₁[1] + 0.60 = 1.10590596705977
        // o = σ(Σ₂) = 0.751365069552316
        // L = ½(o − y)² = ½·0.741365069552316² = 0.274811083176155
        var trace = Network.Forward(X);

        Assert.Equal(0.3775, trace.Layers[0].WeightedInput[0, 0], Tolerance);
        Assert.Equal(0.3925, trace.Layers[0].WeightedInput[1, 0], Tolerance);
        Assert.Equal(0.593269992107187, trace.Layers[0].Output[0, 0], Tolerance);
        Assert.Equal(0.596884378259767, trace.Layers[0].Output[1, 0], Tolerance);
        Assert.Equal(1.10590596705977, trace.Layers[1].WeightedInput[0, 0], Tolerance);
        Assert.Equal(0.751365069552316, trace.Output[0, 0], Tolerance);
        Assert.Equal(0.274811083176155, Network.Loss(X, Y, Loss.Quadratic), Tolerance);
    }

    [Fact]
    public void The_backward_pass_gives_the_hand_computed_gradient()
    {
        // δ₂ = (o − y)·σ′(Σ₂) = (o − y)·o(1 − o)
        //    = 0.741365069552316 · 0.751365069552316 · 0.248634930447684 = 0.138498561628557
        // ∂L/∂W₂ = δ₂·a₁ᵀ = [0.0821670405642308, 0.0826676278475333], ∂L/∂b₂ = δ₂
        // δ₁ = (W₂ᵀδ₂) ⊙ a₁(1 − a₁)
        //    = [0.40·δ₂·0.593269992107187·0.406730007892813,
        //       0.45·δ₂·0.596884378259767·0.403115621740233]
        //    = [0.0133679204228875, 0.0149960754888969]
        // ∂L/∂W₁ = δ₁·xᵀ = [[δ₁[0]·0.05, δ₁[0]·0.10], [δ₁[1]·0.05, δ₁[1]·0.10]]
        //        = [[0.000668396021144373, 0.00133679204228875],
        //           [0.000749803774444843, 0.00149960754888969]], ∂L/∂b₁ = δ₁
        var g = Network.Backward(Network.Forward(X), Y, Loss.Quadratic);

        Assert.Equal(0.000668396021144373, g.Layers[0].Weights[0, 0], Tolerance);
        Assert.Equal(0.00133679204228875, g.Layers[0].Weights[0, 1], Tolerance);
        Assert.Equal(0.000749803774444843, g.Layers[0].Weights[1, 0], Tolerance);
        Assert.Equal(0.00149960754888969, g.Layers[0].Weights[1, 1], Tolerance);
        Assert.Equal(0.0133679204228875, g.Layers[0].Bias[0], Tolerance);
        Assert.Equal(0.0149960754888969, g.Layers[0].Bias[1], Tolerance);
        Assert.Equal(0.0821670405642308, g.Layers[1].Weights[0, 0], Tolerance);
        Assert.Equal(0.0826676278475333, g.Layers[1].Weights[0, 1], Tolerance);
        Assert.Equal(0.138498561628557, g.Layers[1].Bias[0], Tolerance);
    }

    [Fact]
    public void One_step_of_gradient_descent_moves_each_weight_by_eta_times_its_gradient()
    {
        // With η = 0.5: W₂[0, 0] ← 0.40 − 0.5·0.0821670405642308 = 0.358916479717885,
        // b₁[1] ← 0.35 − 0.5·0.0149960754888969 = 0.342501962255552.
        var (next, loss) = Network.Step(X, Y, Loss.Quadratic, 0.5);

        Assert.Equal(0.274811083176155, loss, Tolerance);
        Assert.Equal(0.358916479717885, next.Layers[1].Weights[0, 0], Tolerance);
        Assert.Equal(0.342501962255552, next.Layers[0].Bias[1], Tolerance);
    }
}
