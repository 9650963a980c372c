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
/// then ends as it would have.
/// </summary>
internal static class StopSignals
{
    private static readonly List<Action> Cleanups = [];

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
    /// Registers the handlers until the result is disposed. A handler puts back a terminal
    /// that a progress bar is drawn on (<see cref="LiveTerminal.Restore"/>), waits for the
    /// write under way, if any, and leaves the signal's usual effect (the process ends) in
    /// place. The <c>stopped:</c> line goes to the console's standard error as it is when this
    /// is called.
    /// </summary>
    public static IDisposable Register()
    {
        PosixSignal[] signals =
        [
            PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT,
        ];
        var handler = new Handler(Console.Error);
        return new Registrations(Array.ConvertAll(
            signals, s => PosixSignalRegistration.Create(s, _ => handler.Stop())));
    }

    /// <summary>
    /// The <c>stopped:</c> line for a stop that waited for the save of <paramref name="waited"/>
    /// (null when none was under way), which <paramref name="failed"/> or not, in a process
    /// whose last save to succeed wrote <paramref name="saved"/> (null when none did).
    /// </summary>
    internal static string Line(string? waited, bool failed, string? saved) =>
        Printable.Line(waited is null
            ? saved is null
                ? "stopped: no save was under way, and nothing was saved"
                : $"stopped: no save was under way; the last saved was {saved}"
            : failed
                ? $"stopped: the write of {waited} that was under way failed"
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

        /// <summary>
        /// The first time: shows the cursor again, waits for the write under way, runs the
        /// clean-ups, and says what was saved in one <c>stopped:</c> line (<see cref="Line"/>).
        /// Every later time, from a signal during that wait or after it: returns once the first
        /// has done all that, so that the process, which ends as the handler returns, ends with
        /// the write done and the line printed once.
        /// </summary>
        public void Stop()
        {
            lock (_gate)
            {
                if (_stopping)
                {
                    return;
                }

                _stopping = true;

                // The cursor first, which a progress bar on the terminal has hidden: the wait
                // for a save can take a while, and the bar is not to be redrawn meanwhile over
                // what comes after.
                LiveTerminal.Restore();
                var waited = AtomicFile.WaitForWrites();
                RunCleanups();
                error.WriteLine(Line(waited, AtomicFile.LastFailed, AtomicFile.LastWritten));
            }
        }
    }

    private sealed class Registrations(PosixSignalRegistration[] all) : IDisposable
    {
        public void Dispose() => Array.ForEach(all, r => r.Dispose());
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
