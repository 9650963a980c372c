using System;
using System.IO;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Standard error as a stream that drops what it cannot write. The <c>error:</c> line, the
/// warnings, the notes on files written and, under <c>--json</c>, the lines for people go
/// there. When it is closed (<c>2&gt;&amp;-</c>) or full (<c>2&gt;/dev/full</c>), the console's
/// own stream throws; the exception would escape the command, and the runtime, reporting it on
/// the same standard error, would abort the process. Here the first write that fails turns
/// standard error off for the rest of the run: the text is lost, and the command goes on and
/// ends with the exit code it would have had.
/// </summary>
/// <remarks>
/// Standard output is the other way round (see <see cref="StandardOutput"/>): it carries the
/// result, so a write that fails there fails the command. Nothing on standard error is worth
/// failing a run for, and there would be nowhere left to say why. A pipe whose reader has
/// exited is no failure here either: the console's stream drops such writes itself.
/// </remarks>
internal sealed class StandardError : WriteOnlyStream
{
    private readonly Stream _inner;

    // Set by the first write that fails; every write after it is dropped unseen.
    private bool _failed;

    private StandardError(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>
    /// A writer for the console's standard error that never throws on a write, in the
    /// console's encoding and flushed after every write; one that drops everything when the
    /// console cannot even open standard error.
    /// </summary>
    public static TextWriter Open()
    {
        Stream console;
        try
        {
            console = Console.OpenStandardError();
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            console = Null;
        }

        return Over(console);
    }

    /// <summary>
    /// A writer as <see cref="Open"/> gives, over <paramref name="stream"/> rather than the
    /// console's standard error; for tests, which hand in a stream that fails.
    /// </summary>
    internal static TextWriter Over(Stream stream) =>
        new StreamWriter(
            new StandardError(stream), Console.OutputEncoding, bufferSize: 4096, leaveOpen: false)
        {
            AutoFlush = true,
        };

    /// <summary>
    /// Writes <paramref name="buffer"/>, or drops it when this write or one before it failed.
    /// </summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            _inner.Write(buffer);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            _failed = true;
        }
    }

    /// <summary>Flushes the stream beneath, unless a write has failed.</summary>
    public override void Flush()
    {
        if (_failed)
        {
            return;
        }

        try
        {
            _inner.Flush();
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            _failed = true;
        }
    }

    /// <summary>Closes the stream beneath.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // How the console's stream reports a descriptor it cannot write: closed (EBADF) as an
    // UnauthorizedAccessException, full (ENOSPC) and the rest as an IOException.
    private static bool IsWriteFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException;
}
