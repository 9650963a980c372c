using System.Collections.Generic;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Training as a lazy sequence of steps: when batches are asked for, in which order, how
/// large, and what each step reports.
/// </summary>
public sealed class TrainingSequenceTests
{
    private const ulong Seed = 20240917;

    private static readonly Network<double> Start =
        Fixtures.Seeded(5, Activation.Identity, 2, 3, 1);

    [Fact]
    public void Nothing_runs_until_the_sequence_is_enumerated()
    {
        var calls = 0;
        var data = Data(10) with { Batch = Counting(Data(10).Batch, () => calls++) };

        var steps = Training.Run(Start, data, Options(batchSize: 4));
        Assert.Equal(0, calls);

        var first = steps.Take(3).ToList();
        Assert.Equal(3, calls);

        // Enumerating again starts over and repeats the same steps, bit for bit.
        var again = steps.Take(3).ToList();
        Assert.Equal(6, calls);
        for (var i = 0; i < 3; i++)
        {
            Fixtures.SameBits(first[i].Network, again[i].Network, $"step {i + 1}");
            Assert.Equal(first[i].Loss, again[i].Loss);
        }

        // Resume and Steps are as lazy.
        var resumed = Training.Resume(first[^1], data, Options(batchSize: 4));
        var plain = Training.Steps(Start, data, Loss.Quadratic, 0.1, 4, Seed);
        Assert.Equal(6, calls);
        _ = resumed.Take(2).Concat(plain.Take(2)).ToList();
        Assert.Equal(10, calls);
    }

    [Fact]
    public void Each_epoch_visits_the_permutation_drawn_from_the_seed_and_the_epoch()
    {
        var seen = Batches(Data(10), Options(batchSize: 3), steps: 3 * 4);

        Assert.Equal(12, seen.Count);
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            var order = seen.Skip((epoch - 1) * 4).Take(4).SelectMany(b => b).ToArray();
            var (expected, _) = Rng.FromSeed(Training.ShuffleSeed(Seed, epoch)).NextPermutation(10);
            Assert.Equal(expected.ToArray(), order);
        }

