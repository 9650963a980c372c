using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Running;

namespace Backprop.Functional.Benchmarks;

/// <summary>
/// The benchmark program. <c>micro</c> runs the BenchmarkDotNet benchmarks of Forward,
/// Backward and Update per layer and batch size (further arguments go to BenchmarkDotNet);
/// <c>epochs</c> trains every configuration for whole epochs against the numpy and PyTorch
/// peers in the same run and prints the table; <c>run</c> is one configuration in this process,
/// which <c>epochs</c> starts as a child; <c>phases</c> shows where a step's time goes.
/// </summary>
public static class Program
{
    private const string Usage = """
        usage:
          micro [BenchmarkDotNet arguments]       Forward, Backward and Update per layer size
          epochs --data DIR [--peers DIR] [--configs C1-f64,C2-f64,C2-f32,C3-f32]
                 [--epochs 5] [--managed-epochs 0] [--max-busy 0.15] [--max-wait 10]
                 [--blas-threads 2] [--torch-threads 1] [--repeat 1] [--out FILE]
          run --config NAME --data DIR [--epochs 5] [--backend openblas|managed] --out FILE
          phases --config NAME --data DIR [--epochs 3]   median µs a step per phase, products
        --data defaults to $FMNIST_DIR and --peers to $BACKPROP_PEERS_DIR; without peers only
        this library is timed. Before each run, epochs waits up to --max-wait minutes until
        fewer than --max-busy CPUs are busy with other processes; with --repeat N it runs
        ours and the peers N times, interleaved, and keeps the fastest run of each.
        """;

    /// <summary>Runs the mode named by the first argument.</summary>
    /// <returns>0 on success, 2 for bad arguments.</returns>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            return args[0] switch
            {
                "micro" => Micro(args[1..]),
                "epochs" => EpochsCommand.Run(Options.Parse(args[1..]), Console.Out),
                "run" => RunOne(Options.Parse(args[1..])),
                "phases" => Phases(Options.Parse(args[1..])),
                _ => throw new ArgumentException($"unknown mode '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static int Micro(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    // Where one configuration's epoch time goes, phase by phase.
    private static int Phases(Options options)
    {
        PhaseRun.Run(
            EpochConfig.Named(options.Required("--config")),
            options.Data(),
            options.Integer("--epochs", 3));
        return 0;
    }

    // One configuration in this process; the result goes to --out as JSON.
    private static int RunOne(Options options)
    {
        var backend = options.Value("--backend", "openblas");
        Backends.Use(backend == "managed" ? Backend.Managed : Backend.OpenBlas);
        var result = EpochRun.Run(
            EpochConfig.Named(options.Required("--config")),
            options.Data(),
            options.Integer("--epochs", 5));
        foreach (var (cost, e) in result.Epochs.Select((c, i) => (c, i + 1)))
        {
            var gc = cost.GcPauseSeconds * 1e3;
            Console.WriteLine($"epoch {e}: {cost.Seconds:F3} s, GC {gc:F1} ms");
        }

        File.WriteAllText(options.Required("--out"), JsonSerializer.Serialize(result));
        return 0;
    }
}

/// <summary>The command line after the mode: --name value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values;

    private Options(Dictionary<string, string> values) => _values = values;

    /// <summary>Reads "--name value" pairs.</summary>
    /// <exception cref="ArgumentException">An argument is not such a pair.</exception>
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            values[args[i]] = args[i + 1];
        }

        return new Options(values);
    }

    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string Value(string name, string fallback) =>
        _values.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>The value of <paramref name="name"/>, or null.</summary>
    public string? Optional(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>The value of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">It was not given.</exception>
    public string Required(string name) =>
        Optional(name) ?? throw new ArgumentException($"{name} is required");

    /// <summary>A whole-number option.</summary>
    public int Integer(string name, int fallback) =>
        Optional(name) is { } text ? int.Parse(text, Invariant) : fallback;

    /// <summary>A number option.</summary>
    public double Number(string name, double fallback) =>
        Optional(name) is { } text ? double.Parse(text, Invariant) : fallback;

    private static System.Globalization.CultureInfo Invariant =>
        System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>The Fashion-MNIST directory: --data, else $FMNIST_DIR (the peers' variable).</summary>
    public string Data() =>
        Optional("--data") ?? Environment.GetEnvironmentVariable("FMNIST_DIR")
        ?? throw new ArgumentException("--data DIR (or FMNIST_DIR) is required");

    /// <summary>The peers' directory: --peers, else $BACKPROP_PEERS_DIR, else none.</summary>
    public string? Peers() =>
        Optional("--peers") ?? Environment.GetEnvironmentVariable("BACKPROP_PEERS_DIR");
}
