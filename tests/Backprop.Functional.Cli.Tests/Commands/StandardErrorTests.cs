using System;
using System.IO;
using System.Text;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A standard error that cannot be written (closed, a full device) costs a command its error
/// line, warnings and notes, and nothing else: the exit code is the one it would have had, and
/// a run that succeeds still writes its files and its report. Before, the failed write of the
/// error line escaped, and the runtime aborted the process (exit code 134) trying to report it
/// on that same standard error.
/// </summary>
public sealed class StandardErrorTests
{
    // Scripts for /bin/sh that run the command ("$@") with standard error closed, with it on
    // /dev/full, where every write fails with ENOSPC, and with standard output closed too.
    private const string Closed = "exec \"$@\" 2>&-";
    private const string Full = "exec \"$@\" 2>/dev/full";
    private const string BothClosed = "exec \"$@\" >&- 2>&-";

    [LinuxTheory]
    [InlineData(Closed, "train|--epochs|0", 2)]
    [InlineData(Full, "train|--epochs|0", 2)]
    [InlineData(Closed, "evaluate|--model|absent.json", 1)]
    [InlineData(Full, "evaluate|--model|absent.json", 1)]
    [InlineData(Closed, "evaluate|--model|absent.json|--debug", 1)]
    [InlineData(BothClosed, "train|--hidden|2|--epochs|1", 1)]
    public void A_failing_command_keeps_its_exit_code_when_its_error_line_cannot_be_written(
        string script, string args, int exitCode)
    {
        // Given
        using var dir = new TempDirectory();

        // When
        var result = BuiltCommand.Run(script, dir.Path, args.Split('|'));

        // Then: no abort, no stack trace, nothing written
        Assert.True(
            result.ExitCode == exitCode,
            $"exit code {result.ExitCode}, expected {exitCode}; stderr: {result.Error}");
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal(string.Empty, result.Error);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [LinuxTheory]
    [InlineData(Closed)]
    [InlineData(Full)]
    public void A_warning_that_cannot_be_shown_leaves_a_good_run_as_it_is(string script)
    {
        // Given a model whose classes the data now names otherwise, so that evaluate warns
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("m.json");
        Cli.Run("train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", model)
            .AssertSucceeded();
        File.WriteAllLines(Path.Combine(data, ClassNames.FileName), ["black", "white"]);
        var shown = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.StartsWith("warning: ", Assert.Single(shown.ErrorLines), StringComparison.Ordinal);

        // When
        var result = BuiltCommand.Run(
            script, dir.Path, "evaluate", "--model", model, "--data", data);

        // Then the whole report, and success
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}");
        Assert.Equal(shown.Out, result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [LinuxTheory]
    [InlineData(Closed)]
    [InlineData(Full)]
    public void Train_with_json_trains_and_saves_when_its_lines_for_people_cannot_be_written(
        string script)
    {
        // Given a run whose lines for people (settings, epochs, "model written to") go to
        // standard error, and whose JSON goes to standard output
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("X.json");

        // When
        var result = BuiltCommand.Run(
            script, dir.Path, "train", "--data", data, "--epochs", "1", "--hidden", "4",
            "--json", "--out", model);

        // Then
        result.AssertSucceeded();
        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(model, result.Json().Text("model"));
        Assert.Equal(1, result.Json().At("epochs").GetArrayLength());
        Cli.Run("evaluate", "--model", model, "--data", data).AssertSucceeded();
    }

    [Theory]
    [InlineData(typeof(UnauthorizedAccessException))]
    [InlineData(typeof(IOException))]
    public void The_exit_code_is_kept_when_every_write_to_standard_error_fails(Type failure)
    {
        // Given a standard error on which every write fails as a closed or full one does
        using var stdout = new StringWriter();
        var stream = new FailingStream(failure, writesBeforeFailing: 0);
        using var stderr = StandardError.Over(stream);

        // When
        var code = Program.Run(["train", "--epochs", "0"], stdout, stderr);

        // Then
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Equal(1, stream.Attempts);
    }

    [Fact]
    public void Text_after_the_first_write_that_fails_is_dropped_unseen()
    {
        // Given a standard error that takes one write and fails the next
        var stream = new FailingStream(typeof(IOException), writesBeforeFailing: 1);
        using var stderr = StandardError.Over(stream);

        // When
        stderr.WriteLine("warning: one");
        stderr.WriteLine("warning: two");
        stderr.WriteLine("error: three");
        stderr.Flush();

        // Then only the first reached the stream, and only two writes were tried
        Assert.Equal("warning: one\n", Encoding.UTF8.GetString(stream.Written.ToArray()));
        Assert.Equal(2, stream.Attempts);
    }

    // A stream that takes a number of writes and then throws a given exception on every one.
    private sealed class FailingStream(Type failure, int writesBeforeFailing) : Stream
    {
        public MemoryStream Written { get; } = new();

        public int Attempts { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Attempts++;
            if (Attempts > writesBeforeFailing)
            {
                throw (Exception)Activator.CreateInstance(failure, "Bad file descriptor")!;
            }

            Written.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) =>
            Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) =>
            throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
