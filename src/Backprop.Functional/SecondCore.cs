using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Backprop.Functional;

/// <summary>
/// One helper thread that runs half of a small product while the caller runs the other half,
/// for the products that OpenBLAS would run on one thread. The caller's half and the helper's
/// half write disjoint parts of the result, so the result does not depend on which thread ran
/// which half, nor on whether there was a second core at all.
/// </summary>
/// <remarks>
/// The helper spins for <see cref="SpinTime"/> after each job, since a training step posts the
/// next one within microseconds, and then sleeps until posted to. A caller that finishes its
/// half before the helper has started the other runs that one too, so a busy machine, where
/// the helper may not get a core in time, costs no more than one thread would. Only one caller
/// at a time uses the helper; a caller that finds it busy (another thread training at the same
/// time) runs both halves itself, one after the other.
/// </remarks>
internal static class SecondCore
{
    private static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(200);
    private static readonly bool Enabled = Environment.ProcessorCount > 1;
    private static readonly object Gate = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static Thread? worker;
    private static Action? job;
    private static Exception? failure;
    private static volatile bool posted;
    private static volatile bool done;
    private static int sleeping;
    private static int claimed;

    /// <summary>Whether every job runs on its caller's thread (for tests: one core).</summary>
    internal static bool Off { get; set; }

    /// <summary>Runs <paramref name="here"/> on this thread and <paramref name="there"/> on
    /// the helper, and returns when both have finished.</summary>
    public static void Run(Action here, Action there)
    {
        if (!Enabled || Off || !Monitor.TryEnter(Gate))
        {
            here();
            there();
            return;
        }

        try
        {
            worker ??= Start();
            (job, failure, done) = (there, null, false);
            Volatile.Write(ref claimed, 0);
            posted = true;
            if (Interlocked.Exchange(ref sleeping, 0) == 1)
            {
                Wake.Release();
            }

            var mine = Try(here);
            if (Interlocked.CompareExchange(ref claimed, 1, 0) == 0)
            {
                // The helper has not started it: run it here rather than wait for a core.
                mine ??= Try(there);
            }
            else
            {
                var wait = default(SpinWait);
                while (!done)
                {
                    wait.SpinOnce(sleep1Threshold: -1);
                }

                mine ??= failure;
            }

            if (mine is not null)
            {
                ExceptionDispatchInfo.Throw(mine);
            }
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static Exception? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static Thread Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "Backprop second core" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        while (true)
        {
            Await();
            posted = false;
            if (Interlocked.CompareExchange(ref claimed, 1, 0) != 0)
            {
                continue;
            }

            failure = Try(job!);
            done = true;
        }
    }

    // Spins until a job is posted; past the spin time, announces that it sleeps and sleeps.
    private static void Await()
    {
        var started = Stopwatch.GetTimestamp();
        while (!posted)
        {
            if (Stopwatch.GetElapsedTime(started) < SpinTime)
            {
                Thread.SpinWait(20);
                continue;
            }

            Interlocked.Exchange(ref sleeping, 1);
            if (!posted || Interlocked.Exchange(ref sleeping, 0) == 0)
            {
                // The poster has taken the flag and releases (or will): consume that release.
                Wake.Wait();
            }

            return;
        }
    }
}
