using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// A NaN or ∞ in a loss, a gradient or the weights: under <see cref="NonFinitePolicy.Stop"/>
/// the run ends with a step naming where; under <see cref="NonFinitePolicy.SkipStep"/> the
/// update is skipped and counted, and the run goes on.
/// </summary>
public sealed class NonFiniteTests
{
    [Fact]
    public void A_diverging_run_stops_at_the_step_that_overflows_and_says_where()
    {
        // One identity unit, x = 3, y = 1, SGD with η = 10: each step multiplies the residual
        // by about 1 − η·(x² + 1) = −99, so the loss ½r² overflows after some 80 steps.
        var network = Fixtures.Affine(1, 1, [0.5], [0.0]);
        var data = Fixtures.InMemory(Fixtures.Matrix(1, 1, 3.0), Fixtures.Matrix(1, 1, 1.0));
        var options = new TrainingOptions(Optimizer.Sgd(10.0), Loss.Quadratic, 1, Seed: 1);

        var steps = Training.Run(network, data, options).Take(10_000).ToList();

        Assert.InRange(steps.Count, 2, 1000);
        Assert.All(steps.SkipLast(1), s => Assert.True(s.Problem.IsNone));
        var last = steps[^1];
        var problem = last.Problem.IfNone(() => throw new Xunit.Sdk.XunitException("no problem"));
        Assert.Contains($"at epoch {last.Epoch}, batch {last.Batch} (step {last.Step})", problem);
        Assert.Contains("the loss became Infinity", problem);
        Assert.Contains("layer 1", problem);

        // The step that overflowed is not taken: the network is the last finite one.
        Fixtures.SameBits(steps[^2].Network, last.Network, "the network after the stop");
        Assert.True(Fixtures.Flat(last.Network).All(double.IsFinite));
    }

    [Fact]
    public void The_problem_names_the_hidden_layer_whose_output_overflowed()
    {
        // Layer 1 has W = 1e200 and sees x = 1e200 in the third sample: Σ = 1e400 = ∞ there,
        // while layer 2 only passes it on. Batches of one, so the third sample is one step.
        var network = Network.Create(
            Identity(Fixtures.Matrix(1, 1, 1e200)), Identity(Fixtures.Matrix(1, 1, 1.0)));
        var data = Fixtures.InMemory(
            Fixtures.Matrix(1, 3, 1e-200, 1e-200, 1e200), Fixtures.Matrix(1, 3, 0.0, 0.0, 0.0));
        var options = new TrainingOptions(Optimizer.Sgd(1e-3), Loss.Quadratic, 1, Seed: 3);

        var steps = Training.Run(network, data, options).Take(3).ToList();
        var last = steps[^1];

        Assert.True(last.Problem.IsSome);
        Assert.Equal(
            $"the loss became Infinity at epoch 1, batch {last.Batch} (step {last.Step}); "
            + "the first non-finite value is in the output of layer 1",
            last.Problem.IfNone(string.Empty));
    }