        var epochs = Enumerable.Range(0, 3)
            .Select(e => seen.Skip(e * 4).Take(4).SelectMany(b => b).ToArray()).ToArray();
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
    }

    [Fact]
    public void Two_runs_with_the_same_seed_see_the_same_batches_and_another_seed_others()
    {
        var first = Batches(Data(10), Options(batchSize: 3), steps: 8);
        var second = Batches(Data(10), Options(batchSize: 3), steps: 8);
        var other = Batches(Data(10), Options(batchSize: 3) with { Seed = Seed + 1 }, steps: 8);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Inputs_and_labels_stay_paired_in_every_batch()
    {
        // The label of input (a, b) is 2a − b: a batch pairs rows correctly only if every
        // column keeps that relation, and each step's loss is the loss of that very batch.
        var batches = new List<(Matrix<double> X, Matrix<double> Y)>();
        var inner = Data(11);
        var data = inner with
        {
            Batch = indices =>
            {
                var batch = inner.Batch(indices);
                batches.Add(batch);
                return batch;
            },
        };

        var steps = Training.Run(Start, data, Options(batchSize: 4)).Take(12).ToList();

        Assert.Equal(12, batches.Count);
        for (var s = 0; s < steps.Count; s++)
        {
            var (x, y) = batches[s];
            for (var k = 0; k < x.ColumnCount; k++)
            {
                Assert.Equal((2 * x[0, k]) - x[1, k], y[0, k]);
            }

            var before = s == 0 ? Start : steps[s - 1].Network;
            Assert.Equal(before.Loss(x, y, Loss.Quadratic), steps[s].Loss);
        }
    }

    [Fact]
    public void The_last_short_batch_counts_with_its_true_size()
    {
        // n = 10, b = 4: ⌈10/4⌉ = 3 batches of 4, 4 and 2. The short batch's mean loss and
        // gradient divide by 2, so its SGD step is the plain SGD update on those two samples.
        var batches = new List<(Matrix<double> X, Matrix<double> Y)>();
        var inner = Data(10);
        var data = inner with
        {
            Batch = indices =>
            {
                var batch = inner.Batch(indices);
                batches.Add(batch);
                return batch;
            },
        };

        var steps = Training.Run(Start, data, Options(batchSize: 4)).Take(6).ToList();

        Assert.All(steps, s => Assert.Equal(3, s.BatchesPerEpoch));
        Assert.Equal(new[] { 4, 4, 2, 4, 4, 2 }, steps.Select(s => s.BatchSize));
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, steps.Select(s => s.Batch));
        Assert.Equal(new[] { 1, 1, 1, 2, 2, 2 }, steps.Select(s => s.Epoch));
        Assert.Equal(
            new[] { false, false, true, false, false, true }, steps.Select(s => s.EndsEpoch));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, steps.Select(s => s.Step));

        var (x, y) = batches[2];
        Assert.Equal(2, x.ColumnCount);
        var (loss, g) = steps[1].Network.LossAndGradient(x, y, Loss.Quadratic);
        Assert.Equal(loss, steps[2].Loss);

        // A run's plain SGD step on OpenBLAS may round each new weight once where Update
        // rounds twice: the weights agree to 4·u·(|W| + η·|∂W|), the biases to the bit.
        Fixtures.SameSgdStep(steps[1].Network, g, 0.1, steps[2].Network, "the short batch's step");
    }

    [Fact]
    public void A_data_set_smaller_than_one_batch_is_one_batch_an_epoch()
    {
        var steps = Training.Run(Start, Data(3), Options(batchSize: 8)).Take(200).ToList();

        Assert.All(steps, s =>
        {
            Assert.Equal(1, s.BatchesPerEpoch);
            Assert.Equal(1, s.Batch);
            Assert.Equal(3, s.BatchSize);
            Assert.True(s.EndsEpoch);
            Assert.Equal(s.Step, s.Epoch);
        });

        // It trains: 200 full-batch steps of SGD, η = 0.1, take the loss well down.
        Assert.True(
            steps[^1].Loss < 0.1 * steps[0].Loss,
            $"loss {steps[0].Loss} → {steps[^1].Loss}");
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 1)]
    public void A_batch_size_near_the_largest_int_is_one_batch_and_does_not_overflow(int size)
    {
        // ⌈n / size⌉ computed as (n + size − 1) / size overflowed here and hung the run.
        var huge = Training.Run(Start, Data(3), Options(batchSize: size)).Take(4).ToList();
        var exact = Training.Run(Start, Data(3), Options(batchSize: 3)).Take(4).ToList();

        Assert.All(huge, s => Assert.Equal((1, 3), (s.BatchesPerEpoch, s.BatchSize)));
        for (var k = 0; k < exact.Count; k++)
        {
            Fixtures.SameBits(exact[k].Network, huge[k].Network, $"step {k + 1}");
        }

        Assert.Equal(
            Metrics.Evaluate(exact[^1].Network, Data(3), Loss.Quadratic, 3),
            Metrics.Evaluate(exact[^1].Network, Data(3), Loss.Quadratic, size));
    }

    [Fact]
    public void Every_step_reports_its_counters_and_no_problem()
    {
        var steps = Training.Run(Start, Data(10), Options(batchSize: 4)).Take(7).ToList();

        Assert.All(steps, s =>
        {
            Assert.Equal(0, s.Skipped);
            Assert.True(s.Problem.IsNone);
            Assert.Equal(s.Step, s.Optimizer.Step);
            Assert.Equal(0.1, s.Optimizer.LearningRate);
        });
    }

    [Fact]
    public void Steps_is_Run_with_plain_sgd()
    {
        var viaSteps = Training.Steps(Start, Data(10), Loss.Quadratic, 0.1, 4, Seed)
            .Take(5).ToList();
        var viaRun = Training.Run(Start, Data(10), Options(batchSize: 4)).Take(5).ToList();

        for (var i = 0; i < 5; i++)
        {
            Fixtures.SameBits(viaRun[i].Network, viaSteps[i].Network, $"step {i + 1}");
            Assert.Equal(viaRun[i].Loss, viaSteps[i].Loss);
        }
    }

    /// <summary>
    /// n samples (a, b) on a grid in [−1, 1]², labelled 2a − b, as an in-memory training set.
    /// </summary>
    internal static TrainingData<double> Data(int n)
    {
        var x = Matrix<double>.Build.Dense(
            2, n, (i, k) => i == 0 ? -1 + (2.0 * k / n) : ((((k * 7) % n) / (double)n) - 0.5));
        var y = Matrix<double>.Build.Dense(1, n, (_, k) => (2 * x[0, k]) - x[1, k]);
        return Fixtures.InMemory(x, y);
    }

    private static TrainingOptions Options(int batchSize) =>
        new(Optimizer.Sgd(0.1), Loss.Quadratic, batchSize, Seed);

    private static System.Func<Arr<int>, (Matrix<double> X, Matrix<double> Y)> Counting(
        System.Func<Arr<int>, (Matrix<double> X, Matrix<double> Y)> batch, System.Action count) =>
        indices =>
        {
            count();
            return batch(indices);
        };

    // The sample indices of each batch of the first `steps` steps.
    private static List<int[]> Batches(
        TrainingData<double> inner, TrainingOptions options, int steps)
    {
        var seen = new List<int[]>();
        var data = inner with
        {
            Batch = indices =>
            {
                seen.Add(indices.ToArray());
                return inner.Batch(indices);
            },
        };
        _ = Training.Run(Start, data, options).Take(steps).ToList();
        return seen;
    }
}
