using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An output on one of the kernel's own file systems, such as /proc, cannot be saved: a file
/// is saved as a new file in its directory, renamed into place, and /proc makes no new files.
/// The refusal names the file, the directory and its file system, where the runtime's words
/// ("Could not find file '/proc/self/status'") would say that a file that is there is not.
/// </summary>
public sealed class KernelFileSystemTests
{
    private const string Reason =
        "no new file can be made in /proc/self (a proc file system); the file is saved as a new "
        + "file there, renamed into place";

    [LinuxTheory]
    [InlineData("--out", "/proc/self/status", "/proc/self/status")]
    [InlineData("--out", "/proc/self/new.json", "/proc/self/new.json")]
    [InlineData("--plot", "/proc/self/status", "/proc/self/status")]
    [InlineData("--checkpoint", "/proc/self", "/proc/self/checkpoint.json")]
    public void Train_refuses_an_output_on_proc_before_training(
        string option, string value, string file)
    {
        using var dir = new TempDirectory();
        var args = option == "--out"
            ? new[] { "train", "--epochs", "1", "--hidden", "2", "--out", value }
            : ["train", "--epochs", "1", "--hidden", "2", "--out", dir.File("m.json"), option,
                value];

        var result = Cli.Run(args);

        Assert.Equal(
            $"error: {option}: cannot write {file}: {Reason}", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(dir.Files);
    }

    [LinuxFact]
    public void Make_sample_refuses_an_output_directory_on_proc()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("make-sample", "--data", dir.File("absent"), "--out", "/proc/self");

        Assert.StartsWith("error: --out: cannot write /proc/self/", result.AssertOneErrorLine(2));
        Assert.EndsWith($": {Reason}", result.Error.TrimEnd());
    }

    [LinuxFact]
    public void Every_way_of_writing_names_the_file_system()
    {
        const string Target = "/proc/self/status";
        var expected = $"cannot write {Target}: {Reason}";

        var single = AtomicFile.Write(Target, [1, 2, 3]);
        var both = AtomicFile.WriteAll((Target, [4]));
        var check = AtomicFile.CheckWritable(Target);

        Assert.Equal(expected, single.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, both.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, check.Match(_ => "writable", e => e.Message));
    }
}
