using System;
using System.Runtime.InteropServices;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// What the process does when told to stop (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT): it shows the
/// cursor again if a progress bar on the terminal had hidden it, lets a save in progress
/// finish, so that no temporary file is left beside a model or checkpoint, and then ends as
/// it would have.
/// </summary>
internal static class StopSignals
{
    /// <summary>
    /// Registers the handlers until the result is disposed. A handler puts back a terminal
    /// that a progress bar is drawn on (<see cref="LiveTerminal.Restore"/>), waits for the
    /// write under way, if any, and leaves the signal's usual effect (the process ends) in
    /// place.
    /// </summary>
    public static IDisposable Register()
    {
        PosixSignal[] signals =
        [
            PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT,
        ];
        return new Registrations(Array.ConvertAll(
            signals, s => PosixSignalRegistration.Create(s, _ => Stop())));
    }

    // The cursor first, which a progress bar on the terminal has hidden: the wait for a save
    // can take a while, and the bar is not to be redrawn meanwhile over what comes after.
    private static void Stop()
    {
        LiveTerminal.Restore();
        if (AtomicFile.WaitForWrites() is { } path)
        {
            Console.Error.WriteLine(
                $"stopped: the write of {Printable.Line(path)} that was under way finished first");
        }
    }

    private sealed class Registrations(PosixSignalRegistration[] all) : IDisposable
    {
        public void Dispose() => Array.ForEach(all, r => r.Dispose());
    }
}
