using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// The same seed gives the same bits: a run resumed from any checkpoint continues exactly as
/// the uninterrupted run, and a run gives the same bits on any thread, even beside another.
/// The configuration uses every source of state and randomness at once: Adam (moments and
/// step count), dropout (per-step masks), a warm-up cosine schedule (η depends on t), clipping
/// and decoupled decay, and a last short batch (10 samples in batches of 4).
/// </summary>
public sealed class ReproducibilityTests
{
    private const int Total = 15;

    private static readonly Network<double> Start =
        Fixtures.Seeded(31, Activation.Identity, 3, 6, 5, 2);

    private static readonly TrainingOptions Options =
        new(
            Optimizer.Adam(Schedule.Cosine(0.05, steps: 40).WithWarmup(3))
                .With(Transform.ClipByNorm(1.0), Transform.WeightDecay(0.01)),
            Loss.Quadratic,
            BatchSize: 4,
            Seed: 77)
        {
            Dropout = 0.3,
        };

    private static readonly TrainingData<double> Data = MakeData();

    [Theory]
    [InlineData(1)]     // epoch 1, batch 1
    [InlineData(5)]     // epoch 2, batch 2: mid-epoch
    [InlineData(6)]     // epoch 2, batch 3: an epoch end, after the short batch
    [InlineData(10)]    // epoch 4, batch 1
    public void Resume_continues_exactly_as_the_uninterrupted_run(int interruptedAfter)
    {
        var uninterrupted = Training.Run(Start, Data, Options).Take(Total).ToList();

        // A separate run stopped after `interruptedAfter` steps, as a checkpoint would be.
        var checkpoint = Training.Run(Start, Data, Options).Take(interruptedAfter).Last();
        var resumed = Training.Resume(checkpoint, Data, Options)
            .Take(Total - interruptedAfter).ToList();

        Assert.Equal(interruptedAfter == 6, checkpoint.EndsEpoch);
        SameSteps(uninterrupted.Skip(interruptedAfter).ToList(), resumed);
    }

    [Fact]
    public void Resuming_twice_in_a_row_is_still_the_same_run()
    {
        var uninterrupted = Training.Run(Start, Data, Options).Take(Total).ToList();

        var first = Training.Run(Start, Data, Options).Take(4).Last();
        var second = Training.Resume(first, Data, Options).Take(5).Last();
        var rest = Training.Resume(second, Data, Options).Take(Total - 9).ToList();

        SameSteps(uninterrupted.Skip(9).ToList(), rest);
    }

    // The checkpoint's run takes ⌈10/4⌉ = 3 or ⌈10/10⌉ = 1 batches an epoch; the data it is
    // resumed on, in batches of 4, take ⌈8/4⌉ = 2 or ⌈5/4⌉ = 2.
    [Theory]
    [InlineData(4, 8, "the checkpoint has 3 batches an epoch but these data and batch size give 2")]
    [InlineData(10, 5, "the checkpoint has 1 batch an epoch but these data and batch size give 2")]
    public void Resume_refuses_data_with_another_batch_count(
        int batchSize, int resumedCount, string expected)
    {
        var checkpoint = Training.Run(Start, Data, Options with { BatchSize = batchSize })
            .Take(1).Last();

        var e = Assert.Throws<System.ArgumentException>(
            () => Training.Resume(checkpoint, Data with { Count = resumedCount }, Options));

        Assert.Equal($"{expected} (Parameter 'data')", e.Message);
    }

    // Step 5 is epoch 2, batch 2 of 3; each change makes a position no run reaches.
    [Theory]
    [InlineData("epoch 0", "the checkpoint is at epoch 0; expected 1 or more")]
    [InlineData("batch 4", "the checkpoint is at batch 4 of an epoch of 3; expected 0 to 3")]
    [InlineData("batch -1", "the checkpoint is at batch -1 of an epoch of 3; expected 0 to 3")]
    [InlineData(
        "step 4", "the checkpoint is at step 4, but epoch 2, batch 2 of 3 is step 5")]
    [InlineData(
        "step -1", "the checkpoint is at step -1, but epoch 2, batch 2 of 3 is step 5")]
    [InlineData("skipped 6", "the checkpoint counts 6 skipped steps of 5; expected 0 to 5")]
    [InlineData(
        "skipped 1",
        "the checkpoint has an optimizer that has taken 5 steps, but 5 steps with 1 skipped "
            + "make 4 updates")]
    public void Resume_refuses_a_position_no_run_reaches(string change, string expected) =>
        RefusedAt(5, change, expected);

