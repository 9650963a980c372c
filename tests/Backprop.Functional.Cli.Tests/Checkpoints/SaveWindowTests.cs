using System;
using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// The --checkpoint directory changed during a save itself, between the temporary file and its
/// rename: the save goes through the directory the run holds, so the checkpoint lands there
/// whole, or the run ends with one line naming the directory; no temporary file is left
/// anywhere, and no model is written after a failed save.
/// </summary>
[Collection(CheckpointHook.Name)]
public sealed class SaveWindowTests
{
    [LinuxFact]
    public void A_directory_moved_away_during_a_save_takes_the_checkpoint_whole()
    {
        // Given a run whose directory is moved away, and another made in its place, once the
        // first checkpoint's bytes are on disk and before their rename
        using var dir = new Commands.TempDirectory();
        var (run, old) = (dir.File("run"), dir.File("run.old"));
        var result = RunSwapping(dir, run, () =>
        {
            Directory.Move(run, old);
            Directory.CreateDirectory(run);
        });

        // Then the checkpoint is in the directory the run held, alone, and the run stops at
        // its next save, before which it finds its path leads elsewhere
        Assert.Equal(
            ReplacedCheckpointDirectoryTests.NoLongerHeld(run, old),
            result.AssertOneErrorLine(1));
        Assert.Equal(["checkpoint.json"], Names(old));
        Assert.Empty(Directory.GetFileSystemEntries(run));
        var header = FinAssert.Succeeds(
            Cli.Checkpoints.CheckpointFile.ReadHeader(Path.Combine(old, "checkpoint.json")));
        Assert.Equal(1, header.Epoch);
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_directory_removed_during_a_save_and_made_again_is_named_as_given(bool relative)
    {
        // Given a run whose directory, given as an absolute path or relative to the current
        // directory, is removed with the temporary file in it, and another made in its place,
        // before the rename
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        var given = relative ? Path.GetRelativePath(Environment.CurrentDirectory, run) : run;
        var result = RunSwapping(dir, run, given, () =>
        {
            Directory.Delete(run, recursive: true);
            Directory.CreateDirectory(run);
        });

        // Then one line names the directory as given, and nothing is left in the new one
        Assert.Equal(relative, !Path.IsPathRooted(given));
        Assert.Equal(
            $"error: cannot write {Path.Combine(given, "checkpoint.json")}: the directory "
            + $"{given} was removed during the write, and another put in its place",
            result.AssertOneErrorLine(1));
        Assert.Empty(Directory.GetFileSystemEntries(run));
        Assert.Equal(["data", "run"], Names(dir.Path));
    }

    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_s_directory_moved_during_its_write_takes_the_file_whole(bool group)
    {
        // Given a model, alone or with a plot, being written in a directory that is moved
        // away, and another made in its place, once the first temporary file is on disk
        using var dir = new Commands.TempDirectory();
        var (models, old) = (dir.File("models"), dir.File("models.old"));
        var (model, plot) = (Path.Combine(models, "m.json"), Path.Combine(models, "p.png"));
        Directory.CreateDirectory(models);
        File.WriteAllText(model, "old");
        var moved = false;
        AtomicFile.Written = temporary =>
        {
            if (!moved && temporary.StartsWith(models + "/", StringComparison.Ordinal))
            {
                moved = true;
                Directory.Move(models, old);
                Directory.CreateDirectory(models);
            }
        };

        // When
        try
        {
            FinAssert.Succeeds(group
                ? AtomicFile.WriteAll((model, [2]), (plot, [3]))
                : AtomicFile.Write(model, [2]));
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then the write went on in the directory it began in, and nothing else is anywhere
        Assert.Equal(group ? ["m.json", "p.png"] : ["m.json"], Names(old));
        Assert.Equal([2], File.ReadAllBytes(Path.Combine(old, "m.json")));
        Assert.Empty(Directory.GetFileSystemEntries(models));
    }

    /// <summary>The names of what is in <paramref name="directory"/>, sorted.</summary>
    internal static string[] Names(string directory)
    {
        var names = Array.ConvertAll(
            Directory.GetFileSystemEntries(directory), e => Path.GetFileName(e)!);
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    // Trains three epochs with --checkpoint run, calling swap once the first checkpoint's
    // temporary file is written.
    private static CliResult RunSwapping(Commands.TempDirectory dir, string run, Action swap) =>
        RunSwapping(dir, run, run, swap);

    // As RunSwapping(dir, run, swap), with run given to --checkpoint as given.
    private static CliResult RunSwapping(
        Commands.TempDirectory dir, string run, string given, Action swap)
    {
        var swapped = false;
        AtomicFile.Written = temporary =>
        {
            if (!swapped && temporary.StartsWith(run + "/", StringComparison.Ordinal))
            {
                swapped = true;
                swap();
            }
        };

        try
        {
            return Commands.Cli.Run(
                "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                "--epochs", "3", "--checkpoint", given, "--out", dir.File("m.json"));
        }
        finally
        {
            AtomicFile.Written = null;
            Assert.True(swapped);
        }
    }
}
