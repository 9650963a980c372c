using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A current directory removed from under the command (by another shell, say): the runtime can
/// no longer tell its path, and a relative path would fail with "Unable to find the specified
/// file", which names no file. A command given one there is refused with exit code 2, naming
/// the option and the path, before anything is read or written; one whose paths are all
/// absolute runs; and a relative output met after the directory went during a run says so.
/// These run the built command in a directory of their own, which they remove.
/// </summary>
public sealed class RemovedCurrentDirectoryTests
{
    [UnixTheory]
    [InlineData("--out", "model.json", "train", "--epochs", "1", "--hidden", "4")]
    [InlineData("--out", "m.json", "train", "--epochs", "1", "--hidden", "4", "--out", "m.json")]
    [InlineData("--plot", "p.png", "train", "--out", "ABS/m.json", "--plot", "p.png")]
    [InlineData("--model", "model.json", "evaluate", "--model", "model.json")]
    [InlineData("--data", "d", "make-sample", "--data", "d", "--out", "ABS/sample")]
    public void A_relative_path_in_a_removed_current_directory_is_refused(
        string option, string path, params string[] args)
    {
        // Given a directory removed after the command was started in it
        using var dir = new TempDirectory();

        // When
        var (code, stdout, stderr) = RunIn(dir, removeFirst: true, Absolute(dir, args));

        // Then
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(
            $"error: {option} names a path relative to the current directory, which no longer "
            + $"exists, got '{path}'; give an absolute path or run from another directory\n",
            stderr);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [UnixFact]
    public void A_command_with_absolute_paths_runs_there()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var (code, _, stderr) = RunIn(
            dir,
            removeFirst: true,
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"));

        Assert.Equal(string.Empty, stderr);
        Assert.Equal(0, code);
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [UnixTheory]
    [InlineData("train", "--help")]
    [InlineData("--version")]
    public void Help_and_version_still_answer_there(params string[] args)
    {
        // train's --out has a relative default, model.json, which its help names and uses not
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = RunIn(dir, removeFirst: true, args);

        Assert.Equal(0, code);
        Assert.NotEqual(string.Empty, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    // The model and the plot, written at the end; and a checkpoint, saved after every epoch,
    // whose next save would make ck again: each fails in the same words, whichever of the
    // making of ck and the write meets the removal first.
    [UnixTheory]
    [InlineData(
        "--plot|p.png",
        "cannot write m.json: the current directory no longer exists; neither m.json nor p.png "
            + "was written")]
    [InlineData(
        "--checkpoint|ck",
        "cannot write ck/checkpoint.json: the current directory no longer exists")]
    public void A_relative_output_after_the_directory_went_during_the_run_says_so(
        string outputs, string error)
    {
        // Given a run whose epochs take a second or so, in a directory that is removed with all
        // in it once the first epoch's line is out
        using var dir = new TempDirectory();

        // When
        var (code, stdout, stderr) = RunIn(
            dir,
            removeFirst: false,
            [
                "train", "--hidden", "1024", "--epochs", "5", "--out", "m.json",
                .. outputs.Split('|'),
            ]);

        // Then nothing is written, and the line says why
        Assert.Contains("epoch 1/5", stdout, StringComparison.Ordinal);
        Assert.Equal($"error: {error}\n", stderr);
        Assert.Equal(1, code);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    // ABS in an argument stands for the test's directory.
    private static string[] Absolute(TempDirectory dir, string[] args) =>
        args.Select(a => a.Replace("ABS", dir.Path, StringComparison.Ordinal)).ToArray();

    // Runs the built command (dotnet backprop.dll ARGS) in DIR/gone, which a shell removes
    // after changing into it and before starting the command, or which is removed with all
    // in it once the command's first epoch line is out: its exit code and what it wrote to
    // stdout and stderr.
    private static (int Code, string Out, string Error) RunIn(
        TempDirectory dir, bool removeFirst, params string[] args)
    {
        var gone = Directory.CreateDirectory(dir.File("gone")).FullName;
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var remove = removeFirst ? " && rmdir \"$1\"" : string.Empty;
        string[] command =
        [
            "-c", $"cd \"$1\"{remove} || exit 99; shift; exec \"$@\"", "sh", gone, "dotnet",
            Path.Combine(AppContext.BaseDirectory, "backprop.dll"), .. args,
        ];
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var lines = new StringBuilder();
        var epoch = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Append(e.Data).Append('\n');
            }

            if (e.Data.StartsWith("epoch 1/", StringComparison.Ordinal))
            {
                epoch.TrySetResult();
            }
        };
        process.Start();
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        if (!removeFirst && epoch.Task.Wait(TimeSpan.FromMinutes(1)))
        {
            Directory.Delete(gone, recursive: true);
        }

        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "still running after 2 minutes");
        process.WaitForExit();
        lock (lines)
        {
            return (process.ExitCode, lines.ToString(), stderr.Result);
        }
    }
}
