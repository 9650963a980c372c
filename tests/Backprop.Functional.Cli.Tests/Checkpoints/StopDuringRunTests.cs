using System;
using System.IO;
using System.Linq;
using System.Threading;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// Ctrl-C at any moment of a run prints one <c>stopped:</c> line that says what was saved: a
/// stop during a save, from the first byte of its content made, waits for the whole save;
/// between saves, it names the last file saved, or says that none was. A checkpoint directory
/// that the run made and saved nothing in is removed on the way out, however the run ends.
/// </summary>
[Collection(CheckpointHook.Name)]
public sealed class StopDuringRunTests
{
    [Theory]
    [InlineData("checkpoint")]
    [InlineData("model")]
    [InlineData("model and plot")]
    public void A_stop_early_in_a_save_waits_for_all_of_it(string save)
    {
        // Given a run, and the paths of the save a stop signal comes at
        using var dir = new Commands.TempDirectory();
        var (run, model, plot) = (dir.File("run"), dir.File("m.json"), dir.File("p.png"));
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var paths = save switch
        {
            "checkpoint" => checkpoint,
            "model" => model,
            _ => $"{model}, {plot}",
        };
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        var stop = new Thread(() => handler.Stop());
        var returnedInside = true;
        AtomicFile.Saving = saving =>
        {
            // When the signal comes as the save begins, before its content is made
            if (saving == paths && stop.ThreadState == ThreadState.Unstarted)
            {
                stop.Start();
                Assert.True(SpinWait.SpinUntil(() => Waiting(stop), 10_000));
                returnedInside = stop.Join(0);
            }
        };
        CliResult result;
        try
        {
            result = Commands.Cli.Run(
            [
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "1", "--checkpoint", run, "--out", model,
                .. save == "model and plot" ? new[] { "--plot", plot } : [],
            ]);
        }
        finally
        {
            AtomicFile.Saving = null;
        }

        // Then the stop returned (letting the process end) only once the files were written,
        // and its one line says so
        stop.Join();
        result.AssertSucceeded();
        Assert.False(returnedInside);
        Assert.Equal(
            $"stopped: the write of {paths} that was under way finished first"
            + Environment.NewLine,
            error.ToString());
        Assert.All(paths.Split(", "), path => Assert.True(File.Exists(path)));
    }

    [LinuxFact]
    public void A_stop_during_a_save_whose_directory_is_moved_says_where_the_file_went()
    {
        // Given a run whose model directory is moved away, and another made in its place, as
        // the model's save begins, and a stop signal then
        using var dir = new Commands.TempDirectory();
        var (od, moved) = (dir.File("od"), dir.File("od.moved"));
        Directory.CreateDirectory(od);
        var model = Path.Combine(od, "m.json");
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        var stop = new Thread(() => handler.Stop());
        AtomicFile.Saving = saving =>
        {
            if (saving == model && stop.ThreadState == ThreadState.Unstarted)
            {
                Directory.Move(od, moved);
                Directory.CreateDirectory(od);
                stop.Start();
                Assert.True(SpinWait.SpinUntil(() => Waiting(stop), 10_000));
            }
        };
        try
        {
            Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "1", "--out", model).AssertSucceeded();
        }
        finally
        {
            AtomicFile.Saving = null;
        }

