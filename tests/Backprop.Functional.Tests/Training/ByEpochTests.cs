using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// <see cref="Training.RunByEpoch{T}"/> and <see cref="Training.ResumeByEpoch{T}"/> take the
/// steps of <see cref="Training.Run{T}"/> bit for bit, and hand over the state of exactly the
/// steps that end an epoch or stop the run; what they hand over stays as it was while the run
/// goes on writing its new weights into reused buffers.
/// </summary>
/// <remarks>
/// Plain SGD reuses the buffers on OpenBLAS only, the default backend where it loads (CI
/// installs it); elsewhere these compare two runs that allocate alike.
/// </remarks>
public sealed class ByEpochTests
{
    private const int Epochs = 3;

    [Property(MaxTest = 30)]
    public Property Three_epochs_by_epoch_are_the_steps_of_run_in_float64() =>
        Prop.ForAll(FusedStepTests.Problems.ToArbitrary(), p => Same<double>(p));

    [Property(MaxTest = 30)]
    public Property Three_epochs_by_epoch_are_the_steps_of_run_in_float32() =>
        Prop.ForAll(FusedStepTests.Problems.ToArbitrary(), p => Same<float>(p));

    [Fact]
    public void Momentum_by_epoch_is_run_too()
    {
        var (same, what) = SameRuns<double>(FusedStepTests.Small, Optimizer.Momentum(Schedule.Constant(0.05)));

        Assert.True(same, what);
    }

    [Fact]
    public void Resuming_by_epoch_from_inside_an_epoch_is_resume()
    {
        var p = FusedStepTests.Small;
        var (network, data, loss) = FusedStepTests.Build<double>(p);
        var options = new TrainingOptions(Optimizer.Sgd(p.Eta), loss, p.Batch, 5);
        var middle = Training.Run(network, data, options).Skip(6).First();

        var expected = Training.Resume(middle, data, options).Take(12).ToList();
        var actual = Training.ResumeByEpoch(middle, data, options).Take(12).ToList();

        Assert.Equal(
            expected.Select(s => (s.Epoch, s.Batch, FusedStepTests.Bits(s.Loss))),
            actual.Select(r => (r.Epoch, r.Batch, FusedStepTests.Bits(r.Loss))));
        Assert.Equal(expected.Select(s => s.EndsEpoch), actual.Select(r => r.State.IsSome));
        foreach (var (s, r) in expected.Zip(actual, (s, r) => (s, r)).Where(p => p.s.EndsEpoch))
        {
            Assert.Equal(FusedStepTests.Bits(s.Network), FusedStepTests.Bits(Handed(r)));
        }
    }

    [Fact]
    public void A_network_handed_over_after_a_skipped_last_step_is_not_overwritten_later()
    {
        // Four samples in batches of one; every enumeration sees x = 1e200 in its 2nd, 4th,
        // 6th and 8th batch, whose loss overflows, so those steps are skipped: among them the
        // last step of epochs 1 and 2. The network that ends epoch 1 is then the one of its
        // third step, written where the run writes its steps' weights.
        var network = Functional.Network.Create(
            Layer.Create(Fixtures.Matrix(2, 1, 0.5, -0.25), Vector<double>.Build.Dense(2),
                Activation.Identity),
            Layer.Create(Fixtures.Matrix(1, 2, 0.75, 0.5), Vector<double>.Build.Dense(1),
                Activation.Identity));
        var options = new TrainingOptions(Optimizer.Sgd(0.01), Loss.Quadratic, 1, 2)
        {
            OnNonFinite = NonFinitePolicy.SkipStep,
        };

        var run = Training.Run(network, Poisoned(), options).Take(4 * Epochs).ToList();
        var byEpoch = Training.RunByEpoch(network, Poisoned(), options)
            .Take(4 * Epochs).ToList();

        Assert.Equal(2, run[3].Skipped);
        Assert.NotEqual(FusedStepTests.Bits(network), FusedStepTests.Bits(run[3].Network));
        var ends = byEpoch.Where(r => r.EndsEpoch).Select(Handed).ToList();
        Assert.Equal(Epochs, ends.Count);
        for (var e = 0; e < Epochs; e++)
        {
            Assert.Equal(
                FusedStepTests.Bits(run[(4 * e) + 3].Network), FusedStepTests.Bits(ends[e]));
        }
    }

