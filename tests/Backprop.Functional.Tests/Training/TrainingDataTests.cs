using System;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

public class TrainingDataTests
{
    [Fact]
    public void FromColumns_gives_the_columns_at_the_indices_in_that_order()
    {
        var x = Matrix<double>.Build.Dense(2, 4, (i, j) => (10 * j) + i);
        var y = Matrix<double>.Build.Dense(1, 4, (i, j) => j);
        var data = TrainingData.FromColumns(x, y);

        var (inputs, targets) = data.Batch(Arr.create(3, 0));

        Assert.Equal(4, data.Count);
        Assert.Equal(new[] { 30.0, 31.0, 0.0, 1.0 }, inputs.ToColumnMajorArray());
        Assert.Equal(new[] { 3.0, 0.0 }, targets.ToColumnMajorArray());
    }

    [Fact]
    public void FromColumns_copies_so_later_writes_to_the_source_do_not_leak_in()
    {
        var x = Matrix<double>.Build.Dense(1, 2, 1.0);
        var data = TrainingData.FromColumns(x, x);

        x[0, 0] = 99.0;

        Assert.Equal(1.0, data.Batch(Arr.create(0)).Inputs[0, 0]);
    }

    [Fact]
    public void A_batch_function_reusing_one_buffer_gives_the_bits_of_fresh_batches()
    {
        // The documented contract: the run and the evaluation read a batch only during its own
        // step, so a function that overwrites one pair of matrices per batch size (as the
        // command-line tool's does) cannot be told apart. Dropout, Adam and a short last batch
        // (10 samples in batches of 4) use every piece of state a step has.
        var x = Matrix<double>.Build.Dense(3, 10, (i, k) => Math.Sin((3 * k) + i));
        var y = Matrix<double>.Build.Dense(2, 10, (i, k) => Math.Cos(k - i));
        var fresh = TrainingData.FromColumns(x, y);
        var buffers = new System.Collections.Generic.Dictionary<int, (Matrix<double>, Matrix<double>)>();
        var reused = fresh with
        {
            Batch = indices =>
            {
                var (bx, by) = fresh.Batch(indices);
                if (!buffers.TryGetValue(indices.Count, out var pair))
                {
                    pair = (bx.Clone(), by.Clone());
                    buffers[indices.Count] = pair;
                }

                bx.CopyTo(pair.Item1);
                by.CopyTo(pair.Item2);
                return pair;
            },
        };
        var start = Fixtures.Seeded(5, Activation.Identity, 3, 6, 2);
        var options = new TrainingOptions(
            Optimizer.Adam(Schedule.Constant(0.01)), Loss.Quadratic, BatchSize: 4, Seed: 8)
        {
            Dropout = 0.25,
        };

        var expected = System.Linq.Enumerable.ToList(
            System.Linq.Enumerable.Take(Training.Run(start, fresh, options), 9));
        var actual = System.Linq.Enumerable.ToList(
            System.Linq.Enumerable.Take(Training.Run(start, reused, options), 9));

        for (var s = 0; s < expected.Count; s++)
        {
            Fixtures.SameBits(expected[s].Network, actual[s].Network, $"step {s + 1}");
            Assert.Equal(expected[s].Loss, actual[s].Loss);
        }

        Assert.Equal(2, buffers.Count);
        Assert.Equal(
            Metrics.Evaluate(expected[^1].Network, fresh, Loss.Quadratic, 3),
            Metrics.Evaluate(expected[^1].Network, reused, Loss.Quadratic, 3));
    }

    [Fact]
    public void A_batch_function_that_returns_too_few_columns_is_refused_by_the_run_and_metrics()
    {
        var x = Matrix<double>.Build.Dense(2, 4, 0.5);
        var fresh = TrainingData.FromColumns(x, x.SubMatrix(0, 1, 0, 4));
        var short1 = fresh with { Batch = indices => fresh.Batch(indices.Take(1).ToArr()) };
        var network = Fixtures.Seeded(2, Activation.Identity, 2, 1);
        var options = new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 2, 1);

        var run = Assert.Throws<ArgumentException>(
            () => System.Linq.Enumerable.First(Training.Run(network, short1, options)));
        var metrics = Assert.Throws<ArgumentException>(
            () => Metrics.Evaluate(network, short1, Loss.Quadratic, 2));

