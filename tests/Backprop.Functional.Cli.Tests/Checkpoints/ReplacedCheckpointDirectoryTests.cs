using System;
using System.IO;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// The --checkpoint path made to lead to another directory while its run goes on (the
/// directory moved away and another made in its place, or a link re-pointed): the run saves
/// nothing there, where another run may hold the directory, and ends with one line, its last
/// checkpoint left in the directory it held and no model written. A directory removed is made
/// again and held.
/// </summary>
[Collection(CheckpointHook.Name)]
public sealed class ReplacedCheckpointDirectoryTests
{
    [LinuxFact]
    public void A_directory_moved_away_and_made_again_ends_the_run_before_its_next_save()
    {
        // Given a run whose directory is moved away after its first save, and a new one made
        using var dir = new Commands.TempDirectory();
        var (run, old) = (dir.File("run"), dir.File("run.old"));
        var result = RunChanging(dir, run, () =>
        {
            Directory.Move(run, old);
            Directory.CreateDirectory(run);
        });

        // Then
        Assert.Equal(NoLongerHeld(run), result.AssertOneErrorLine(1));
        Assert.Empty(Directory.GetFileSystemEntries(run));
        Assert.True(File.Exists(Path.Combine(old, "checkpoint.json")));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [LinuxFact]
    public void A_link_re_pointed_ends_the_run_before_its_next_save()
    {
        // Given a run whose --checkpoint is a link, re-pointed after its first save
        using var dir = new Commands.TempDirectory();
        var (first, second, link) = (dir.File("a"), dir.File("b"), dir.File("link"));
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        Directory.CreateSymbolicLink(link, first);
        var result = RunChanging(dir, link, () =>
        {
            File.Delete(link);
            Directory.CreateSymbolicLink(link, second);
        });

        // Then
        Assert.Equal(NoLongerHeld(link), result.AssertOneErrorLine(1));
        Assert.Empty(Directory.GetFileSystemEntries(second));
        Assert.True(File.Exists(Path.Combine(first, "checkpoint.json")));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [LinuxFact]
    public void A_directory_removed_is_made_again_and_held()
    {
        // Given a run whose directory is removed after its first save
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        var saves = 0;
        bool? busyAfter = null;
        CheckpointClaim.Keeping = _ =>
        {
            saves++;
            if (saves == 2)
            {
                Directory.Delete(run, recursive: true);
            }
            else if (saves == 3)
            {
                // Then the directory made again is held by the run, as the first was
                using var other = CheckpointClaim.DirectoryLock.Take(run, out var busy);
                busyAfter = busy;
            }
        };

        CliResult result;
        try
        {
            result = Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "3", "--checkpoint", run, "--out", dir.File("m.json"));
        }
        finally
        {
            CheckpointClaim.Keeping = null;
        }

        result.AssertSucceeded();
        Assert.True(busyAfter);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.json")));
    }

    /// <summary>
    /// The error line of a run whose --checkpoint <paramref name="directory"/> no longer leads
    /// to the directory it holds when it is about to save.
    /// </summary>
    internal static string NoLongerHeld(string directory) =>
        $"error: cannot save {Path.Combine(directory, "checkpoint.json")}: {directory} is no "
        + "longer the directory this run holds (moved, replaced or re-pointed during the run); "
        + "its last checkpoint stays in the one it holds, unless that was removed";

    // Trains three epochs, changing the directory with change before the second save.
    private static CliResult RunChanging(Commands.TempDirectory dir, string run, Action change)
    {
        var saves = 0;
        CheckpointClaim.Keeping = _ =>
        {
            if (++saves == 2)
            {
                change();
            }
        };

        try
        {
            return Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "3", "--checkpoint", run, "--out", dir.File("m.json"));
        }
        finally
        {
            CheckpointClaim.Keeping = null;
        }
    }
}
