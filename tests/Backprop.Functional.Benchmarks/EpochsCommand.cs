using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Backprop.Functional.Benchmarks;

/// <summary>
/// <c>epochs</c>: for each configuration, this library (one child process) and then the
/// batched-numpy and PyTorch peers (one child each), one at a time on a quiet machine; then the
/// table of median epoch seconds (epochs 2 and later) and their ratios.
/// </summary>
internal static class EpochsCommand
{
    private const int Samples = 60_000;

    /// <summary>Runs the comparison and prints the table to <paramref name="log"/>.</summary>
    public static int Run(Options options, TextWriter log)
    {
        var all = string.Join(',', EpochConfig.All.Select(c => c.Name));
        var configs = options.Value("--configs", all)
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(EpochConfig.Named).ToList();
        var epochs = options.Integer("--epochs", 5);
        var managedEpochs = options.Integer("--managed-epochs", 0);
        var quiet = (options.Number("--max-busy", 0.15),
            TimeSpan.FromMinutes(options.Number("--max-wait", 10)));
        var data = options.Data();
        var peers = options.Peers();
        var scratch = Directory.CreateTempSubdirectory("backprop-bench-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["OPENBLAS_NUM_THREADS"] = options.Value("--blas-threads", "2"),
            ["FMNIST_DIR"] = data,
        };

        // The peers run OpenBLAS's kernels by the same choice as this library: the one this
        // process's environment names, else the library's own (OpenBlasKernels).
        var kernels = Environment.GetEnvironmentVariable(OpenBlasKernels.Variable)
            ?? OpenBlasKernels.ForThisCpu().IfNoneUnsafe((string?)null);
        if (kernels is not null)
        {
            environment[OpenBlasKernels.Variable] = kernels;
        }

        log.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        log.WriteLine($"OpenBLAS kernels for every run: {kernels ?? "OpenBLAS's own choice"}");
        var rows = new List<Row>();
        var sgemmPeak = peers is null
            ? double.NaN
            : SgemmPeak(peers, environment, scratch, quiet, log);
        var repeats = options.Integer("--repeat", 1);
        var torchThreads = options.Value("--torch-threads", "1");
        foreach (var config in configs)
        {
            // Each repetition runs ours and the peers one after the other, so that a burst of
            // load elsewhere hits them alike; the fastest repetition of each is kept.
            log.WriteLine($"{config.Name}:");
            var runs = Enumerable.Range(0, repeats).Select(_ => (
                Ours: Ours(config, "openblas", epochs, data, environment, scratch, quiet, log),
                Numpy: peers is null
                    ? null
                    : Peer(peers, "numpy_seed.py", ["--variant", "batched"], config, epochs,
                        environment, scratch, quiet, log),
                Torch: peers is null
                    ? null
                    : Peer(peers, "torch_peer.py", ["--threads", torchThreads], config, epochs,
                        environment, scratch, quiet, log))).ToList();
            var managed = managedEpochs > 0
                ? Ours(config, "managed", managedEpochs, data, environment, scratch, quiet, log)
                : null;
            rows.Add(new Row(
                config,
                Fastest(runs.Select(r => r.Ours), "MedianSeconds")!,
                managed,
                Fastest(runs.Select(r => r.Numpy), "epoch_median_s"),
                Fastest(runs.Select(r => r.Torch), "epoch_median_s")));
        }

        Report.Print(rows, sgemmPeak, Samples, log);
        if (options.Optional("--out") is { } file)
        {
            File.WriteAllText(file, JsonSerializer.Serialize(new
            {
                SgemmPeakGflops = sgemmPeak,
                Rows = rows.Select(r => new
                {
                    r.Config.Name,
                    Ours = r.Ours.Json,
                    OursPeakMegabytes = r.Ours.PeakMegabytes,
                    OursForeignLoad = r.Ours.ForeignLoad,
                    Managed = r.Managed?.Json,
                    Numpy = r.Numpy?.Json,
                    NumpyPeakMegabytes = r.Numpy?.PeakMegabytes,
                    Torch = r.Torch?.Json,
                    TorchPeakMegabytes = r.Torch?.PeakMegabytes,
                }),
            }));
        }

        Directory.Delete(scratch, recursive: true);
        return 0;
    }

    private static ChildResult Ours(
        EpochConfig config,
        string backend,
        int epochs,
        string data,
        Dictionary<string, string> environment,
        string scratch,
        (double Busy, TimeSpan Wait) quiet,
        TextWriter log)
    {
        log.WriteLine($"  this library ({backend}):");
        var load = Processes.WaitQuiet(quiet.Busy, quiet.Wait, log);
        var output = Path.Combine(scratch, $"ours-{config.Name}-{backend}.json");
        var host = Environment.ProcessPath ?? "dotnet";
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            arguments.Add(typeof(Program).Assembly.Location);
        }

        arguments.AddRange(
        [
            "run", "--config", config.Name, "--data", data, "--epochs", Text(epochs),
            "--backend", backend, "--out", output,
        ]);
        return Processes.Run(host, arguments, Environment.CurrentDirectory, environment, output,
            load, log);
    }

