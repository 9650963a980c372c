using System;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Hyperparameters are checked where they are given, each with an error naming the argument
/// and the value: learning rates, momenta and betas, decays, dropout rates, clip thresholds.
/// </summary>
public sealed class ValidationTests
{
    public static TheoryData<double> NotPositive =>
        new() { 0.0, -0.1, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    public static TheoryData<double> OutsideUnit =>
        new() { -0.1, 1.0, 1.5, double.NaN, double.PositiveInfinity };

    public static TheoryData<double> Negative =>
        new() { -1e-9, -1.0, double.NaN, double.PositiveInfinity };

    [Theory]
    [MemberData(nameof(NotPositive))]
    public void A_constant_learning_rate_that_is_not_positive_and_finite_is_refused(double η)
    {
        Rejects("learningRate", η, () => Optimizer.Sgd(η));
        Rejects("rate", η, () => Schedule.Constant(η));
        Rejects("rate", η, () => Schedule.Step(η, every: 10, factor: 0.5));
        Rejects("rate", η, () => Schedule.Exponential(η, factor: 0.5));
        Rejects("rate", η, () => Schedule.Cosine(η, steps: 100));
    }

    [Theory]
    [MemberData(nameof(NotPositive))]
    public void Training_with_plain_sgd_refuses_the_same_rates(double η)
    {
        var data = TrainingSequenceTests.Data(4);
        var network = Fixtures.Seeded(1, Activation.Identity, 2, 1);

        Rejects("learningRate", η, () => Training.Steps(network, data, Loss.Quadratic, η, 2, 0));
    }

    [Theory]
    [MemberData(nameof(NotPositive))]
    public void A_schedule_factor_that_is_not_positive_and_finite_is_refused(double γ)
    {
        Rejects("factor", γ, () => Schedule.Step(0.1, every: 10, factor: γ));
        Rejects("factor", γ, () => Schedule.Exponential(0.1, factor: γ));
    }

    [Fact]
    public void Schedule_lengths_below_one_are_refused()
    {
        Rejects("every", 0L, () => Schedule.Step(0.1, every: 0, factor: 0.5));
        Rejects("every", -1L, () => Schedule.Exponential(0.1, factor: 0.5, every: -1));
        Rejects("steps", 0L, () => Schedule.Cosine(0.1, steps: 0));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(0.2)]          // above the starting rate 0.1
    [InlineData(double.NaN)]
    public void A_cosine_floor_outside_zero_to_the_rate_is_refused(double floor) =>
        Rejects("floor", floor, () => Schedule.Cosine(0.1, steps: 100, floor: floor));

    [Fact]
    public void A_hand_made_schedule_that_gives_a_bad_rate_fails_at_the_update()
    {
        var network = Fixtures.Seeded(1, Activation.Identity, 2, 1);
        var g = Gradient.Zero(network);

        foreach (var η in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            var optimizer = Optimizer.Sgd(new Schedule("bad", _ => η));
            var e = Assert.Throws<InvalidOperationException>(
                () => optimizer.Update(optimizer.Init(network), network, g));
            Assert.Contains($"η = {η}", e.Message);
            Assert.Contains("bad", e.Message);
        }
    }

    [Fact]
    public void The_low_level_sgd_step_still_accepts_a_zero_rate()
    {
        var network = Fixtures.Seeded(1, Activation.Identity, 2, 1);
        var g = Fixtures.GradientOf(network, [1, 2, 3]);

        Fixtures.SameBits(network, network.Update(g, 0.0), "Sgd.Update with η = 0");
    }

    [Theory]
    [MemberData(nameof(OutsideUnit))]
    public void Momenta_and_betas_outside_zero_to_one_are_refused(double β)
    {
        var η = Schedule.Constant(0.1);

        Rejects("momentum", β, () => Optimizer.Momentum(η, momentum: β));
        Rejects("momentum", β, () => Optimizer.Nesterov(η, momentum: β));
        Rejects("beta1", β, () => Optimizer.Adam(η, beta1: β));
        Rejects("beta2", β, () => Optimizer.Adam(η, beta2: β));
        Rejects("beta1", β, () => Optimizer.AdamW(η, beta1: β));
        Rejects("beta2", β, () => Optimizer.AdamW(η, beta2: β));
        Rejects("rho", β, () => Optimizer.RmsProp(η, rho: β));
    }

    [Theory]
    [MemberData(nameof(NotPositive))]
    public void An_epsilon_that_is_not_positive_and_finite_is_refused(double ε)
    {
        var η = Schedule.Constant(0.1);

        Rejects("epsilon", ε, () => Optimizer.Adam(η, epsilon: ε));
        Rejects("epsilon", ε, () => Optimizer.AdamW(η, epsilon: ε));
        Rejects("epsilon", ε, () => Optimizer.RmsProp(η, epsilon: ε));
    }

    [Theory]
    [MemberData(nameof(Negative))]
    public void A_negative_or_non_finite_decay_is_refused(double λ)
    {
        Rejects("weightDecay", λ, () => Optimizer.AdamW(Schedule.Constant(0.1), weightDecay: λ));
        Rejects("lambda", λ, () => Transform.WeightDecay(λ));
        Rejects("lambda", λ, () => Transform.WeightDecay(λ, includeBiases: true));
        Rejects("lambda", λ, () => Transform.L2(λ));
    }

    [Fact]
    public void A_zero_decay_is_allowed()
    {
        _ = Transform.WeightDecay(0.0);
        _ = Transform.L2(0.0);
        _ = Optimizer.AdamW(Schedule.Constant(0.1), weightDecay: 0.0);
    }

    [Theory]
    [MemberData(nameof(NotPositive))]
    public void A_clip_threshold_that_is_not_positive_and_finite_is_refused(double c)
    {
        Rejects("maxNorm", c, () => Transform.ClipByNorm(c));
        Rejects("maxValue", c, () => Transform.ClipByValue(c));
    }

    [Theory]
    [MemberData(nameof(OutsideUnit))]
    public void A_dropout_rate_outside_zero_to_one_is_refused_before_training_starts(double p)
    {
        var calls = 0;
        var inner = TrainingSequenceTests.Data(4);
        var data = inner with { Batch = k => (++calls, inner.Batch(k)).Item2 };
        var options = new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 2, 0) { Dropout = p };

        var network = Fixtures.Seeded(1, Activation.Identity, 2, 3, 1);

        Rejects("Rate", p, () => Training.Run(network, data, options));
        Assert.Equal(0, calls);
    }