    // The counts of one in the same lines: step 1 is epoch 1, batch 1 of 3; step 2, batch 2.
    [Theory]
    [InlineData(
        1,
        "skipped 1",
        "the checkpoint has an optimizer that has taken 1 step, but 1 step with 1 skipped "
            + "makes 0 updates")]
    [InlineData(
        2,
        "skipped 1",
        "the checkpoint has an optimizer that has taken 2 steps, but 2 steps with 1 skipped "
            + "make 1 update")]
    [InlineData(1, "skipped 2", "the checkpoint counts 2 skipped steps of 1; expected 0 to 1")]
    public void Resume_counts_one_step_in_the_singular(int steps, string change, string expected) =>
        RefusedAt(steps, change, expected);

    [Fact]
    public void A_position_of_one_skipped_step_before_any_is_counted_in_the_singular()
    {
        var c = Training.Run(Start, Data, Options).Take(1).Last();
        var damaged = c with { Batch = 0, Step = 0, Skipped = 1 };

        var e = Assert.Throws<System.ArgumentException>(
            () => Training.Resume(damaged, Data, Options));

        Assert.Equal(
            "the checkpoint counts 1 skipped step of 0; expected 0 to 0 (Parameter 'checkpoint')",
            e.Message);
    }

    /// <summary>
    /// One run on the test's thread, then two copies at once on the thread pool. This covers
    /// shared state between runs (a static random stream, a cache, a buffer reused across
    /// calls), and results that depend on the thread a run happens to be on. It does not cover
    /// a library-level thread count (there is none yet), or threads inside the BLAS products,
    /// which are the same in all three runs.
    /// </summary>
    [Fact]
    public async Task The_same_seed_gives_the_same_bits_on_any_thread()
    {
        static List<TrainingStep<double>> Train() =>
            Training.Run(Start, Data, Options).Take(Total).ToList();

        var here = Train();
        var pooled = await Task.WhenAll(Task.Run(Train), Task.Run(Train));

        SameSteps(here, pooled[0]);
        SameSteps(here, pooled[1]);
    }

    private static void RefusedAt(int steps, string change, string expected)
    {
        var c = Training.Run(Start, Data, Options).Take(steps).Last();
        var value = int.Parse(change.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var damaged = change.Split(' ')[0] switch
        {
            "epoch" => c with { Epoch = value },
            "batch" => c with { Batch = value },
            "step" => c with { Step = value },
            _ => c with { Skipped = value },
        };

        var e = Assert.Throws<System.ArgumentException>(
            () => Training.Resume(damaged, Data, Options));

        Assert.Equal($"{expected} (Parameter 'checkpoint')", e.Message);
    }

    private static void SameSteps(
        List<TrainingStep<double>> expected, List<TrainingStep<double>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            var at = $"step {e.Step}";
            Assert.Equal(
                (e.Epoch, e.Batch, e.Step, e.BatchSize), (a.Epoch, a.Batch, a.Step, a.BatchSize));
            Fixtures.SameBits([e.Loss], [a.Loss], $"{at}, loss");
            Fixtures.SameBits(e.Network, a.Network, at);
            Fixtures.SameBits(e.Optimizer, a.Optimizer, at);
            Assert.Equal(e.Skipped, a.Skipped);
            Assert.Equal(e.Problem, a.Problem);
        }
    }

    private static TrainingData<double> MakeData()
    {
        var x = Matrix<double>.Build.Dense(3, 10, (i, k) => System.Math.Sin((3 * k) + i));
        var y = Matrix<double>.Build.Dense(2, 10, (i, k) => System.Math.Cos(k - i));
        return Fixtures.InMemory(x, y);
    }
}