    private static ChildResult Peer(
        string peers,
        string script,
        string[] flags,
        EpochConfig config,
        int epochs,
        Dictionary<string, string> environment,
        string scratch,
        (double Busy, TimeSpan Wait) quiet,
        TextWriter log)
    {
        log.WriteLine($"  {script} {string.Join(' ', flags)}:");
        var load = Processes.WaitQuiet(quiet.Busy, quiet.Wait, log);
        var output = Path.Combine(scratch, $"{Path.GetFileNameWithoutExtension(script)}-"
            + $"{config.Name}.json");
        string[] arguments =
        [
            script, .. flags, "--config", config.Peer, "--dtype", config.Precision,
            "--epochs", Text(epochs), "--out", output,
        ];
        return Processes.Run(Python, arguments, peers, PeerEnvironment(peers, environment),
            output, load, log);
    }

    // The float32 GEMM peak through numpy (OpenBLAS), the best median over the sizes tried.
    private static double SgemmPeak(
        string peers,
        Dictionary<string, string> environment,
        string scratch,
        (double Busy, TimeSpan Wait) quiet,
        TextWriter log)
    {
        log.WriteLine("GEMM peak (gemm_peak.py):");
        var output = Path.Combine(scratch, "gemm.json");
        var load = Processes.WaitQuiet(quiet.Busy, quiet.Wait, log);
        var result = Processes.Run(
            Python,
            [
                "gemm_peak.py", "--n", "1024,2048", "--threads",
                environment["OPENBLAS_NUM_THREADS"], "--skip-torch", "--out", output,
            ],
            peers,
            PeerEnvironment(peers, environment),
            output,
            load,
            log);
        return result.Json.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("dtype").GetString() == "float32")
            .Max(r => r.GetProperty("median_gflops").GetDouble());
    }

    private static string Python => "/usr/bin/python3";

    // The repetition with the shortest median epoch, or null when there were none.
    private static ChildResult? Fastest(IEnumerable<ChildResult?> runs, string seconds) =>
        runs.Where(r => r is not null)
            .MinBy(r => r!.Json.GetProperty(seconds).GetDouble());

    // The peers' own set-up: OpenBLAS unpacked beside them, when it is there, as their
    // harness's --blas openblas does.
    private static Dictionary<string, string> PeerEnvironment(
        string peers, Dictionary<string, string> environment)
    {
        var result = new Dictionary<string, string>(environment);
        var openBlas = Path.Combine(
            peers, ".deps", "openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
        if (Directory.Exists(openBlas))
        {
            result["LD_LIBRARY_PATH"] = openBlas;
        }

        return result;
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One configuration's results: ours, the managed fallback's, and the peers'.</summary>
internal sealed record Row(
    EpochConfig Config,
    ChildResult Ours,
    ChildResult? Managed,
    ChildResult? Numpy,
    ChildResult? Torch);