        // Then its line says the model went to what was that directory
        stop.Join();
        Assert.Equal(
            $"stopped: the write of {model} that was under way finished first, in what was the "
            + $"directory {od} as the save began (moved or replaced during it)"
            + Environment.NewLine,
            error.ToString());
        Assert.True(File.Exists(Path.Combine(moved, "m.json")));
        Assert.Empty(Directory.GetFileSystemEntries(od));
    }

    [Fact]
    public void A_stop_during_the_last_checkpoint_lets_no_later_save_begin()
    {
        // Given a run whose process begins to stop while its last checkpoint is saved (the
        // stop's line names only that save, and ends the process once it is done)
        using var dir = new Commands.TempDirectory();
        var (run, model, plot) = (dir.File("run"), dir.File("m.json"), dir.File("p.png"));
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var test = Thread.CurrentThread;
        var begun = false;
        AtomicFile.StopBegun = () => Thread.CurrentThread == test && begun;
        AtomicFile.Saving = saving => begun |= Thread.CurrentThread == test && saving == checkpoint;
        CliResult result;
        try
        {
            result = Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "1", "--checkpoint", run, "--out", model, "--plot", plot);
        }
        finally
        {
            AtomicFile.Saving = null;
            AtomicFile.StopBegun = StopSignals.Stopping;
        }

        // Then that checkpoint was written whole, and the model and the plot did not begin
        // (with no handler to end the process here, their save fails instead of waiting)
        Assert.True(begun);
        Assert.Equal(["checkpoint.json"], Directory.GetFiles(run).Select(Path.GetFileName));
        Assert.EndsWith("}\n", File.ReadAllText(checkpoint), StringComparison.Ordinal);
        Assert.False(File.Exists(model) || File.Exists(plot));
        Assert.EndsWith("a stop signal came before it began", result.AssertOneErrorLine(1));
    }

    [LinuxFact]
    public void A_stop_between_saves_says_what_was_saved_and_removes_the_empty_directory()
    {
        // Given a run that makes its checkpoint directory, in a process that has saved nothing
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var lines = new System.Collections.Generic.List<string>();
        var existed = new System.Collections.Generic.List<bool>();
        AtomicFile.LastWritten = null;
        CheckpointClaim.Keeping = _ =>
        {
            // When a stop signal comes before each save, with none under way
            using var error = new StringWriter();
            new StopSignals.Handler(error).Stop();
            lines.Add(error.ToString());
            existed.Add(Directory.Exists(run));
        };
        try
        {
            Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "2", "--checkpoint", run, "--out", dir.File("m.json"))
                .AssertSucceeded();
        }
        finally
        {
            CheckpointClaim.Keeping = null;
        }

        // Then the first says nothing was saved, and the empty directory the run made is
        // gone; the second names the checkpoint, which stays
        var nl = Environment.NewLine;
        Assert.Equal(
            [
                "stopped: no save was under way, and nothing was saved" + nl,
                $"stopped: no save was under way; the last saved was {checkpoint}" + nl,
            ],
            lines);
        Assert.Equal([false, true], existed);
    }

    [LinuxTheory]
    [InlineData("made")]
    [InlineData("there before")]
    [InlineData("replaced")]
    [InlineData("linked")]
    public void A_run_that_fails_before_its_first_save_removes_only_the_empty_directory_it_made(
        string directory)
    {
        // Given a run that fails before its first save, in a directory it makes, one there
        // before it, or one it made and that another directory, or a link to the one made
        // (moved away), has taken the place of
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        if (directory == "there before")
        {
            Directory.CreateDirectory(run);
        }

        CheckpointClaim.Keeping = _ =>
        {
            if (directory is "replaced" or "linked")
            {
                Directory.Move(run, dir.File("run.old"));
                if (directory == "linked")
                {
                    Directory.CreateSymbolicLink(run, "run.old");
                }
                else
                {
                    Directory.CreateDirectory(run);
                }
            }

            throw Cli.Shell.CommandFailure.Failed("the run fails here");
        };
        CliResult result;
        try
        {
            result = Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "2", "--checkpoint", run, "--out", dir.File("m.json"));
        }
        finally
        {
            CheckpointClaim.Keeping = null;
        }

        // Then only the directory the run made, still empty and still there, is removed;
        // never a link
        Assert.Equal("error: the run fails here", result.AssertOneErrorLine(1));
        Assert.Equal(directory != "made", Directory.Exists(run));
        Assert.Equal(directory == "linked", Cli.Data.PosixPaths.IsLink(run));
        Assert.Equal(directory is "replaced" or "linked", Directory.Exists(dir.File("run.old")));
    }

    [LinuxFact]
    public void A_link_put_in_place_of_the_directory_the_run_made_stays_when_the_run_ends()
    {
        // Given a run whose checkpoint directory, made by the run, is moved and a link to it
        // put in its place as the last checkpoint is saved
        using var dir = new Commands.TempDirectory();
        var (run, moved) = (dir.File("run"), dir.File("run.moved"));
        AtomicFile.Saving = saving =>
        {
            if (saving == Path.Combine(run, "checkpoint.json"))
            {
                Directory.Move(run, moved);
                Directory.CreateSymbolicLink(run, "run.moved");
            }
        };
        try
        {
            Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "1", "--checkpoint", run, "--out", dir.File("m.json"))
                .AssertSucceeded();
        }
        finally
        {
            AtomicFile.Saving = null;
        }

        // Then the link is left, leading to the checkpoint
        Assert.True(Cli.Data.PosixPaths.IsLink(run));
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.json")));
        Assert.True(File.Exists(Path.Combine(moved, "checkpoint.json")));
    }

    // Blocked (on the save's lock), or already done.
    private static bool Waiting(Thread thread) =>
        (thread.ThreadState & (ThreadState.WaitSleepJoin | ThreadState.Stopped)) != 0;
}