        Assert.StartsWith(
            "the batch function returned inputs of 2 × 1 and targets of 1 × 1 for 2 samples; "
            + "expected one column a sample",
            run.Message);
        Assert.Equal(run.Message, metrics.Message);
    }

    [Theory]
    [InlineData(1, "1 sample")]
    [InlineData(3, "3 samples")]
    public void A_batch_function_that_returns_too_many_columns_is_refused_with_the_count(
        int batchSize, string counted)
    {
        // Every batch comes back as all four samples, whatever it asked for
        var x = Matrix<double>.Build.Dense(2, 4, 0.5);
        var fresh = TrainingData.FromColumns(x, x.SubMatrix(0, 1, 0, 4));
        var all = System.Linq.Enumerable.Range(0, 4).ToArr();
        var whole = fresh with { Batch = _ => fresh.Batch(all) };
        var network = Fixtures.Seeded(2, Activation.Identity, 2, 1);

        var e = Assert.Throws<ArgumentException>(
            () => Metrics.Evaluate(network, whole, Loss.Quadratic, batchSize));

        Assert.StartsWith(
            "the batch function returned inputs of 2 × 4 and targets of 1 × 4 for "
            + $"{counted}; expected one column a sample",
            e.Message);
    }

    [Fact]
    public void FromColumns_refuses_mismatched_column_counts_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingData.FromColumns(
            Matrix<double>.Build.Dense(2, 3), Matrix<double>.Build.Dense(1, 4)));

        Assert.Contains("2 × 3", e.Message);
        Assert.Contains("1 × 4", e.Message);
    }

    [Fact]
    public void Upcoming_is_told_each_next_batch_of_the_epoch_before_it_is_fetched()
    {
        // 10 samples in batches of 4: three batches an epoch (4, 4, 2), so over two epochs the
        // hint comes after batches 1 and 2 of each and never after an epoch's last.
        var x = Matrix<double>.Build.Dense(3, 10, (i, k) => Math.Sin((3 * k) + i));
        var y = Matrix<double>.Build.Dense(2, 10, (i, k) => Math.Cos(k - i));
        var inner = TrainingData.FromColumns(x, y);
        var events = new System.Collections.Generic.List<(string Kind, int[] Indices)>();
        var data = inner with
        {
            Batch = indices =>
            {
                events.Add(("batch", indices.ToArray()));
                return inner.Batch(indices);
            },
            Upcoming = indices => events.Add(("upcoming", indices.ToArray())),
        };
        var options = new TrainingOptions(Optimizer.Sgd(0.1), Loss.Quadratic, 4, Seed: 3);

        _ = System.Linq.Enumerable.ToList(System.Linq.Enumerable.Take(
            Training.Run(Fixtures.Seeded(5, Activation.Identity, 3, 4, 2), data, options), 6));

        var kinds = System.Linq.Enumerable.Select(events, e => e.Kind);
        Assert.Equal(
            new[]
            {
                "batch", "upcoming", "batch", "upcoming", "batch",
                "batch", "upcoming", "batch", "upcoming", "batch",
            },
            kinds);
        foreach (var k in new[] { 1, 3, 6, 8 })
        {
            Assert.Equal(events[k + 1].Indices, events[k].Indices);
        }

        var epochOne = Rng.FromSeed(Training.ShuffleSeed(3, 1)).NextPermutation(10).Item1;
        Assert.Equal(epochOne.ToArray()[4..8], events[1].Indices);
    }

    [Fact]
    public void A_run_with_an_Upcoming_hint_takes_the_steps_of_one_without()
    {
        var x = Matrix<double>.Build.Dense(3, 10, (i, k) => Math.Sin((3 * k) + i));
        var y = Matrix<double>.Build.Dense(2, 10, (i, k) => Math.Cos(k - i));
        var plain = TrainingData.FromColumns(x, y);
        var hinted = plain with { Upcoming = _ => { } };
        var start = Fixtures.Seeded(5, Activation.Identity, 3, 6, 2);
        var options = new TrainingOptions(Optimizer.Sgd(0.05), Loss.Quadratic, 4, Seed: 8);

        var expected = System.Linq.Enumerable.ToList(
            System.Linq.Enumerable.Take(Training.Run(start, plain, options), 7));
        var actual = System.Linq.Enumerable.ToList(
            System.Linq.Enumerable.Take(Training.Run(start, hinted, options), 7));

        for (var s = 0; s < expected.Count; s++)
        {
            Fixtures.SameBits(expected[s].Network, actual[s].Network, $"step {s + 1}");
        }
    }
}
