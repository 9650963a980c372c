using System;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// The learning-rate schedules at chosen steps: exact where the arithmetic is exact (powers of
/// two, cos = ±1 or 0), else within <see cref="Tol"/>, a few units in the last place of 0.1.
/// </summary>
public sealed class ScheduleTests
{
    private const double Tol = 1e-15;

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(12345L)]
    [InlineData(long.MaxValue)]
    public void Constant_is_the_same_at_every_step(long t) =>
        Assert.Equal(0.1, Schedule.Constant(0.1).At(t));

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(9L, 0.1)]
    [InlineData(10L, 0.05)]
    [InlineData(19L, 0.05)]
    [InlineData(25L, 0.025)]
    [InlineData(30L, 0.0125)]
    public void Step_halves_the_rate_every_ten_steps(long t, double expected) =>
        Assert.Equal(expected, Schedule.Step(0.1, every: 10, factor: 0.5).At(t));

    [Fact]
    public void Exponential_decays_smoothly_between_whole_periods()
    {
        var s = Schedule.Exponential(0.1, factor: 0.5, every: 10);

        Assert.Equal(0.1, s.At(0));
        Assert.Equal(0.05, s.At(10));
        Assert.Equal(0.025, s.At(20));

        // Half a period: 0.1·0.5^0.5 = 0.1/√2.
        Fixtures.Near(0.1 / Math.Sqrt(2), s.At(5), Tol, "η(5)");
    }

    [Fact]
    public void Cosine_goes_from_the_rate_to_the_floor_and_stays()
    {
        var s = Schedule.Cosine(0.1, steps: 100);

        Assert.Equal(0.1, s.At(0));
        Assert.Equal(0.05, s.At(50));        // cos(π/2) = 0
        Assert.Equal(0.0, s.At(100));        // cos(π) = −1
        Assert.Equal(0.0, s.At(1000));       // after T it stays at the floor
        Fixtures.Near(0.05 * (1 + (Math.Sqrt(2) / 2)), s.At(25), Tol, "η(25)");
        Fixtures.Near(0.05 * (1 - (Math.Sqrt(2) / 2)), s.At(75), Tol, "η(75)");
    }

    [Fact]
    public void Cosine_with_a_floor_ends_at_the_floor()
    {
        var s = Schedule.Cosine(0.1, steps: 100, floor: 0.01);

        Fixtures.Near(0.1, s.At(0), Tol, "η(0)");
        Fixtures.Near(0.055, s.At(50), Tol, "η(50)");
        Assert.Equal(0.01, s.At(100));
        Assert.Equal(0.01, s.At(101));
    }

    [Fact]
    public void Warmup_ramps_linearly_then_hands_over()
    {
        var s = Schedule.Constant(0.1).WithWarmup(4);

        Assert.Equal(0.025, s.At(0));                  // 0.1·1/4
        Assert.Equal(0.05, s.At(1));                   // 0.1·2/4
        Fixtures.Near(0.075, s.At(2), Tol, "η(2)");    // 0.1·3/4
        Assert.Equal(0.1, s.At(3));                    // 0.1·4/4
        Assert.Equal(0.1, s.At(4));
        Assert.Equal(0.1, s.At(100));
    }

    [Fact]
    public void Warmup_scales_the_wrapped_schedule_at_the_same_step()
    {
        var cosine = Schedule.Cosine(0.1, steps: 100);
        var s = cosine.WithWarmup(10);

        Assert.Equal(cosine.At(4) * 5 / 10, s.At(4));
        Assert.Equal(cosine.At(10), s.At(10));
        Assert.Equal(cosine.At(50), s.At(50));
    }

    [Theory]
    [InlineData(1L, "constant(0.1) after 1 warm-up step")]
    [InlineData(2L, "constant(0.1) after 2 warm-up steps")]
    public void The_name_counts_the_warmup_steps(long steps, string name)
    {
        Assert.Equal(name, Schedule.Constant(0.1).WithWarmup(steps).Name);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void No_warmup_leaves_the_schedule_as_it_is(long steps)
    {
        var s = Schedule.Constant(0.1);

        Assert.Same(s, s.WithWarmup(steps));
    }

    [Fact]
    public void The_optimizer_uses_the_rate_of_the_steps_already_taken()
    {
        // SGD with η(t) = 0.5·0.5^t on ℓ = ½(w·1 + b − 0)² from (w, b) = (1, 0): the state
        // records η(0), η(1), η(2), and each update moves θ by exactly η(t)·g.
        var schedule = Schedule.Step(0.5, every: 1, factor: 0.5);
        var optimizer = Optimizer.Sgd(schedule);
        var network = Fixtures.Affine(1, 1, [1.0], [0.0]);
        var state = optimizer.Init(network);
        var (x, y) = (Fixtures.Matrix(1, 1, 1.0), Fixtures.Matrix(1, 1, 0.0));

        for (var t = 0L; t < 3; t++)
        {
            var (_, g) = network.LossAndGradient(x, y, Loss.Quadratic);
            var (w, dw) = (network.Layers[0].Weights[0, 0], g.Layers[0].Weights[0, 0]);
            (state, network) = optimizer.Update(state, network, g);

            Assert.Equal(schedule.At(t), state.LearningRate);
            Assert.Equal(t + 1, state.Step);
            Assert.Equal(w - (schedule.At(t) * dw), network.Layers[0].Weights[0, 0]);
        }
    }
}
