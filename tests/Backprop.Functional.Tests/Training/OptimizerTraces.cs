using System;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Two updates of every optimizer, worked out by hand and compared at
/// <see cref="Fixtures.HandTolerance"/>: the buffers and the parameters after each step.
/// </summary>
/// <remarks>
/// The problem of every trace: one identity unit o = w·x + b, one sample x = 2 with target
/// y = 1, and the quadratic loss ℓ = ½(o − y)². With r = w·x + b − y the gradient is
/// g = (∂w, ∂b) = (r·x, r) = (2r, r). Every trace starts at θ₀ = (w, b) = (1, 0.5), so
/// r = 2 + 0.5 − 1 = 1.5 and g₁ = (3, 1.5). Where ε enters, the expected values are written as
/// the hand formula (evaluated in float64) and the comments give them to ten digits.
/// </remarks>
public sealed class OptimizerTraces
{
    private const double Tol = Fixtures.HandTolerance;
    private const double Eps = 1e-8; // ε of Adam and RMSProp, their default

    [Fact]
    public void The_problem_has_the_gradient_worked_out_above()
    {
        var (_, g) = Start.LossAndGradient(X, Y, Loss.Quadratic);

        Fixtures.Near(3.0, g.Layers[0].Weights[0, 0], Tol, "∂w");
        Fixtures.Near(1.5, g.Layers[0].Bias[0], Tol, "∂b");
    }

    [Fact]
    public void Sgd_takes_two_steps_down_the_gradient()
    {
        // η = 0.1, θ ← θ − ηg.
        // Step 1: θ₁ = (1 − 0.1·3, 0.5 − 0.1·1.5) = (0.7, 0.35).
        // Step 2: r = 1.4 + 0.35 − 1 = 0.75, g₂ = (1.5, 0.75);
        //         θ₂ = (0.7 − 0.15, 0.35 − 0.075) = (0.55, 0.275).
        var steps = TwoSteps(Optimizer.Sgd(0.1));

        Expect("θ₁", (0.7, 0.35), Parameters(steps[0].Network));
        Expect("θ₂", (0.55, 0.275), Parameters(steps[1].Network));
        Assert.Empty(steps[1].State.Buffers);
        Assert.Equal(2, steps[1].State.Step);
        Assert.Equal(0.1, steps[1].State.LearningRate);
    }

    [Fact]
    public void Momentum_accumulates_a_velocity()
    {
        // η = 0.1, μ = 0.5; v ← μv + g, θ ← θ − ηv.
        // Step 1: v₁ = 0 + g₁ = (3, 1.5); θ₁ = (1 − 0.3, 0.5 − 0.15) = (0.7, 0.35).
        // Step 2: r = 1.4 + 0.35 − 1 = 0.75, g₂ = (1.5, 0.75);
        //         v₂ = 0.5·(3, 1.5) + (1.5, 0.75) = (3, 1.5);
        //         θ₂ = (0.7 − 0.3, 0.35 − 0.15) = (0.4, 0.2).
        var steps = TwoSteps(Optimizer.Momentum(Schedule.Constant(0.1), momentum: 0.5));

        Expect("v₁", (3, 1.5), Buffer(steps[0].State, "velocity"));
        Expect("θ₁", (0.7, 0.35), Parameters(steps[0].Network));
        Expect("v₂", (3, 1.5), Buffer(steps[1].State, "velocity"));
        Expect("θ₂", (0.4, 0.2), Parameters(steps[1].Network));
    }

    [Fact]
    public void Nesterov_looks_ahead_along_the_velocity()
    {
        // η = 0.1, μ = 0.5; v ← μv + g, d = g + μv, θ ← θ − ηd.
        // Step 1: v₁ = (3, 1.5); d₁ = (3 + 1.5, 1.5 + 0.75) = (4.5, 2.25);
        //         θ₁ = (1 − 0.45, 0.5 − 0.225) = (0.55, 0.275).
        // Step 2: r = 1.1 + 0.275 − 1 = 0.375, g₂ = (0.75, 0.375);
        //         v₂ = 0.5·(3, 1.5) + (0.75, 0.375) = (2.25, 1.125);
        //         d₂ = (0.75 + 1.125, 0.375 + 0.5625) = (1.875, 0.9375);
        //         θ₂ = (0.55 − 0.1875, 0.275 − 0.09375) = (0.3625, 0.18125).
        var steps = TwoSteps(Optimizer.Nesterov(Schedule.Constant(0.1), momentum: 0.5));

        Expect("v₁", (3, 1.5), Buffer(steps[0].State, "velocity"));
        Expect("θ₁", (0.55, 0.275), Parameters(steps[0].Network));
        Expect("v₂", (2.25, 1.125), Buffer(steps[1].State, "velocity"));
        Expect("θ₂", (0.3625, 0.18125), Parameters(steps[1].Network));
    }

