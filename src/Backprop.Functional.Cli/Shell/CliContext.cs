using System;
using System.Collections.Generic;
using System.IO;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Everything a command reads from or writes to the outside world, apart from files: the two
/// output streams, the environment and the clock. Tests hand in string writers and a fixed
/// environment; <see cref="Program.Main"/> hands in the console's.
/// </summary>
internal sealed class CliContext
{
    private readonly IReadOnlyDictionary<string, string?> _environment;

    /// <summary>A context over the given streams.</summary>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="environment">The environment variables.</param>
    /// <param name="stdoutIsTerminal">Whether standard output is an interactive terminal.</param>
    /// <param name="stderrIsTerminal">Whether standard error is an interactive terminal.</param>
    public CliContext(
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string?> environment,
        bool stdoutIsTerminal,
        bool stderrIsTerminal)
    {
        Out = stdout;
        Error = stderr;
        _environment = environment;
        StdoutIsTerminal = stdoutIsTerminal;
        StderrIsTerminal = stderrIsTerminal;
    }

    /// <summary>Standard output: results, or the one JSON object under <c>--json</c>.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: the <c>error:</c> line, and the human lines under --json.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard output is an interactive terminal.</summary>
    public bool StdoutIsTerminal { get; }

    /// <summary>Whether standard error is an interactive terminal.</summary>
    public bool StderrIsTerminal { get; }

    /// <summary>Whether the CI variable says that this is a continuous-integration run.</summary>
    public bool IsContinuousIntegration =>
        string.Equals(Variable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of an environment variable, or null when it is not set.</summary>
    public string? Variable(string name) =>
        _environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Where lines for people go: standard output, or standard error when standard output
    /// carries JSON.
    /// </summary>
    public TextWriter Human(bool json) => json ? Error : Out;

    /// <summary>
    /// Whether a progress bar may be drawn on the human stream: only on a terminal, and never
    /// under CI=true or TERM=dumb, where plain lines are kept.
    /// </summary>
    public bool ShowsProgress(bool json) =>
        (json ? StderrIsTerminal : StdoutIsTerminal)
        && !IsContinuousIntegration
        && !string.Equals(Variable("TERM"), "dumb", StringComparison.Ordinal);
}
