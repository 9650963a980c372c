using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// What the process does when told to stop (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT): it shows the
/// cursor again if a progress bar on the terminal had hidden it, lets a save in progress
/// finish, so that no temporary file is left beside a model or checkpoint, runs the clean-ups
/// registered with <see cref="OnStop"/>, says in one <c>stopped:</c> line what was saved, and
/// then ends as it would have. Once the command has written its last file
/// (<see cref="Finish"/>), a signal changes nothing: the command ends as it would have without
/// it, with its own exit code and no <c>stopped:</c> line.
/// </summary>
/// <remarks>
/// LIMITATION: only a second signal after <see cref="Finish"/> ends the process, so a command
/// whose last output cannot go out (a full pipe nobody reads) needs two; see
/// docs/limitations.md#a-stop-signal-after-the-commands-last-file.
/// </remarks>
internal static class StopSignals
{
    private static readonly List<Action> Cleanups = [];

    // The signals' registrations, kept until the process ends: a signal that came after they
    // were let go would end the process with no handler at all.
    private static readonly List<PosixSignalRegistration> Registrations = [];

    // The handler of the process's signals, once registered; null in tests that run commands
    // in-process, unless they set it.
    private static Handler? current;

    /// <summary>The handler <see cref="Finish"/> tells; set by tests, null to forget it.</summary>
    internal static Handler? Current
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value);
    }

    /// <summary>
    /// Has <paramref name="cleanup"/> run when a stop signal ends the process, after the save
    /// under way, until the result is disposed.
    /// </summary>
    public static IDisposable OnStop(Action cleanup)
    {
        lock (Cleanups)
        {
            Cleanups.Add(cleanup);
        }

        return new Registration(cleanup);
    }

    /// <summary>
    /// Registers the handlers for the rest of the process's life. A handler puts back a
    /// terminal that a progress bar is drawn on (<see cref="LiveTerminal.Restore"/>), waits for
    /// the write under way, if any, and leaves the signal's usual effect (the process ends) in
    /// place, until <see cref="Finish"/>; from then on it cancels the signal. The
    /// <c>stopped:</c> line goes to the console's standard error as it is when this is called.
    /// </summary>
    public static void Register()
    {
        PosixSignal[] signals =
        [
            PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT,
        ];
        var handler = new Handler(Console.Error);
        Current = handler;
        Registrations.AddRange(Array.ConvertAll(
            signals, s => PosixSignalRegistration.Create(s, c => c.Cancel = !handler.Stop())));
    }

    /// <summary>
    /// Whether the process's handler has begun a stop: from then on no save may begin, since
    /// the <c>stopped:</c> line names only the save it waited for.
    /// </summary>
    public static bool Stopping() => Current?.Stopping == true;

    /// <summary>
    /// Says that the command has written its last file, or has ended: a stop signal from now on
    /// changes nothing. Should a stop have begun already, it ends the process: this returns only
    /// by the process ending, so that the command does not go on, or end with its own code,
    /// after the <c>stopped:</c> line.
    /// </summary>
    public static void Finish()
    {
        if (Current is { } handler && !handler.Finish())
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    /// <summary>
    /// The <c>stopped:</c> line for a stop that waited for the save of <paramref name="waited"/>
    /// (null when none was under way), which failed for the reason <paramref name="failure"/>
    /// (null when it did not), in a process whose last save to succeed wrote
    /// <paramref name="saved"/> (null when none did).
    /// </summary>
    internal static string Line(string? waited, string? failure, string? saved) =>
        Printable.Line(waited is null
            ? saved is null
                ? "stopped: no save was under way, and nothing was saved"
                : $"stopped: no save was under way; the last saved was {saved}"
            : failure is not null
                ? $"stopped: the write of {waited} that was under way failed: {failure}"
                : $"stopped: the write of {waited} that was under way finished first");

    private static void RunCleanups()
    {
        Action[] all;
        lock (Cleanups)
        {
            all = [.. Cleanups];
        }

        Array.ForEach(all, cleanup => cleanup());
    }

    /// <summary>
    /// The work of every stop signal of one process. The runtime runs each signal's handler on
    /// a thread of its own, so a second Ctrl-C during a save runs a second handler beside the
    /// first; the first does the work, and the others wait for it and then do nothing.
    /// </summary>
    /// <param name="error">Where the <c>stopped:</c> line goes.</param>
    internal sealed class Handler(TextWriter error)
    {
        private readonly Lock _gate = new();

        private bool _stopping;

        private bool _finished;

        // Signals cancelled since the command finished.
        private int _ignored;

        /// <summary>Whether <see cref="Stop"/> has begun (and will end the process).</summary>
        public bool Stopping => Volatile.Read(ref _stopping);

        /// <summary>
        /// The first time: shows the cursor again, waits for the write under way, runs the
        /// clean-ups, and says what was saved in one <c>stopped:</c> line (<see cref="Line"/>).
        /// Every later time, from a signal during that wait or after it: returns once the first
        /// has done all that, so that the process, which ends as the handler returns, ends with
        /// the write done and the line printed once. After <see cref="Finish"/>, the first
        /// signal does nothing, and a later one ends the process without a line, for a command
        /// whose last output cannot go out (a full pipe nobody reads).
        /// </summary>
        /// <returns>Whether the signal is to end the process.</returns>
        public bool Stop()
        {
            lock (_gate)
            {
                if (_finished)
                {
                    return ++_ignored > 1;
                }

                if (_stopping)
                {
                    return true;
                }

                _stopping = true;

                // The cursor first, which a progress bar on the terminal has hidden: the wait
                // for a save can take a while, and the bar is not to be redrawn meanwhile over
                // what comes after.
                LiveTerminal.Restore();
                var waited = AtomicFile.WaitForWrites();
                RunCleanups();
                var failure = AtomicFile.LastFailure;
                var where = waited is not null && failure is null
                    ? AtomicFile.MovedClause()
                    : string.Empty;
                error.WriteLine(
                    Line(waited, failure, AtomicFile.LastWritten) + Printable.Line(where));
                return true;
            }
        }

        /// <summary>
        /// The command has written its last file, or ended: every later <see cref="Stop"/> does
        /// nothing. Waits for a stop under way.
        /// </summary>
        /// <returns>True, or false when a stop has begun, which is to end the process.</returns>
        public bool Finish()
        {
            lock (_gate)
            {
                _finished = !_stopping;
                return _finished;
            }
        }
    }

    private sealed class Registration(Action cleanup) : IDisposable
    {
        public void Dispose()
        {
            lock (Cleanups)
            {
                Cleanups.Remove(cleanup);
            }
        }
    }
}