    [Fact]
    public void Adam_corrects_its_moments_for_bias()
    {
        // η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
        // Step 1 (t = 1): m₁ = 0.1·g₁ = (0.3, 0.15); v₁ = 0.001·g₁² = (0.009, 0.00225);
        //   m̂ = m₁/(1 − 0.9) = (3, 1.5); v̂ = v₁/(1 − 0.999) = (9, 2.25) = g₁², so √v̂ = |g₁|
        //   and d₁ = (3/(3 + ε), 1.5/(1.5 + ε)) ≈ (0.9999999967, 0.9999999933);
        //   θ₁ = θ₀ − 0.1·d₁ ≈ (0.9000000003, 0.4000000007).
        var (w1, b1) = (1 - (0.1 * 3 / (3 + Eps)), 0.5 - (0.1 * 1.5 / (1.5 + Eps)));

        // Step 2 (t = 2): r = 2w₁ + b₁ − 1 ≈ 1.2000000013, g₂ = (2r, r);
        //   m₂ = 0.9·m₁ + 0.1·g₂ ≈ (0.5100000003, 0.2550000001);
        //   v₂ = 0.999·v₁ + 0.001·g₂² ≈ (0.0147510000, 0.0036877500);
        //   m̂ = m₂/(1 − 0.9²) = m₂/0.19 ≈ (2.6842105277, 1.3421052639);
        //   v̂ = v₂/(1 − 0.999²) = v₂/0.001999 ≈ (7.3791896012, 1.8447974003);
        //   d₂ = m̂/(√v̂ + ε) ≈ (0.9881258006, 0.9881257969);
        //   θ₂ = θ₁ − 0.1·d₂ ≈ (0.8011874203, 0.3011874210).
        var r = (2 * w1) + b1 - 1;
        var m2 = ((0.9 * 0.3) + (0.1 * 2 * r), (0.9 * 0.15) + (0.1 * r));
        var v2 = ((0.999 * 0.009) + (0.001 * 4 * r * r), (0.999 * 0.00225) + (0.001 * r * r));
        var d2 = (AdamDirection(m2.Item1, v2.Item1, 2), AdamDirection(m2.Item2, v2.Item2, 2));

        var steps = TwoSteps(Optimizer.Adam(Schedule.Constant(0.1)));

        Expect("m₁", (0.3, 0.15), Buffer(steps[0].State, "m"));
        Expect("v₁", (0.009, 0.00225), Buffer(steps[0].State, "v"));
        Expect("θ₁", (w1, b1), Parameters(steps[0].Network));
        Expect("m₂", m2, Buffer(steps[1].State, "m"));
        Expect("v₂", v2, Buffer(steps[1].State, "v"));
        Expect("θ₂", (w1 - (0.1 * d2.Item1), b1 - (0.1 * d2.Item2)), Parameters(steps[1].Network));
        Fixtures.Near(0.8011874203, steps[1].Network.Layers[0].Weights[0, 0], 1e-10, "w₂ (digits)");
    }

    [Fact]
    public void AdamW_decays_the_weight_but_not_the_bias()
    {
        // Adam as above with decoupled weight decay λ = 0.1: d ← d + λ·(w, 0), biases excluded.
        // Step 1: the moments are Adam's (g₁ is the same); d₁ = (3/(3 + ε) + 0.1·1, 1.5/(1.5 + ε))
        //   ≈ (1.0999999967, 0.9999999933); θ₁ ≈ (1 − 0.11, 0.5 − 0.1) = (0.8900000003,
        //   0.4000000007).
        var (w1, b1) = (1 - (0.1 * ((3 / (3 + Eps)) + 0.1)), 0.5 - (0.1 * 1.5 / (1.5 + Eps)));

        // Step 2: r = 2w₁ + b₁ − 1 ≈ 1.1800000013, g₂ = (2r, r);
        //   m₂ ≈ (0.5060000003, 0.2530000001); v₂ ≈ (0.0145606000, 0.0036401500);
        //   m̂ = m₂/0.19 ≈ (2.6631578961, 1.3315789481); v̂ = v₂/0.001999 ≈ (7.2839419773,
        //   1.8209854943); d₂ = m̂/(√v̂ + ε) + (0.1·w₁, 0) ≈ (1.0757648610, 0.9867648573);
        //   θ₂ = θ₁ − 0.1·d₂ ≈ (0.7824235142, 0.3013235149).
        var r = (2 * w1) + b1 - 1;
        var m2 = ((0.9 * 0.3) + (0.1 * 2 * r), (0.9 * 0.15) + (0.1 * r));
        var v2 = ((0.999 * 0.009) + (0.001 * 4 * r * r), (0.999 * 0.00225) + (0.001 * r * r));
        var d2 = (
            AdamDirection(m2.Item1, v2.Item1, 2) + (0.1 * w1),
            AdamDirection(m2.Item2, v2.Item2, 2));

        var steps = TwoSteps(Optimizer.AdamW(Schedule.Constant(0.1), weightDecay: 0.1));

        Expect("m₁", (0.3, 0.15), Buffer(steps[0].State, "m"));
        Expect("v₁", (0.009, 0.00225), Buffer(steps[0].State, "v"));
        Expect("θ₁", (w1, b1), Parameters(steps[0].Network));
        Expect("m₂", m2, Buffer(steps[1].State, "m"));
        Expect("v₂", v2, Buffer(steps[1].State, "v"));
        Expect("θ₂", (w1 - (0.1 * d2.Item1), b1 - (0.1 * d2.Item2)), Parameters(steps[1].Network));
        Fixtures.Near(0.7824235142, steps[1].Network.Layers[0].Weights[0, 0], 1e-10, "w₂ (digits)");
    }

