using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Benchmarks;

/// <summary>What one epoch of training cost.</summary>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (no evaluation).</param>
/// <param name="GcPauseSeconds">Seconds the garbage collector paused the program meanwhile.</param>
/// <param name="Gen0">Generation-0 collections during the epoch.</param>
/// <param name="Gen1">Generation-1 collections during the epoch.</param>
/// <param name="Gen2">Generation-2 collections during the epoch.</param>
/// <param name="AllocatedMegabytes">Managed memory allocated during the epoch, in MB.</param>
/// <param name="CpuSeconds">Processor seconds the process used meanwhile, all threads.</param>
internal sealed record EpochCost(
    double Seconds,
    double GcPauseSeconds,
    int Gen0,
    int Gen1,
    int Gen2,
    double AllocatedMegabytes,
    double CpuSeconds);

/// <summary>The result of training one configuration in this process.</summary>
/// <param name="Config">The configuration's name.</param>
/// <param name="Backend">The backend's description.</param>
/// <param name="Epochs">One cost per epoch, in order.</param>
/// <param name="MedianSeconds">The median epoch time over epochs 2 and later.</param>
/// <param name="GcShare">The GC pause time over the training time of epochs 2 and later.</param>
/// <param name="TestAccuracy">The test accuracy after the last epoch.</param>
/// <param name="InferenceSeconds">Predicting the 10,000 test images in batches of 1000, median
/// of five repetitions (matrices built beforehand, as the peers' arrays are).</param>
/// <param name="PeakMegabytes">The process's peak resident memory (VmHWM), in MB.</param>
/// <param name="LoadedMegabytes">The peak resident memory once the data was loaded, before
/// training, in MB.</param>
internal sealed record EpochResult(
    string Config,
    string Backend,
    IReadOnlyList<EpochCost> Epochs,
    double MedianSeconds,
    double GcShare,
    double TestAccuracy,
    double InferenceSeconds,
    double PeakMegabytes,
    double LoadedMegabytes);

/// <summary>Trains one configuration on the full data set and measures it.</summary>
internal static class EpochRun
{
    /// <summary>The images predicted at once when timing inference, as the peers do.</summary>
    public const int InferenceBatch = 1000;

    /// <summary>
    /// Passes over the test images before the five that are timed, so that the figure is
    /// `Predict`'s steady speed, as numpy's is: the first passes after training are slower
    /// (C2 in float32: 24.5, 20.8, 16.8, 13.8 and 10.2 ms, then 9.3–9.9 ms; still 34.9, 13.1,
    /// 11.0 and 10.5 ms with tiered compilation off), the inputs being fresh memory and the
    /// code new, where numpy's test arrays have been in use since the peer loaded them.
    /// </summary>
    private const int WarmUpPasses = 5;

    /// <summary>
    /// Loads the data, trains <paramref name="epochs"/> epochs and measures them.
    /// </summary>
    public static EpochResult Run(EpochConfig config, string dataDirectory, int epochs)
    {
        var data = DataSets.FromDirectory(dataDirectory).Match(
            Succ: d => d, Fail: e => throw new InvalidOperationException(e.Message));
        return config.Precision == "float32"
            ? Run<float>(config, data, epochs)
            : Run<double>(config, data, epochs);
    }