    [Theory]
    [MemberData(nameof(OutsideUnit))]
    public void A_dropout_rate_set_by_with_is_checked_too(double p) =>
        Rejects("Rate", p, () => new Dropout(0.5, Key: 1) with { Rate = p });

    [Fact]
    public void A_state_from_another_optimizer_is_refused_by_name()
    {
        var network = Fixtures.Seeded(1, Activation.Identity, 2, 1);
        var sgdState = Optimizer.Sgd(0.1).Init(network);
        var adam = Optimizer.Adam(Schedule.Constant(0.1));

        var e = Assert.Throws<ArgumentException>(
            () => adam.Update(sgdState, network, Gradient.Zero(network)));

        Assert.Equal("state", e.ParamName);
        Assert.Contains("the state has buffers [] but adam", e.Message);
        Assert.Contains("needs [m, v]", e.Message);
    }

    [Fact]
    public void A_batch_size_below_one_or_an_empty_set_is_refused()
    {
        var network = Fixtures.Seeded(1, Activation.Identity, 2, 1);
        var data = TrainingSequenceTests.Data(4);

        var e = Assert.Throws<ArgumentException>(() => Training.Run(
            network, data, new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 0, 0)));
        Assert.Contains("batch size must be ≥ 1, got 0", e.Message);

        e = Assert.Throws<ArgumentException>(() => Training.Run(
            network,
            data with { Count = 0 },
            new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 2, 0)));
        Assert.Contains("empty", e.Message);
    }

    private static void Rejects<TValue>(string parameter, TValue value, Func<object> make)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.Equal(parameter, e.ParamName);
        Assert.Equal(value, (TValue?)e.ActualValue);
        Assert.Contains(" must ", e.Message);      // says what the value must be
    }
}
