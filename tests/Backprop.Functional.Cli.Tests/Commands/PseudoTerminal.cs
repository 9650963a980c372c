using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Runs the built command on a pseudo-terminal, as in a terminal window, and sends it SIGINT
/// (what Ctrl-C sends) once its progress bar is drawn. .NET cannot hand a child process a
/// terminal of its own, so python3's pty module does: it opens the terminal, starts the
/// command on it, reads everything the command draws and reports it with the exit status.
/// </summary>
public static class PseudoTerminal
{
    // argv[1:] is the command. TERM=xterm gives ANSI codes and no CI variable plain lines; the
    // child gets SIGINT's default action back, in case this process was started ignoring it.
    // SIGINT goes once the cursor is hidden and an epoch line drawn: the bar is then live.
    // Everything drawn goes to stdout, and the child's return code (-2 for SIGINT) to stderr.
    private const string Script = """
        import os, pty, select, signal, subprocess, sys, time
        master, slave = pty.openpty()
        env = dict(os.environ, TERM="xterm")
        env.pop("CI", None)
        child = subprocess.Popen(
            sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, env=env,
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
                child.send_signal(signal.SIGINT)
                sent = True
        else:
            child.kill()
        child.wait()
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
    public static (int ReturnCode, string Drawn) Interrupt(string directory, params string[] args)
    {
        var start = new ProcessStartInfo(Python!)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var command = new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "backprop.dll") };
        foreach (var argument in new[] { "-c", Script }.Concat(command).Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var returned = process.StandardError.ReadToEndAsync();
        var drawn = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "still running after 2 minutes");
        Assert.True(
            int.TryParse(returned.Result, out var code), $"python3 reported: {returned.Result}");
        return (code, drawn);
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
