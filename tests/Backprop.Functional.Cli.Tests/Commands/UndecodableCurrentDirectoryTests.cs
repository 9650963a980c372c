using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A current directory whose path is not UTF-8 reaches .NET with U+FFFD in place of each such
/// byte, so every relative path would be taken from another directory: run in
/// <c>bad\xff</c>, <c>train</c> would write <c>bad\xEF\xBF\xBD/model.json</c>. Every command
/// refuses to run there, with exit code 2, before anything is read or written; --help and
/// --version, which name no file, still answer.
/// </summary>
public sealed class UndecodableCurrentDirectoryTests
{
    // Makes bad\xff under $1 and runs the command there, with "$2" "$3" and the arguments
    // after them; stderr goes to $1/stderr.txt, and the names left in bad\xff to
    // $1/listing.txt.
    private const string Script =
        """
        cd "$1" && mkdir "$(printf 'bad\377')" && cd "$(printf 'bad\377')" || exit 99
        base=$1
        shift
        "$@" 2>"$base/stderr.txt"
        code=$?
        ls -A >"$base/listing.txt"
        exit $code
        """;

    [UnixTheory]
    [InlineData("train", "--epochs", "1", "--hidden", "4")]
    [InlineData("evaluate", "--model", "model.json")]
    [InlineData("make-sample", "--data", "/nonexistent", "--out", "sample")]
    public void A_command_run_in_a_directory_whose_path_is_not_UTF_8_is_refused(
        params string[] args)
    {
        // Given the sibling that bad\xff decodes to, holding a model
        using var dir = new TempDirectory();
        var sibling = Directory.CreateDirectory(dir.File("bad\uFFFD")).FullName;
        var model = Path.Combine(sibling, "model.json");
        File.WriteAllText(model, "someone else's model");

        // When
        var (code, stdout) = RunIn(dir, args);

        // Then
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(
            "error: the current directory's path is not valid UTF-8, so paths relative to it "
            + "cannot be named; run from another directory\n",
            File.ReadAllText(dir.File("stderr.txt")));
        Assert.Equal(string.Empty, File.ReadAllText(dir.File("listing.txt")));
        Assert.Equal("someone else's model", File.ReadAllText(model));
        Assert.Equal(
            ["model.json"], Directory.GetFileSystemEntries(sibling).Select(Path.GetFileName));
    }

    [UnixTheory]
    [InlineData("--help")]
    [InlineData("--version")]
    public void Help_and_version_still_answer_there(string option)
    {
        using var dir = new TempDirectory();

        var (code, stdout) = RunIn(dir, option);

        Assert.Equal(0, code);
        Assert.NotEqual(string.Empty, stdout);
        Assert.Equal(string.Empty, File.ReadAllText(dir.File("stderr.txt")));
    }

    // Runs the built command (dotnet backprop.dll ARGS) in DIR/bad\xff: the exit code and
    // what it wrote to stdout.
    private static (int Code, string Out) RunIn(TempDirectory dir, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", Script, "sh", dir.Path, "dotnet" })
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "backprop.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "still running after 2 minutes");
        return (process.ExitCode, stdout);
    }
}
