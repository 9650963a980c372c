using System;
using System.Runtime.InteropServices;
using Backprop.Functional.Cli.Models;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// What the process does when told to stop (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT): it lets a save
/// in progress finish, so that no temporary file is left beside a model or checkpoint, and then
/// ends as it would have.
/// </summary>
internal static class StopSignals
{
    /// <summary>
    /// Registers the handlers until the result is disposed. A handler waits for the write
    /// under way, if any, and leaves the signal's usual effect (the process ends) in place.
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

    private static void Stop()
    {
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
