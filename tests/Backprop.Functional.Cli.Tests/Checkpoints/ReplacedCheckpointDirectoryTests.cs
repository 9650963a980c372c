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
    private const string Kept = "its last checkpoint stays in the one it holds";

    private const string Unknown = Kept + ", unless that was removed";

    private const string Removed = "the one it holds was removed, and its last checkpoint with it";

    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_directory_moved_away_and_made_again_ends_the_run_before_its_next_save(
        bool relative)
    {
        // Given a run whose directory, given as an absolute path or relative to the current
        // directory, is moved away after its first save, and a new one made
        using var dir = new Commands.TempDirectory();
        var (run, old) = (dir.File("run"), dir.File("run.old"));
        var result = RunChanging(dir, relative ? Relative(run) : run, () =>
        {
            Directory.Move(run, old);
            Directory.CreateDirectory(run);
        });

        // Then the line says where the directory it held is now, named as the path was given
        Assert.Equal(
            NoLongerHeld(relative ? Relative(run) : run, relative ? Relative(old) : old),
            result.AssertOneErrorLine(1));
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

        // Then the directory it holds is where the link led
        Assert.Equal(NoLongerHeld(link, first), result.AssertOneErrorLine(1));
        Assert.Empty(Directory.GetFileSystemEntries(second));
        Assert.True(File.Exists(Path.Combine(first, "checkpoint.json")));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [LinuxFact]
    public void A_directory_removed_and_made_again_by_another_is_named_as_removed()
    {
        // Given a run whose directory is removed after its first save, checkpoint and all,
        // and another made in its place
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        var result = RunChanging(dir, run, () =>
        {
            Directory.Delete(run, recursive: true);
            Directory.CreateDirectory(run);
        });

        // Then the line says that the directory it held is gone, and its checkpoint with it
        Assert.Equal(
            $"error: cannot save {Path.Combine(run, "checkpoint.json")}: {run} is no longer the "
            + "directory this run holds (moved, replaced or re-pointed during the run); the one "
            + "it holds was removed, and its last checkpoint with it",
            result.AssertOneErrorLine(1));
        Assert.Empty(Directory.GetFileSystemEntries(run));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    // Where the directory held cannot be found (no link to read, or one that leads elsewhere,
    // as it does for a directory outside the process's view), the line says no more.
    [Theory]
    [InlineData(null, false, "run", Unknown)]
    [InlineData("/elsewhere", false, "run", Unknown)]
    [InlineData("/a/run (deleted)", false, "/a/run", Removed)]
    [InlineData("/a/run.old", true, "/a/run", Kept + ", now at /a/run.old")]
    public void The_line_says_where_the_held_directory_is_only_when_its_link_leads_there(
        string? link, bool found, string given, string expected) =>
        Assert.Equal(expected, CheckpointClaim.Whereabouts(link, found, given));

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
    internal static string NoLongerHeld(string directory, string now) =>
        $"error: cannot save {Path.Combine(directory, "checkpoint.json")}: {directory} is no "
        + "longer the directory this run holds (moved, replaced or re-pointed during the run); "
        + $"its last checkpoint stays in the one it holds, now at {now}";

    // An absolute path relative to the current directory, as a person might give it.
    private static string Relative(string path) =>
        Path.GetRelativePath(Environment.CurrentDirectory, path);

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
