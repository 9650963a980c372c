using System;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Losses at saturated outputs: the fused losses work from the logits and stay exact where the
/// probabilities round to 0 or 1; the clamped ones stay finite.
/// </summary>
public sealed class LossExtremesTests
{
    // One softmax layer whose logits are Σ = W·[1] = [1000, 0] for the input x = [1].
    private static readonly Network<double> Saturated = Network.Create(Layer.Create(
        Matrix<double>.Build.Dense(2, 1, [1000.0, 0.0]),
        Vector<double>.Build.Dense(2),
        Activation.Softmax));

    private static readonly Matrix<double> One = Matrix<double>.Build.Dense(1, 1, 1.0);

    [Fact]
    public void Softmax_cross_entropy_of_the_losing_class_is_the_logit_gap_exactly()
    {
        // ℓ = lse(Σ) − Σ₁ = 1000 + ln(1 + e^−1000) − 0 = 1000 + ln 1 = 1000, computed from the
        // logits; δ = s − y = [1, 0] − [0, 1] = [1, −1].
        var y = Matrix<double>.Build.Dense(2, 1, [0.0, 1.0]);

        var (loss, gradient) = Saturated.LossAndGradient(One, y, Loss.SoftmaxCrossEntropy);
        var δ = Loss.SoftmaxCrossEntropy.OutputDelta(Saturated.Forward(One).OutputLayer, y);

        Assert.Equal(1000.0, loss);
        Assert.Equal([1.0, -1.0], δ.Column(0).ToArray());
        Assert.Equal([1.0, -1.0], gradient.Layers[0].Weights.Column(0).ToArray());
        Assert.Equal([1.0, -1.0], gradient.Layers[0].Bias.ToArray());
    }

    [Fact]
    public void Softmax_cross_entropy_of_the_winning_class_is_exactly_zero()
    {
        // ℓ = lse(Σ) − Σ₀ = 1000 − 1000 = 0; δ = [1, 0] − [1, 0] = 0.
        var y = Matrix<double>.Build.Dense(2, 1, [1.0, 0.0]);

        var (loss, gradient) = Saturated.LossAndGradient(One, y, Loss.SoftmaxCrossEntropy);

        Assert.Equal(0.0, loss);
        Assert.Equal(0.0, gradient.Norm);
    }

    [Fact]
    public void Unfused_cross_entropy_saturates_at_minus_log_of_the_probability_floor()
    {
        // Through the probabilities, s₁ = e^−1000 rounds to 0 and is clamped to the floor
        // 1e-12: ℓ = −ln(1e-12) = 27.631021115928547, large but finite, as documented.
        var y = Matrix<double>.Build.Dense(2, 1, [0.0, 1.0]);

        var (loss, gradient) = Saturated.LossAndGradient(One, y, Loss.CrossEntropy);

        Assert.Equal(-Math.Log(Loss.ProbabilityFloor), loss, 1e-12);
        Assert.True(gradient.IsFinite);
    }

