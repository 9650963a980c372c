using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Shell;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// The stack trace that --debug adds after the error line is escaped as that line is: a path
/// in one of its messages with a line break, an escape or a bidirectional control in it shows
/// them as \n, \e and \u202e, within the line of its message, and nothing reaches the terminal
/// raw.
/// </summary>
public sealed class DebugTraceEscapeTests
{
    [Fact]
    public void The_trace_of_a_missing_model_shows_its_path_escaped()
    {
        // Given a model path with a line break, an escape and a right-to-left override in it
        using var dir = new TempDirectory();
        var path = dir.File("a\nb\u001b[31m\u202ec.json");

        // When
        var result = Cli.Run("evaluate", "--model", path, "--debug");

        // Then the error line and the trace's first line show it escaped, and the rest of the
        // trace is its frames, one a line
        var shown = $@"{dir.Path}/a\nb\e[31m\u202ec.json";
        var lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {shown}: no such model file", lines[0]);
        Assert.Equal($"{typeof(CommandFailure)}: {shown}: no such model file", lines[1]);
        Assert.All(lines[2..], l => Assert.StartsWith("   at ", l, StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', result.Error);
        Assert.DoesNotContain('\u202e', result.Error);
    }

    [Fact]
    public void Every_message_of_the_trace_is_escaped_within_its_line()
    {
        // Given a failure around an exception whose message and file name hold a line break
        // and a zero width space, and an aggregate of two with a tab and a carriage return
        var inner = Thrown(new FileNotFoundException("no file 'x\ny'", "x\ny\u200b"));
        var outer = Thrown(CommandFailure.Failed("cannot read x\ny", inner));
        var all = Thrown(new AggregateException(
            Thrown(new IOException("one\tof two")), Thrown(new IOException("two\rof two"))));

        // When
        var lines = DebugTrace.Lines(outer).ToList();
        var aggregated = string.Join("\n", DebugTrace.Lines(all));

        // Then each message stays on its line, escaped, and no line holds a control character
        Assert.Equal($@"{typeof(CommandFailure)}: cannot read x\ny", lines[0]);
        Assert.Equal($@" ---> {typeof(FileNotFoundException)}: no file 'x\ny'", lines[1]);
        Assert.Equal(@"File name: 'x\ny\u200b'", lines[2]);
        Assert.Contains($@"{typeof(IOException)}: one\tof two", aggregated);
        Assert.Contains($@"{typeof(IOException)}: two\rof two", aggregated);
        Assert.All(
            lines.Concat(aggregated.Split('\n')),
            l => Assert.DoesNotContain(l, c => char.IsControl(c) || c == '\u200b'));
    }

    // The exception as thrown, with the stack trace that --debug shows.
    private static Exception Thrown(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }
}