    [Fact]
    public void RmsProp_divides_by_the_root_mean_square()
    {
        // η = 0.01, ρ = 0.9, ε = 1e-8; s ← ρs + (1 − ρ)g², d = g/(√s + ε), θ ← θ − ηd.
        // Step 1: s₁ = 0.1·g₁² = (0.9, 0.225); √s₁ = |g₁|·√0.1 ≈ (0.9486832981, 0.4743416490);
        //   d₁ ≈ (√10, √10) less ε's share ≈ (3.1622776268, 3.1622775935);
        //   θ₁ ≈ (0.9683772237, 0.4683772241).
        var (w1, b1) = (
            1 - (0.01 * 3 / (Math.Sqrt(0.9) + Eps)),
            0.5 - (0.01 * 1.5 / (Math.Sqrt(0.225) + Eps)));

        // Step 2: r = 2w₁ + b₁ − 1 ≈ 1.4051316715, g₂ = (2r, r);
        //   s₂ = 0.9·s₁ + 0.1·g₂² ≈ (1.5997580057, 0.3999395014);
        //   d₂ = g₂/(√s₂ + ε) ≈ (2.2218762614, 2.2218762439); θ₂ ≈ (0.9461584611, 0.4461584616).
        var r = (2 * w1) + b1 - 1;
        var s2 = ((0.9 * 0.9) + (0.1 * 4 * r * r), (0.9 * 0.225) + (0.1 * r * r));
        var d2 = (2 * r / (Math.Sqrt(s2.Item1) + Eps), r / (Math.Sqrt(s2.Item2) + Eps));

        var steps = TwoSteps(Optimizer.RmsProp(Schedule.Constant(0.01), rho: 0.9));

        Expect("s₁", (0.9, 0.225), Buffer(steps[0].State, "square-average"));
        Expect("θ₁", (w1, b1), Parameters(steps[0].Network));
        Expect("s₂", s2, Buffer(steps[1].State, "square-average"));
        Expect(
            "θ₂", (w1 - (0.01 * d2.Item1), b1 - (0.01 * d2.Item2)), Parameters(steps[1].Network));
        Fixtures.Near(0.9461584611, steps[1].Network.Layers[0].Weights[0, 0], 1e-10, "w₂ (digits)");
    }

    private static Network<double> Start => Fixtures.Affine(1, 1, [1.0], [0.5]);

    private static Matrix<double> X => Fixtures.Matrix(1, 1, 2.0);

    private static Matrix<double> Y => Fixtures.Matrix(1, 1, 1.0);

    // Adam's d = m̂/(√v̂ + ε) at step t, with the default β₁ = 0.9, β₂ = 0.999.
    private static double AdamDirection(double m, double v, int t) =>
        m / (1 - Math.Pow(0.9, t)) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + Eps);

    private static (OptimizerState<double> State, Network<double> Network)[] TwoSteps(
        Optimizer optimizer)
    {
        var (state, network) = (optimizer.Init(Start), Start);
        var steps = new (OptimizerState<double>, Network<double>)[2];
        for (var i = 0; i < steps.Length; i++)
        {
            var (_, g) = network.LossAndGradient(X, Y, Loss.Quadratic);
            (state, network) = optimizer.Update(state, network, g);
            steps[i] = (state, network);
        }

        return steps;
    }

    private static (double W, double B) Parameters(Network<double> network) =>
        (network.Layers[0].Weights[0, 0], network.Layers[0].Bias[0]);

    private static (double W, double B) Buffer(OptimizerState<double> state, string name) =>
        (state[name].Layers[0].Weights[0, 0], state[name].Layers[0].Bias[0]);

    private static void Expect(
        string what, (double W, double B) expected, (double W, double B) actual)
    {
        Fixtures.Near(expected.W, actual.W, Tol, $"{what}, w");
        Fixtures.Near(expected.B, actual.B, Tol, $"{what}, b");
    }
}
