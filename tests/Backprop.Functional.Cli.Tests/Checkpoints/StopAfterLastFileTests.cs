using System;
using System.IO;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Commands;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// Once a command has written its last file, a stop signal changes nothing: no
/// <c>stopped:</c> line, and the process is not ended by it (the command ends with its own exit
/// code); only a second signal then ends it, without a line. A stop that began before that
/// still ends the process.
/// </summary>
[Collection(CheckpointHook.Name)]
public sealed class StopAfterLastFileTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("make-sample")]
    public void A_signal_once_the_last_file_is_written_changes_nothing(string command)
    {
        // Given a command run with the process's stop handler in place
        using var dir = new Commands.TempDirectory();
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        StopSignals.Current = handler;
        CliResult result;
        try
        {
            result = command == "train"
                ? Commands.Cli.Run(
                    "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
                    "--epochs", "1", "--out", dir.File("m.json"))
                : Commands.Cli.Run(
                    "make-sample", "--out", dir.File("sample"), "--data", TinyData.Write(
                        dir.File("full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass));
        }
        finally
        {
            StopSignals.Current = null;
        }

        // When a signal comes after its last file is written, and then another
        var first = handler.Stop();
        var second = handler.Stop();

        // Then the first neither ends the process nor says anything; the second ends it
        // quietly
        result.AssertSucceeded();
        Assert.False(first);
        Assert.True(second);
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public void A_stop_that_began_before_the_command_finished_still_ends_the_process()
    {
        // Given a stop that has said what was saved
        using var error = new StringWriter();
        var handler = new StopSignals.Handler(error);
        Cli.Models.AtomicFile.LastWritten = null;
        Assert.True(handler.Stop());

        // When the command then finishes, and another signal comes
        var finished = handler.Finish();
        var again = handler.Stop();

        // Then the command is not let go on, and the line was printed once
        Assert.False(finished);
        Assert.True(again);
        Assert.Equal(
            "stopped: no save was under way, and nothing was saved" + Environment.NewLine,
            error.ToString());
    }
}
