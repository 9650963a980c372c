using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A standard output that cannot be written (closed, a pipe whose reader has exited, a full
/// device) ends the command with one line on stderr that says so, and exit code 1, where the
/// console alone would report "Access to the path is denied" or, for a pipe, nothing at all.
/// What was saved before the failed write stays.
/// </summary>
public sealed class StandardOutputTests
{
    // Scripts for /bin/sh that run the command ("$@") with standard output closed; writing
    // to a named pipe whose only reader has closed it (the pipe is opened for reading and
    // writing first, so that opening its write end does not wait); and to /dev/full.
    private const string Closed = "exec \"$@\" >&-";
    private const string NoReader =
        "mkfifo pipe && exec 3<>pipe 4>pipe 3<&- && rm pipe && exec \"$@\" >&4 4>&-";
    private const string Full = "exec \"$@\" >/dev/full";

    [LinuxTheory]
    [InlineData(Closed, "it is closed")]
    [InlineData(NoReader, "the pipe's reader has exited (broken pipe)")]
    [InlineData(Full, "No space left on device")]
    public void Train_stops_at_its_first_line_when_standard_output_cannot_be_written(
        string script, string reason)
    {
        // Given
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        // When
        var result = BuiltCommand.Run(
            script, dir.Path, "train", "--data", data, "--hidden", "2", "--epochs", "1",
            "--out", dir.File("m.json"));

        // Then: the first line of the report fails, before any training
        Assert.Equal(
            $"error: standard output cannot be written: {reason}", result.AssertOneErrorLine(1));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal(["data"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [LinuxTheory]
    [InlineData(Closed, "it is closed")]
    [InlineData(NoReader, "the pipe's reader has exited (broken pipe)")]
    public void A_model_saved_before_the_json_could_not_be_written_is_kept(
        string script, string reason)
    {
        // Given a run whose only write to standard output is its JSON, after the model
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("m.json");

        // When
        var result = BuiltCommand.Run(
            script, dir.Path, "train", "--data", data, "--hidden", "2", "--epochs", "1",
            "--out", model, "--json");

        // Then the lines for people, on stderr, end with the error, and the model is whole
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["model written to " + model, $"error: standard output cannot be written: {reason}"],
            result.ErrorLines[^2..]);
        Assert.Single(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Cli.Run("evaluate", "--model", model, "--data", data).AssertSucceeded();
    }

    [LinuxTheory]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("train|--help")]
    public void Help_and_version_say_that_standard_output_is_closed(string args)
    {
        using var dir = new TempDirectory();

        var result = BuiltCommand.Run(Closed, dir.Path, args.Split('|'));

        Assert.Equal(
            "error: standard output cannot be written: it is closed",
            result.AssertOneErrorLine(1));
    }
}
