using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli;

/// <summary>
/// The entry point of the backprop command. <see cref="Run"/> does the work against the streams
/// and environment it is given, so tests run the whole command in-process.
/// </summary>
public static class Program
{
    /// <summary>
    /// Runs the command line on the console and returns its exit code; a stop signal lets a
    /// save in progress finish first (and changes nothing once the command's last file is
    /// written), a write to standard output that fails (closed, a broken
    /// pipe) ends the command with one error line, and a write to standard error that fails
    /// (closed, full) is dropped, leaving the exit code as it would have been.
    /// </summary>
    public static int Main(string[] args)
    {
        Console.SetError(StandardError.Open());
        StopSignals.Register();
        if (StandardOutput.Open() is { } stdout)
        {
            Console.SetOut(stdout);
        }

        var code = Run(args, Console.Out, Console.Error);
        StopSignals.Finish();
        return code;
    }

    /// <summary>
    /// Runs the command line <paramref name="args"/> and returns its exit code: 0 on success,
    /// 2 for bad arguments, 1 for bad data or model files and failed runs.
    /// </summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="stdout">Where results go (and the JSON object under <c>--json</c>).</param>
    /// <param name="stderr">Where errors go (and the human lines under <c>--json</c>).</param>
    /// <param name="environment">The environment variables to consult (CI, TERM); the
    /// process's own when null.</param>
    public static int Run(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var context = new CliContext(
            stdout,
            stderr,
            environment ?? ProcessEnvironment(),
            IsTerminal(stdout, Console.Out, Console.IsOutputRedirected),
            IsTerminal(stderr, Console.Error, Console.IsErrorRedirected));
        return BackpropCommand.Run(args, context);
    }

    // A writer is a terminal only when it is the console's own and that is not redirected.
    private static bool IsTerminal(TextWriter writer, TextWriter console, bool redirected) =>
        ReferenceEquals(writer, console) && !redirected;

    private static Dictionary<string, string?> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return variables;
    }
}
