using System;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// A failure the user can act on: its message becomes the one <c>error:</c> line on stderr and
/// its <see cref="ExitCode"/> the process's exit code.
/// </summary>
internal sealed class CommandFailure : Exception
{
    private CommandFailure(int exitCode, string message, Exception? inner)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>
    /// The exit code: <see cref="Shell.ExitCode.Usage"/> or <see cref="Shell.ExitCode.Failure"/>.
    /// </summary>
    public int ExitCode { get; }

    /// <summary>A bad argument (exit code 2); the message names the option and the value.</summary>
    public static CommandFailure Usage(string message) => new(Shell.ExitCode.Usage, message, null);

    /// <summary>Bad data, a bad model file or a failed run (exit code 1).</summary>
    public static CommandFailure Failed(string message, Exception? inner = null) =>
        new(Shell.ExitCode.Failure, message, inner);
}
