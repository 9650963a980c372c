using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Standard output as a stream that reports every write it cannot make. The console's own
/// stream drops what it writes to a pipe whose reader has exited, so that <c>backprop train |
/// true</c> would lose its report and still succeed, and it words a closed descriptor as
/// "Access to the path is denied". Here a failed write throws a <see cref="CommandFailure"/>
/// (exit code 1): "standard output cannot be written: " and why.
/// </summary>
/// <remarks>
/// On Linux only, where it calls libc's dup(2), write(2) and poll(2); elsewhere the console's
/// writer is kept. It writes to a copy of descriptor 1 made when the command starts, as the
/// console does, so that a file opened later under the number 1 (which a closed descriptor
/// frees) never receives the output.
/// </remarks>
internal sealed partial class StandardOutput : WriteOnlyStream
{
    private const int StandardOutputDescriptor = 1;
    private const int Interrupted = 4;
    private const int BadDescriptor = 9;
    private const int WouldBlock = 11;
    private const int BrokenPipe = 32;
    private const short ReadyToWrite = 4;

    // The copy of descriptor 1, or -1 when descriptor 1 was closed at the start.
    private readonly int _descriptor;

    private StandardOutput(int descriptor)
    {
        _descriptor = descriptor;
    }

    /// <summary>
    /// A writer for standard output in the console's encoding, flushed after every write; null
    /// where the console's writer is kept instead: off Linux, when libc cannot be called, or
    /// when descriptor 1 is open but cannot be copied (no descriptor is free).
    /// </summary>
    public static TextWriter? Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        int copy;
        try
        {
            copy = Duplicate(StandardOutputDescriptor);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return copy >= 0 || Marshal.GetLastPInvokeError() == BadDescriptor
            ? Writer(new StandardOutput(copy))
            : null;
    }

    /// <summary>
    /// A writer as <see cref="Open"/> gives, on a copy of <paramref name="descriptor"/> rather
    /// than of standard output; for tests, which hand in one end of a pipe.
    /// </summary>
    internal static TextWriter On(int descriptor) =>
        Writer(new StandardOutput(Duplicate(descriptor)));

    /// <summary>
    /// Writes all of <paramref name="buffer"/>, waiting while a descriptor set not to block
    /// is full, or throws the failure that says why standard output cannot be written.
    /// </summary>
    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        if (_descriptor < 0 && !buffer.IsEmpty)
        {
            throw Failure(BadDescriptor);
        }

        fixed (byte* start = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var written = NativeWrite(_descriptor, start + done, buffer.Length - done);
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == WouldBlock)
                {
                    WaitUntilWritable();
                }
                else if (error != Interrupted)
                {
                    throw Failure(error);
                }
            }
        }
    }

    /// <summary>Nothing to do: every write goes straight to the descriptor.</summary>
    public override void Flush()
    {
    }

    /// <summary>Closes the copy of the descriptor; standard output itself stays open.</summary>
    protected override void Dispose(bool disposing)
    {
        if (_descriptor >= 0)
        {
            Close(_descriptor);
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The failure for a write that failed with <paramref name="error"/> (an errno): "standard
    /// output cannot be written: " and, for the two usual causes, what they mean for a
    /// command's output, else the system's own description ("No space left on device").
    /// </summary>
    internal static CommandFailure Failure(int error) => CommandFailure.Failed(
        "standard output cannot be written: " + error switch
        {
            BadDescriptor => "it is closed",
            BrokenPipe => "the pipe's reader has exited (broken pipe)",
            _ => Marshal.GetPInvokeErrorMessage(error),
        });

    // The console's encoding (UTF-8 unless the locale names another; it writes no byte order
    // mark) and a flush after every write, as the console's own writer has.
    private static StreamWriter Writer(Stream stream) =>
        new(stream, Console.OutputEncoding, bufferSize: 4096, leaveOpen: false)
        {
            AutoFlush = true,
        };

    private unsafe void WaitUntilWritable()
    {
        var wait = new PollRequest { Descriptor = _descriptor, Events = ReadyToWrite };
        Poll(&wait, 1, -1);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Duplicate(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint NativeWrite(int descriptor, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollRequest* requests, nuint count, int timeout);

    // struct pollfd of poll(2).
    [StructLayout(LayoutKind.Sequential)]
    private struct PollRequest
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }
}
