using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Runs the built command on a pseudo-terminal, as in a terminal window, and, once its progress
/// bar is drawn, sends it SIGINT (what Ctrl-C sends) or closes the terminal's other end (as a
/// terminal window that goes away does). .NET cannot hand a child process a terminal of its
/// own, so python3's pty module does: it opens the terminal, starts the command on it, reads
/// everything the command draws and reports it with the exit status.
/// </summary>
public static class PseudoTerminal
{
    // argv[1] is "interrupt" or "close", argv[2:] the command. TERM=xterm gives ANSI codes and
    // no CI variable plain lines; the child gets SIGINT's default action back, in case this
    // process was started ignoring it. Once the cursor is hidden and an epoch line drawn (the
    // bar is then live), "interrupt" sends SIGINT and reports everything drawn on stdout;
    // "close" closes the terminal's master end, which fails every later write with EIO, and
    // reports what the command wrote to its stderr, a pipe of its own. The child's return code
    // (-2 for SIGINT) goes to stderr.
    private const string Script = """
        import os, pty, select, signal, subprocess, sys, time
        action = sys.argv[1]
        master, slave = pty.openpty()
        env = dict(os.environ, TERM="xterm")
        env.pop("CI", None)
        child = subprocess.Popen(
            sys.argv[2:], stdin=slave, stdout=slave,
            stderr=slave if action == "interrupt" else subprocess.PIPE, env=env,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        os.close(slave)
        drawn, sent, deadline = b"", False, time.monotonic() + 100
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                drawn += chunk
            hidden = drawn.find(b"\x1b[?25l")
            if not sent and hidden >= 0 and b" test " in drawn[hidden:]:
                time.sleep(0.2)
                sent = True
                if action == "close":
                    os.close(master)
                    break
                child.send_signal(signal.SIGINT)
        else:
            child.kill()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if action == "close":
            sys.stdout.buffer.write(child.stderr.read())
        else:
            sys.stdout.buffer.write(drawn)
        sys.stderr.write(str(child.returncode))
        """;

    /// <summary>The path of python3 when it is on the PATH, else null.</summary>
    public static string? Python { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "python3"))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Runs the command with <paramref name="args"/> in <paramref name="directory"/> on a
    /// pseudo-terminal and interrupts it once its progress bar is drawn: everything it drew,
    /// and its return code as python gives it (the negated signal for one that ended it).
    /// </summary>
    public static (int ReturnCode, string Drawn) Interrupt(
        string directory, params string[] args) => Run("interrupt", directory, args);

    /// <summary>
    /// Runs the command with <paramref name="args"/> in <paramref name="directory"/> on a
    /// pseudo-terminal, with its stderr on a pipe, and closes the terminal's other end once the
    /// progress bar is drawn: the command's return code as python gives it, and its stderr.
    /// </summary>
    public static (int ReturnCode, string Error) Close(
        string directory, params string[] args) => Run("close", directory, args);

    private static (int ReturnCode, string Output) Run(
        string action, string directory, string[] args)
    {
        var start = new ProcessStartInfo(Python!)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var command = new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "backprop.dll") };
        foreach (var argument in new[] { "-c", Script, action }.Concat(command).Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var returned = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "still running after 2 minutes");
        Assert.True(
            int.TryParse(returned.Result, out var code), $"python3 reported: {returned.Result}");
        return (code, output);
    }
}

/// <summary>
/// A test that runs the command on a pseudo-terminal: it needs Linux and python3, and is
/// skipped without them.
/// </summary>
public sealed class PseudoTerminalTheoryAttribute : TheoryAttribute
{
    public PseudoTerminalTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux() || PseudoTerminal.Python is null)
        {
            Skip = "needs Linux and python3 (its pty module) to run the command on a terminal";
        }
    }
}

/// <summary>
/// A test without data that runs the command on a pseudo-terminal, skipped as
/// <see cref="PseudoTerminalTheoryAttribute"/> is.
/// </summary>
public sealed class PseudoTerminalFactAttribute : FactAttribute
{
    public PseudoTerminalFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || PseudoTerminal.Python is null)
        {
            Skip = "needs Linux and python3 (its pty module) to run the command on a terminal";
        }
    }
}