    private static EpochResult Run<T>(EpochConfig config, DataSplit data, int epochs)
        where T : struct, IFloatingPointIeee754<T>
    {
        var network = Network.Initialize<T>(
            config.Sizes, config.Hidden, config.Output, config.Initialization, EpochConfig.Seed);
        var train = data.Train;
        var buffers = new BatchBuffers<T>(train);
        var batches = new TrainingData<T>(train.Count, indices => buffers.Batch(indices.ToArray()))
        {
            Upcoming = indices => buffers.Prepare(indices.ToArray()),
        };
        var options = new TrainingOptions(
            Optimizer.Sgd(config.LearningRate), config.Loss, config.BatchSize, EpochConfig.Seed);

        var loaded = PeakResidentMegabytes();
        var costs = new List<EpochCost>();
        var meter = Meter.Start();
        // As the command-line tool trains: the steps handed over by epochs.
        foreach (var report in Training.RunByEpoch(network, batches, options))
        {
            if (report.Problem.IsSome)
            {
                throw new InvalidOperationException($"training diverged: {report.Problem}");
            }

            if (!report.EndsEpoch || report.State.Case is not TrainingStep<T> step)
            {
                continue;
            }

            costs.Add(meter.Stop());
            network = step.Network;
            if (step.Epoch == epochs)
            {
                break;
            }

            meter = Meter.Start();
        }

        var test = new BatchBuffers<T>(data.Test);
        var accuracy = Metrics.Evaluate(
            network,
            new TrainingData<T>(data.Test.Count, indices => test.Batch(indices.ToArray())),
            config.Loss,
            InferenceBatch).Accuracy;
        var later = costs.Skip(1).DefaultIfEmpty(costs[0]).ToList();
        return new EpochResult(
            config.Name,
            Backends.Describe(),
            costs,
            Median(later.Select(c => c.Seconds)),
            later.Sum(c => c.GcPauseSeconds) / later.Sum(c => c.Seconds),
            accuracy,
            InferenceSeconds(network, data.Test),
            PeakResidentMegabytes(),
            loaded);
    }

    /// <summary>
    /// Seconds to predict the 10,000 test images in batches of 1000 (Predict and an arg-max per
    /// column), the median of five passes after <see cref="WarmUpPasses"/>.
    /// </summary>
    internal static double InferenceSeconds<T>(Network<T> network, ImageSet test)
        where T : struct, IFloatingPointIeee754<T>
    {
        var inputs = Enumerable.Range(0, (test.Count + InferenceBatch - 1) / InferenceBatch)
            .Select(b => Enumerable.Range(
                b * InferenceBatch, Math.Min(InferenceBatch, test.Count - (b * InferenceBatch))))
            .Select(indices => test.Batch<T>(indices.ToArray()).Inputs)
            .ToList();

        var times = new List<double>();
        var classes = 0L;
        for (var rep = 0; rep < WarmUpPasses + 5; rep++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var x in inputs)
            {
                classes += ArgMaxSum(network.Predict(x));
            }

            times.Add(clock.Elapsed.TotalSeconds);
        }

        GC.KeepAlive(classes);
        return Median(times.Skip(WarmUpPasses));
    }

    private static long ArgMaxSum<T>(Matrix<T> outputs)
        where T : struct, IFloatingPointIeee754<T>
    {
        var values = outputs.AsColumnMajorArray();
        var rows = outputs.RowCount;
        var sum = 0L;
        for (var k = 0; k < values.Length; k += rows)
        {
            sum += System.Numerics.Tensors.TensorPrimitives.IndexOfMax<T>(values.AsSpan(k, rows));
        }

        return sum;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    // VmHWM from /proc/self/status where there is one (Linux), else the runtime's own peak.
    private static double PeakResidentMegabytes()
    {
        const string status = "/proc/self/status";
        if (System.IO.File.Exists(status))
        {
            var line = System.IO.File.ReadLines(status)
                .FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
            {
                var kilobytes = double.Parse(
                    line["VmHWM:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal),
                    System.Globalization.CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    // Clock, GC pauses, collections and allocations since Start.
    private readonly record struct Meter(
        long Ticks, TimeSpan Pause, int Gen0, int Gen1, int Gen2, long Allocated, TimeSpan Cpu)
    {
        public static Meter Start() => new(
            Stopwatch.GetTimestamp(),
            GC.GetTotalPauseDuration(),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalAllocatedBytes(precise: false),
            Process.GetCurrentProcess().TotalProcessorTime);

        public EpochCost Stop() => new(
            Stopwatch.GetElapsedTime(Ticks).TotalSeconds,
            (GC.GetTotalPauseDuration() - Pause).TotalSeconds,
            GC.CollectionCount(0) - Gen0,
            GC.CollectionCount(1) - Gen1,
            GC.CollectionCount(2) - Gen2,
            (GC.GetTotalAllocatedBytes(precise: false) - Allocated) / 1e6,
            (Process.GetCurrentProcess().TotalProcessorTime - Cpu).TotalSeconds);
    }
}
