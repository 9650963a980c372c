using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Benchmarks;

/// <summary>
/// Where an epoch's time goes: the steps of a training run taken one phase at a time (batch,
/// Forward, loss, and Backward with the update and its finiteness check), each timed, beside
/// the matrix products alone on the same shapes. Backward and the update are one phase, as in
/// a run, when plain SGD writes the weights in the gradient products (OpenBLAS).
/// </summary>
internal static class PhaseRun
{
    private static readonly string[] Names =
        ["batch", "forward", "loss", "backward and update"];

    /// <summary>Trains <paramref name="epochs"/> epochs and prints µs a step per phase.</summary>
    public static void Run(EpochConfig config, string dataDirectory, int epochs)
    {
        var data = DataSets.FromDirectory(dataDirectory).Match(
            Succ: d => d, Fail: e => throw new InvalidOperationException(e.Message));
        if (config.Precision == "float32")
        {
            Run<float>(config, data, epochs);
        }
        else
        {
            Run<double>(config, data, epochs);
        }
    }

    private static void Run<T>(EpochConfig config, DataSplit data, int epochs)
        where T : struct, IFloatingPointIeee754<T>
    {
        var train = data.Train;
        var network = Network.Initialize<T>(
            config.Sizes, config.Hidden, config.Output, config.Initialization, EpochConfig.Seed);
        var optimizer = Optimizer.Sgd(config.LearningRate);
        var options = new TrainingOptions(
            optimizer, config.Loss, config.BatchSize, EpochConfig.Seed);
        var state = optimizer.Init(network);
        var workspace = new Workspace<T>();
        var buffers = new BatchBuffers<T>(train);
        var size = config.BatchSize;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var ticks = Names.Select(_ => new List<long>()).ToArray();
            var (permutation, _) = Rng.FromSeed(Training.ShuffleSeed(EpochConfig.Seed, epoch))
                .NextPermutation(train.Count);
            var order = permutation.ToArray();
            var steps = 0;
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < train.Count; start += size, steps++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var (x, y) = buffers.Batch(
                    order.AsSpan(start, Math.Min(size, train.Count - start)));
                if (start + size < train.Count)
                {
                    // As a run does: the next batch is named now, and converted meanwhile.
                    buffers.Prepare(order.AsSpan(
                        start + size, Math.Min(size, train.Count - start - size)));
                }

                var t1 = Stopwatch.GetTimestamp();
                var trace = Propagation.Forward(network, x, Dropout.None, workspace);
                var t2 = Stopwatch.GetTimestamp();
                var loss = config.Loss.Value(trace.OutputLayer, y);
                var t3 = Stopwatch.GetTimestamp();
                // As a run by epochs writes: fresh weights at the epoch's end, over the old ones
                // in between, once they live in the workspace.
                var writes = start == 0 ? Writes.Spare : Writes.InPlace;
                if (start + size >= train.Count)
                {
                    writes = Writes.Fresh;
                }

                (state, network, _, var finite) = Training.Stepped(
                    network, state, trace, y, options, workspace,
                    Training.NewWeights(workspace, writes)).IfNone(() =>
                    {
                        var gradient = Propagation.Backward(
                            network, trace, y, config.Loss, workspace);
                        var (s, n, ok) = optimizer.UpdateChecked(state, network, gradient);
                        return new Training.Update<T>(s, n, gradient, ok);
                    });
                var t4 = Stopwatch.GetTimestamp();
                if (!finite || !T.IsFinite(loss))
                {
                    throw new InvalidOperationException("diverged");
                }

                long[] marks = [t0, t1, t2, t3, t4];
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i].Add(marks[i + 1] - marks[i]);
                }
            }

            var total = clock.Elapsed.TotalSeconds;
            // Medians: other processes on the machine stretch some steps, not the typical one.
            var parts = string.Join("  ", Names.Select((n, i) =>
                $"{n} {ticks[i].Order().ElementAt(steps / 2) * 1e6 / Stopwatch.Frequency:F0}"));
            Console.WriteLine($"epoch {epoch}: {total:F3} s, median µs a step: {parts}");
        }

        Products(network, size);
        Inference(network, train);
        Console.WriteLine(
            $"inference of the {data.Test.Count} test images in batches of "
            + $"{EpochRun.InferenceBatch}, as the epochs runner times it: "
            + $"{EpochRun.InferenceSeconds(network, data.Test) * 1e3:F1} ms");
    }

    // Predict on one batch of 1000 images against its products alone, µs each.
    private static void Inference<T>(Network<T> network, ImageSet images)
        where T : struct, IFloatingPointIeee754<T>
    {
        var (x, _) = images.Batch<T>(Enumerable.Range(0, EpochRun.InferenceBatch).ToArray());
        var predict = Time(() => network.Predict(x));
        var products = Time(() =>
        {
            var o = x;
            foreach (var layer in network.Layers)
            {
                o = Functional.Products.Affine(layer.Weights, o, layer.Bias, Dense.Fresh<T>(
                    layer.OutputSize, o.ColumnCount));
            }
        });
        Console.WriteLine(
            $"inference of {EpochRun.InferenceBatch} images: Predict {predict:F0} µs, "
            + $"its products alone {products:F0} µs");
    }

    // The three products of every layer alone, at the full batch size, µs each.
    private static void Products<T>(Network<T> network, int m)
        where T : struct, IFloatingPointIeee754<T>
    {
        var rng = new Random(1);
        foreach (var (layer, l) in network.Layers.Select((layer, l) => (layer, l)))
        {
            Matrix<T> Random(int r, int c) =>
                Matrix<T>.Build.Dense(r, c, (_, _) => T.CreateTruncating(rng.NextDouble()));
            var x = Random(layer.InputSize, m);
            var δ = Random(layer.OutputSize, m);
            var σ = Random(layer.OutputSize, m);
            var dW = Random(layer.OutputSize, layer.InputSize);
            var below = Random(layer.InputSize, m);
            var forward = Time(() => Functional.Products.Affine(layer.Weights, x, layer.Bias, σ));
            var outer = Time(() => Functional.Products.OuterSum(δ, x, dW));
            var down = Time(() => Functional.Products.TransposeTimes(layer.Weights, δ, below));
            Console.WriteLine(
                $"layer {l + 1} ({layer.InputSize}→{layer.OutputSize}, batch {m}): W·X+b "
                + $"{forward:F0} µs, δ·Xᵀ {outer:F0} µs, Wᵀ·δ {down:F0} µs");
        }
    }

    private static double Time(Action action)
    {
        for (var i = 0; i < 50; i++)
        {
            action();
        }

        var times = new List<double>();
        for (var rep = 0; rep < 7; rep++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++)
            {
                action();
            }

            times.Add(clock.Elapsed.TotalMicroseconds / 200);
        }

        return times.Order().ElementAt(3);
    }
}
