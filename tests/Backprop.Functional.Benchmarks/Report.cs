using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Backprop.Functional.Benchmarks;

/// <summary>The Markdown table of an <c>epochs</c> run, and the goals it meets or misses.</summary>
internal static class Report
{
    // The issue's goals: epoch time over batched numpy's, per configuration.
    private static readonly Dictionary<string, double> Goals = new()
    {
        ["C1-f64"] = 0.5,
        ["C2-f64"] = 0.8,
        ["C2-f32"] = 0.8,
        ["C3-f32"] = 1.0,
    };

    /// <summary>Prints the table and the goals to <paramref name="log"/>.</summary>
    public static void Print(IReadOnlyList<Row> rows, double sgemmPeak, int samples, TextWriter log)
    {
        log.WriteLine();
        log.WriteLine("| config | ours s | numpy s | torch s | ours/numpy | ours/torch | "
            + "GFLOP/s ours | GFLOP/s numpy | GC share | peak MB ours / numpy | "
            + "inference s ours / numpy | test acc ours / numpy | managed s | "
            + "other load ours / numpy |");
        log.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var ours = r.Ours.Json.GetProperty("MedianSeconds").GetDouble();
            var numpy = Peer(r.Numpy, "epoch_median_s");
            var torch = Peer(r.Torch, "epoch_median_s");
            var flops = r.Config.FlopsPerEpoch(samples);
            var managed = r.Managed?.Json.GetProperty("MedianSeconds").GetDouble() ?? double.NaN;
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Config.Name} | {ours:F3} | {numpy:F3} | {torch:F3} | {ours / numpy:F2} | "
                + $"{ours / torch:F2} | {flops / ours / 1e9:F0} | {flops / numpy / 1e9:F0} | "
                + $"{r.Ours.Json.GetProperty("GcShare").GetDouble() * 100:F1}% | "
                + $"{r.Ours.PeakMegabytes:F0} / {r.Numpy?.PeakMegabytes ?? double.NaN:F0} | "
                + $"{r.Ours.Json.GetProperty("InferenceSeconds").GetDouble():F3} / "
                + $"{Peer(r.Numpy, "infer_10k_b1000_s"):F3} | "
                + $"{r.Ours.Json.GetProperty("TestAccuracy").GetDouble():F4} / "
                + $"{Peer(r.Numpy, "test_acc_final"):F4} | "
                + $"{managed:F2} | "
                + $"{r.Ours.ForeignLoad:F2} / {r.Numpy?.ForeignLoad ?? double.NaN:F2} |"));
        }

        log.WriteLine();
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"float32 GEMM peak (numpy, OpenBLAS): {sgemmPeak:F0} GFLOP/s"));
        foreach (var r in rows.Where(r => r.Numpy is not null))
        {
            var ratio = r.Ours.Json.GetProperty("MedianSeconds").GetDouble()
                / Peer(r.Numpy, "epoch_median_s");
            var goal = Goals.GetValueOrDefault(r.Config.Name, 1.0);
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"goal {r.Config.Name} ≤ {goal:F1}× numpy: {ratio:F2}× "
                + $"{(ratio <= goal ? "met" : "missed")}"));
        }

        if (rows.FirstOrDefault(r => r.Config.Name == "C3-f32") is { } c3)
        {
            var gflops = c3.Config.FlopsPerEpoch(samples)
                / c3.Ours.Json.GetProperty("MedianSeconds").GetDouble() / 1e9;
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"goal C3-f32 ≥ 85% of the sgemm peak: {gflops / sgemmPeak * 100:F0}% "
                + $"{(gflops >= 0.85 * sgemmPeak ? "met" : "missed")}"));
        }
    }

    private static double Peer(ChildResult? result, string property) =>
        result is not null && result.Json.TryGetProperty(property, out var value)
            ? value.GetDouble()
            : double.NaN;
}
