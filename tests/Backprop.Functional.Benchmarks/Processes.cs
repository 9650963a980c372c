using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;

namespace Backprop.Functional.Benchmarks;

/// <summary>What a child process reported: its JSON result and its peak resident memory.</summary>
/// <param name="Json">The JSON object it wrote.</param>
/// <param name="PeakMegabytes">Its maximum resident set size, in MB, from /usr/bin/time.</param>
/// <param name="ForeignLoad">CPUs kept busy by other processes while it ran: the machine's busy
/// time over its run less the child's own processor time, over the run's length.</param>
internal sealed record ChildResult(JsonElement Json, double PeakMegabytes, double ForeignLoad);

/// <summary>
/// Runs the benchmark's children, ours and the peers', one at a time on a quiet machine, each
/// under /usr/bin/time so that their peak memory is measured the same way.
/// </summary>
internal static class Processes
{
    private const string TimeBinary = "/usr/bin/time";
    private const string PeakMarker = "BENCH_MAXRSS_KB=";
    private const string CpuMarker = "BENCH_CPU_S=";

    /// <summary>
    /// The CPUs kept busy by everything on the machine over <paramref name="seconds"/>, from
    /// /proc/stat, while this process sleeps; 0 where there is no /proc/stat.
    /// </summary>
    public static double BusyCpus(double seconds = 2.0)
    {
        var before = BusyTicks();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return (BusyTicks() - before) / 100.0 / seconds;
    }

    /// <summary>
    /// Waits until fewer than <paramref name="maxBusy"/> CPUs are busy, for at most
    /// <paramref name="maxWait"/>, and returns the last load seen.
    /// </summary>
    public static double WaitQuiet(double maxBusy, TimeSpan maxWait, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var busy = BusyCpus();
        while (busy > maxBusy && clock.Elapsed < maxWait)
        {
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture, $"  waiting: {busy:F2} CPUs busy elsewhere"));
            Thread.Sleep(TimeSpan.FromSeconds(5));
            busy = BusyCpus();
        }

        return busy;
    }

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> in
    /// <paramref name="directory"/>, its output shown on <paramref name="log"/>, and reads the
    /// JSON it wrote to <paramref name="resultFile"/>; <paramref name="foreignLoad"/> stands for
    /// the load during the run where /usr/bin/time is missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">It failed or wrote no result.</exception>
    public static ChildResult Run(
        string program,
        IReadOnlyList<string> arguments,
        string directory,
        IReadOnlyDictionary<string, string> environment,
        string resultFile,
        double foreignLoad,
        TextWriter log)
    {
        var info = new ProcessStartInfo(File.Exists(TimeBinary) ? TimeBinary : program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (File.Exists(TimeBinary))
        {
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add($"{PeakMarker}%M\n{CpuMarker}%U %S");
            info.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var peak = double.NaN;
        var cpu = double.NaN;
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Show(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(PeakMarker, StringComparison.Ordinal) == true)
            {
                var kilobytes = e.Data[PeakMarker.Length..];
                peak = double.Parse(kilobytes, CultureInfo.InvariantCulture) / 1024;
            }
            else if (e.Data?.StartsWith(CpuMarker, StringComparison.Ordinal) == true)
            {
                cpu = e.Data[CpuMarker.Length..].Split(' ')
                    .Sum(s => double.Parse(s, CultureInfo.InvariantCulture));
            }
            else
            {
                Show(e.Data);
            }
        };
        var (busy, clock) = (BusyTicks(), Stopwatch.StartNew());
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        var foreign = double.IsNaN(cpu)
            ? foreignLoad
            : Math.Max(0, (((BusyTicks() - busy) / 100.0) - cpu) / seconds);
        if (process.ExitCode != 0 || !File.Exists(resultFile))
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed "
                + $"(exit code {process.ExitCode})");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(resultFile));
        return new ChildResult(json.RootElement.Clone(), peak, foreign);

        void Show(string? line)
        {
            // The peers print their whole JSON result too; the per-epoch lines are enough here.
            if (line is not null && line.StartsWith("epoch", StringComparison.Ordinal))
            {
                log.WriteLine($"    {line}");
            }
        }
    }

    private static long BusyTicks()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat))
        {
            return 0;
        }

        // cpu user nice system idle iowait irq softirq steal: busy = user+nice+system+irq+softirq
        var fields = File.ReadLines(stat).First()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
    }
}
