using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Runs the built command (<c>dotnet backprop.dll</c>) as a process of its own, through
/// /bin/sh, for what a run inside the test process cannot show: a current directory of the
/// test's own, or a standard output that is closed, a pipe with no reader or a full device.
/// </summary>
public static class BuiltCommand
{
    /// <summary>
    /// Runs <paramref name="script"/> with /bin/sh in <paramref name="directory"/>, where "$@"
    /// is the command followed by <paramref name="args"/>: the script's exit code and what it
    /// wrote to stdout and stderr.
    /// </summary>
    public static CliResult Run(string script, string directory, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var command = new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "backprop.dll") };
        foreach (var argument in new[] { "-c", script, "sh" }.Concat(command).Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "still running after 2 minutes");
        return new CliResult(process.ExitCode, stdout, stderr.Result);
    }
}