    [Fact]
    public void A_loss_that_overflows_after_a_finite_output_names_the_output_layer()
    {
        // x = 1e200 through identity layers 1 → 2 → 1 with every weight ½: the hidden units
        // output 5e199 each and the output ½·5e199·2 = 5e199, all finite, while the loss
        // ½(5e199)² overflows.
        var network = Network.Create(
            Identity(Matrix<double>.Build.Dense(2, 1, 0.5)),
            Identity(Matrix<double>.Build.Dense(1, 2, 0.5)));
        var data = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1e200), Fixtures.Matrix(1, 1, 0.0));
        var options = new TrainingOptions(Optimizer.Sgd(1e-3), Loss.Quadratic, 1, Seed: 3);

        var last = Training.Run(network, data, options).First();

        Assert.Equal(
            "the loss became Infinity at epoch 1, batch 1 (step 1); every layer's output is "
            + "finite, so it arose in the loss after layer 2, the output layer",
            last.Problem.IfNone(string.Empty));
    }

    [Fact]
    public void A_gradient_that_overflows_under_a_finite_loss_names_its_layer()
    {
        // W = 1e-300 on x = 1e300 gives o = 1 and, with y = −1e10, a finite loss ≈ 5e19; but
        // ∂W = (o − y)·x ≈ 1e10·1e300 overflows.
        var network = Fixtures.Affine(1, 1, [1e-300], [0.0]);
        var data = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1e300), Fixtures.Matrix(1, 1, -1e10));
        var options = new TrainingOptions(Optimizer.Sgd(1e-3), Loss.Quadratic, 1, Seed: 3);

        var last = Training.Run(network, data, options).First();

        Assert.True(double.IsFinite(last.Loss));
        Assert.Equal(
            "the gradient of layer 1 became non-finite at epoch 1, batch 1 (step 1)",
            last.Problem.IfNone(string.Empty));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("sgd, clip-norm")]
    [InlineData("sgd, l2")]
    [InlineData("sgd, clip-value")]
    [InlineData("adam, clip-value")]
    public void An_overflowing_gradient_is_reported_whatever_the_optimizer_does_with_it(
        string chain)
    {
        // The overflow of the test above, under every recurrence and transform: each turns
        // ∂W = ∞ into a non-finite step except clipping by value, which clamps it to 1 and
        // leaves finite weights. The run must name the gradient either way.
        var network = Fixtures.Affine(1, 1, [1e-300], [0.0]);
        var data = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1e300), Fixtures.Matrix(1, 1, -1e10));
        var options = new TrainingOptions(Chain(chain), Loss.Quadratic, 1, Seed: 3);

        var last = Training.Run(network, data, options).First();

        Assert.Equal(
            "the gradient of layer 1 became non-finite at epoch 1, batch 1 (step 1)",
            last.Problem.IfNone(string.Empty));
        Fixtures.SameBits(network, last.Network, "the network kept at the stop");
    }

    [Fact]
    public void An_update_that_overflows_the_weights_names_their_layer()
    {
        // A finite loss ½(1e8)² and gradient (−1e8, −1e8), but η = 1e301 moves θ to 1e309 = ∞.
        var network = Fixtures.Affine(1, 1, [0.0], [0.0]);
        var data = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1.0), Fixtures.Matrix(1, 1, 1e8));
        var options = new TrainingOptions(Optimizer.Sgd(1e301), Loss.Quadratic, 1, Seed: 3);

        var last = Training.Run(network, data, options).First();

        Assert.Equal(
            "the weights of layer 1 became non-finite at epoch 1, batch 1 (step 1)",
            last.Problem.IfNone(string.Empty));
        Fixtures.SameBits(network, last.Network, "the network kept at the stop");
    }

    [Fact]
    public void Skip_step_skips_the_overflowing_update_counts_it_and_goes_on()
    {
        // Six samples, batches of one; sample 4 has x = 1e200, whose loss overflows. Over three
        // epochs its three steps are skipped, and every other step is taken.
        const int bad = 4;
        var x = Fixtures.Matrix(1, 6, 0.5, -0.25, 1, 0.75, 1e200, -1);
        var y = Fixtures.Matrix(1, 6, 1, 0.5, 2, 1.5, 0, -2);
        var indices = new System.Collections.Generic.List<int>();
        var inner = Fixtures.InMemory(x, y);
        var data = inner with
        {
            Batch = k =>
            {
                indices.Add(k[0]);
                return inner.Batch(k);
            },
        };
        var momentum = Optimizer.Momentum(Schedule.Constant(0.05));
        var options = new TrainingOptions(momentum, Loss.Quadratic, 1, 9)
        {
            OnNonFinite = NonFinitePolicy.SkipStep,
        };
        var start = Fixtures.Affine(1, 1, [0.5], [0.0]);

        var steps = Training.Run(start, data, options).Take(18).ToList();

        Assert.Equal(18, steps.Count);
        Assert.Equal(3, steps[^1].Skipped);
        for (var s = 0; s < steps.Count; s++)
        {
            var (before, skipped) =
                s == 0 ? (start, 0) : (steps[s - 1].Network, steps[s - 1].Skipped);
            Assert.True(steps[s].Problem.IsNone);
            if (indices[s] == bad)
            {
                Assert.Equal(double.PositiveInfinity, steps[s].Loss);
                Assert.Equal(skipped + 1, steps[s].Skipped);
                Fixtures.SameBits(before, steps[s].Network, $"skipped step {s + 1}");
                Assert.Equal(s == 0 ? 0 : steps[s - 1].Optimizer.Step, steps[s].Optimizer.Step);
            }
            else
            {
                Assert.Equal(skipped, steps[s].Skipped);
                Assert.NotEqual(Fixtures.Flat(before), Fixtures.Flat(steps[s].Network));
            }
        }
    }

    [Fact]
    public void Resuming_from_a_stopped_step_does_not_repeat_its_problem()
    {
        // Sample 2 of four overflows the loss. The run stops at it; resumed from there, the
        // run goes on with the other samples until it meets sample 2 again, and only that
        // step reports a problem, its own.
        var x = Fixtures.Matrix(1, 4, 0.5, -0.25, 1e200, 0.75);
        var y = Fixtures.Matrix(1, 4, 1, 0.5, 0, 1.5);
        var data = Fixtures.InMemory(x, y);
        var options = new TrainingOptions(Optimizer.Sgd(0.05), Loss.Quadratic, 1, Seed: 4);
        var start = Fixtures.Affine(1, 1, [0.5], [0.0]);
        var stopped = Training.Run(start, data, options).Take(100).Last();
        Assert.True(stopped.Problem.IsSome);

        var resumed = Training.Resume(stopped, data, options).Take(100).ToList();

        // At most the rest of this epoch (three steps) and all of the next (four).
        Assert.InRange(resumed.Count, 1, 7);
        Assert.All(
            resumed.SkipLast(1),
            s => Assert.True(s.Problem.IsNone, s.Problem.IfNone(string.Empty)));
        var last = resumed[^1];
        Assert.Contains(
            $"at epoch {last.Epoch}, batch {last.Batch} (step {last.Step})",
            last.Problem.IfNone(string.Empty));
        Assert.Equal(stopped.Step + resumed.Count, last.Step);

        // The stopped step made no update, so the resumed run counts it as skipped.
        Assert.Equal(0, stopped.Skipped);
        Assert.All(resumed, s => Assert.Equal(1, s.Skipped));
        Assert.All(resumed.SkipLast(1), s => Assert.Equal(s.Step - 1, s.Optimizer.Step));
    }

    private static Optimizer Chain(string names)
    {
        var η = Schedule.Constant(1e-3);
        var parts = names.Split(", ");
        var optimizer = parts[0] switch
        {
            "sgd" => Optimizer.Sgd(η),
            "momentum" => Optimizer.Momentum(η),
            "nesterov" => Optimizer.Nesterov(η),
            "adam" => Optimizer.Adam(η),
            "adamw" => Optimizer.AdamW(η),
            _ => Optimizer.RmsProp(η),
        };
        return optimizer.With(parts.Skip(1).Select(t => t switch
        {
            "clip-norm" => Transform.ClipByNorm(1.0),
            "l2" => Transform.L2(0.1),
            _ => Transform.ClipByValue(1.0),
        }).ToArray());
    }

    private static Layer<double> Identity(Matrix<double> weights) =>
        Layer.Create(weights, Vector<double>.Build.Dense(weights.RowCount), Activation.Identity);
}