    [Fact]
    public void A_stop_after_the_weights_were_written_over_hands_over_the_network_of_run()
    {
        // Batches of one of 21 samples, η = 0.96: the loss overflows at step 14, the middle of
        // the first epoch, while every output and new weight is finite, so that step wrote its
        // new weights over the old ones before the loss said it must not keep them.
        var p = new RunProblem([1, 38, 88, 9], 1, 21, false, 0.96, 424992);
        var (network, data, loss) = FusedStepTests.Build<float>(p);
        var options = new TrainingOptions(Optimizer.Sgd(p.Eta), loss, p.Batch, (ulong)p.Seed);

        var run = Training.Run(network, data, options).ToList();
        var byEpoch = Training.RunByEpoch(network, data, options).ToList();

        Assert.Equal(14, run.Count);
        Assert.Equal(14, byEpoch.Count);
        Assert.StartsWith("the loss became Infinity at epoch 1, batch 14 (step 14); every layer's "
            + "output is finite", run[^1].Problem.IfNone(string.Empty));
        Assert.Equal(run[^1].Problem, byEpoch[^1].Problem);
        Assert.Equal(FusedStepTests.Bits(run[^1].Network), FusedStepTests.Bits(Handed(byEpoch[^1])));
        Assert.Equal(FusedStepTests.Bits(run[^2].Network), FusedStepTests.Bits(run[^1].Network));
    }

    [Fact]
    public void Steps_that_keep_failing_take_their_epoch_again_once_at_most()
    {
        // Batches of one of 40 samples in float32; from the fourth step η is 5·10³⁹, so every
        // later step's weights overflow and are skipped. Each such step written over the
        // weights used to take the epoch again from its start: quadratic in the batches.
        var p = new RunProblem([6, 16, 3], 1, 40, false, 0.05, 7);
        var (network, data, loss) = FusedStepTests.Build<float>(p);
        var options = new TrainingOptions(
            Optimizer.Sgd(Schedule.Step(0.05, 3, 1e41)), loss, p.Batch, 3)
        {
            OnNonFinite = NonFinitePolicy.SkipStep,
        };
        var (runFetches, byEpochFetches) = (0, 0);

        var run = Training.Run(network, Counted(data, () => runFetches++), options)
            .Take(80).ToList();
        var byEpoch = Training.RunByEpoch(network, Counted(data, () => byEpochFetches++), options)
            .Take(80).ToList();

        Assert.True(run[^1].Skipped > 70, $"{run[^1].Skipped} skipped");
        Assert.Equal(80, runFetches);
        Assert.InRange(byEpochFetches, 81, 80 + 40 + 40);
        Assert.Equal(
            FusedStepTests.Bits(run[^1].Network), FusedStepTests.Bits(Handed(byEpoch[^1])));
    }

    // The state a report hands over.
    private static Network<T> Handed<T>(StepReport<T> report)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        report.State.Match(s => s.Network, () => throw new Xunit.Sdk.XunitException(
            $"no state at epoch {report.Epoch}, batch {report.Batch}"));

    // The data, counting every batch fetched.
    private static TrainingData<T> Counted<T>(TrainingData<T> data, Action fetched)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        data with
        {
            Batch = indices =>
            {
                fetched();
                return data.Batch(indices);
            },
        };

    // x = 1 and y = 0 in every batch but the even ones of an enumeration, where x = 1e200.
    private static TrainingData<double> Poisoned()
    {
        var calls = 0;
        return new TrainingData<double>(4, indices =>
        {
            calls++;
            var x = calls % 2 == 0 ? 1e200 : 1.0;
            return (Fixtures.Matrix(1, 1, x), Fixtures.Matrix(1, 1, 0.0));
        });
    }

    // Three epochs of the problem both ways (or up to a step that stops them), compared after
    // both have run: every step's position and loss, the state only at the epochs' ends and
    // at a stop, there the same bits.
    private static (bool Same, string What) SameRuns<T>(RunProblem p, Optimizer? optimizer)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (network, data, loss) = FusedStepTests.Build<T>(p);
        var options = new TrainingOptions(
            optimizer ?? Optimizer.Sgd(p.Eta), loss, p.Batch, (ulong)p.Seed);
        var batches = (p.Samples + p.Batch - 1) / p.Batch;

        var run = Training.Run(network, data, options).Take(Epochs * batches).ToList();
        var byEpoch = Training.RunByEpoch(network, data, options).Take(Epochs * batches).ToList();

        for (var k = 0; k < run.Count; k++)
        {
            var (s, r) = (run[k], byEpoch[k]);
            var where = $"{p}, step {k + 1}";
            if ((s.Epoch, s.Batch, s.BatchesPerEpoch, s.BatchSize)
                != (r.Epoch, r.Batch, r.BatchesPerEpoch, r.BatchSize)
                || FusedStepTests.Bits(s.Loss) != FusedStepTests.Bits(r.Loss))
            {
                return (false, $"{where}: position or loss differs");
            }

            var handed = s.EndsEpoch || s.Problem.IsSome;
            if (r.State.IsSome != handed)
            {
                return (false, $"{where}: state {(r.State.IsSome ? "given" : "missing")}");
            }

            if (handed && !FusedStepTests.Bits(s.Network)
                .SequenceEqual(FusedStepTests.Bits(Handed(r))))
            {
                return (false, $"{where}: the network differs");
            }
        }

        return (true, p.ToString());
    }

    private static Property Same<T>(RunProblem p)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (same, what) = SameRuns<T>(p, null);
        return Prop.Label(same, what);
    }
}