    [Fact]
    public void Binary_cross_entropy_after_a_saturated_sigmoid_is_the_logit_exactly()
    {
        // ℓ = softplus(Σ) − y·Σ: with Σ = 1000, y = 0 it is 1000 + ln(1 + e^−1000) = 1000;
        // with y = 1 it is 0. δ = σ(Σ) − y = 1 − y.
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(1, 1, 1000.0),
            Vector<double>.Build.Dense(1),
            Activation.Sigmoid));
        var zero = Matrix<double>.Build.Dense(1, 1, 0.0);

        var (wrong, gradient) = network.LossAndGradient(One, zero, Loss.BinaryCrossEntropy);
        var (right, _) = network.LossAndGradient(One, One, Loss.BinaryCrossEntropy);

        Assert.Equal(1000.0, wrong);
        Assert.Equal(0.0, right);
        Assert.Equal(1.0, gradient.Layers[0].Bias[0]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Unfused_binary_cross_entropy_in_float32_stays_finite_at_an_output_of_one(
        double target)
    {
        // In float32 1 − 10⁻¹² rounds to 1, so the clamp's upper end is p = 1 − 2⁻²⁴ (before,
        // it was 1, and ln(1 − p) was −∞). An identity output o = W·x: at o = 1 the loss uses
        // p, −ln(1 − p) = 24 ln 2 for y = 0 and −ln p ≈ 2⁻²⁴ for y = 1, and, being constant
        // there, has gradient 0; at o = p itself the gradient is (p − y)/(p(1 − p)), finite.
        var p = MathF.BitDecrement(1f);
        var y = Matrix<float>.Build.Dense(1, 1, (float)target);
        var x = Matrix<float>.Build.Dense(1, 1, 1f);
        Network<float> Output(float o) => Network.Create(Layer.Create(
            Matrix<float>.Build.Dense(1, 1, o), Vector<float>.Build.Dense(1), Activation.Identity));

        var (atOne, flat) = Output(1f).LossAndGradient(x, y, Loss.BinaryCrossEntropy);
        var (atP, slope) = Output(p).LossAndGradient(x, y, Loss.BinaryCrossEntropy);

        Assert.Equal(1f - MathF.Pow(2, -24), p);
        var expected = target == 0 ? -MathF.Log(1f - p) : -MathF.Log(p);
        Assert.Equal(expected, atOne);
        Assert.Equal(expected, atP);
        Assert.Equal(0f, flat.Layers[0].Bias[0]);
        Assert.Equal((p - (float)target) / (p * (1f - p)), slope.Layers[0].Bias[0]);
        Assert.True(float.IsFinite(slope.Layers[0].Bias[0]));
    }

    [Fact]
    public void Softmax_cross_entropy_of_ten_equal_large_logits_is_ln_10()
    {
        // s = 1/10 for every class whatever the logits' size, so ℓ = ln 10: the log of the sum
        // of the shifted exponentials, ln 10, is not rounded away against a logit of 10¹⁷
        // (float64) or 10³⁰ (float32).
        static T Loss<T>(T logit)
            where T : struct, System.Numerics.IFloatingPointIeee754<T>
        {
            var network = Network.Create(Layer.Create(
                Matrix<T>.Build.Dense(10, 1, logit),
                Vector<T>.Build.Dense(10),
                Activation.Softmax));
            var x = Matrix<T>.Build.Dense(1, 1, T.One);
            var y = Matrix<T>.Build.Dense(10, 1, (i, _) => i == 3 ? T.One : T.Zero);
            return network.Loss(x, y, Functional.Loss.SoftmaxCrossEntropy);
        }

        Assert.Equal(Math.Log(10), Loss(1e17));
        Assert.Equal(MathF.Log(10), Loss(1e30f));
    }

    [Fact]
    public void Softmax_cross_entropy_of_large_unequal_logits_keeps_their_gap()
    {
        // Σ = [10¹⁶ + 2, 10¹⁶], target the second: ℓ = ln(1 + e^−2) + 2, where
        // lse(Σ) − Σ₁ computed apart would be 10¹⁶ − 10¹⁶ = 0 (ln(1 + e^−2) is below half an
        // ulp of 10¹⁶).
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(2, 1, [1e16 + 2, 1e16]),
            Vector<double>.Build.Dense(2),
            Activation.Softmax));
        var y = Matrix<double>.Build.Dense(2, 1, [0.0, 1.0]);

        var loss = network.Loss(One, y, Loss.SoftmaxCrossEntropy);

        Assert.Equal(Math.Log(1 + Math.Exp(-2)) + 2, loss);
    }

    [Fact]
    public void Binary_cross_entropy_of_a_confident_right_answer_keeps_its_small_loss()
    {
        // Σ = 40, y = 1: ℓ = (40 − 40) + ln(1 + e^−40) = e^−40 to double precision, where
        // softplus(40) − 40 would round it to 0.
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(1, 1, 40.0),
            Vector<double>.Build.Dense(1),
            Activation.Sigmoid));

        var loss = network.Loss(One, One, Loss.BinaryCrossEntropy);

        Assert.Equal(Math.Exp(-40), loss, Math.Exp(-40) * 1e-15);
    }

    [Fact]
    public void Softmax_cross_entropy_scales_softmax_by_the_mass_of_the_target()
    {
        // δ = (Σᵢ yᵢ)·s − y: for Σ = [0, 0] (s = [½, ½]) and y = [1, 1], δ = [0, 0] and
        // ℓ = Σᵢ yᵢ (ln 2 − 0) = 2 ln 2.
        var network = Network.Create(Layer.Create(
            Matrix<double>.Build.Dense(2, 1), Vector<double>.Build.Dense(2), Activation.Softmax));
        var y = Matrix<double>.Build.Dense(2, 1, 1.0);

        var (loss, gradient) = network.LossAndGradient(One, y, Loss.SoftmaxCrossEntropy);

        Assert.Equal(2 * Math.Log(2), loss, 1e-15);
        Assert.Equal(0.0, gradient.Norm);
    }
}
