using System;
using System.IO;
using System.Linq;
using System.Threading;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// Stop signals during a save, each handled on a thread of its own as the runtime does: every
/// handler returns (and so lets the process end) only once the save is done, and the
/// <c>stopped:</c> line is printed once, however many signals came.
/// </summary>
[Collection(Checkpoints.CheckpointHook.Name)]
public sealed class StopHandlerTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Signals_during_a_save_wait_for_it_and_say_so_in_one_line(int signals)
    {
        // Given a save under way: its bytes on disk, the rename not yet done
        using var dir = new TempDirectory();
        var target = dir.File("model.json");
        File.WriteAllText(target, "old");
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        var threads = Enumerable.Range(0, signals)
            .Select(_ => new Thread(() => handler.Stop()))
            .ToArray();
        var returnedInside = true;
        AtomicFile.Written = temporary =>
        {
            if (Path.GetDirectoryName(temporary) != dir.Path)
            {
                return;
            }

            // When the signals come here, each handler waiting by the time the save goes on
            Array.ForEach(threads, t => t.Start());
            Assert.True(SpinWait.SpinUntil(() => threads.All(Waiting), 10_000));
            returnedInside = threads.Any(t => t.Join(0));
        };
        try
        {
            FinAssert.Succeeds(AtomicFile.Write(target, "new"u8));
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then none returned before the save was done, and one line says it was waited for
        Array.ForEach(threads, t => t.Join());
        Assert.False(returnedInside);
        Assert.Equal(
            $"stopped: the write of {target} that was under way finished first"
            + Environment.NewLine,
            error.ToString());
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["model.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_signal_after_the_first_stop_prints_nothing_more()
    {
        // Given a stop that waited for one save and said so
        using var dir = new TempDirectory();
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        var signals = new System.Collections.Concurrent.ConcurrentQueue<Thread>();
        AtomicFile.Written = temporary =>
        {
            if (Path.GetDirectoryName(temporary) == dir.Path)
            {
                var signal = new Thread(() => handler.Stop());
                signals.Enqueue(signal);
                signal.Start();
                Assert.True(SpinWait.SpinUntil(() => Waiting(signal), 10_000));
            }
        };
        try
        {
            FinAssert.Succeeds(AtomicFile.Write(dir.File("checkpoint.json"), "1"u8));

            // When another signal comes during a save after it
            FinAssert.Succeeds(AtomicFile.Write(dir.File("model.json"), "2"u8));
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then the first line is the only one
        Assert.Equal(2, signals.Count);
        Array.ForEach(signals.ToArray(), t => t.Join());
        Assert.Equal(
            $"stopped: the write of {dir.File("checkpoint.json")} that was under way finished "
            + "first" + Environment.NewLine,
            error.ToString());
    }

    [Fact]
    public void A_stop_during_a_save_that_fails_says_why()
    {
        // Given a save whose rename fails: a directory stands where the file goes
        using var dir = new TempDirectory();
        var target = dir.File("model.json");
        Directory.CreateDirectory(target);
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        var stop = new Thread(() => handler.Stop());
        AtomicFile.Written = temporary =>
        {
            // When a signal comes once its bytes are on disk
            if (Path.GetDirectoryName(temporary) == dir.Path)
            {
                stop.Start();
                Assert.True(SpinWait.SpinUntil(() => Waiting(stop), 10_000));
            }
        };
        try
        {
            Assert.True(AtomicFile.Write(target, "new"u8).IsFail);
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then the one line says that it failed, and why
        stop.Join();
        Assert.Equal(
            $"stopped: the write of {target} that was under way failed: cannot write {target}: "
            + "it is a directory" + Environment.NewLine,
            error.ToString());
    }

    // Blocked (on the save's lock or the handler's), or already done.
    private static bool Waiting(Thread thread) =>
        (thread.ThreadState & (ThreadState.WaitSleepJoin | ThreadState.Stopped)) != 0;
}
