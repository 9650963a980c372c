using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A save renames a new file over its target, which replaces a symbolic link there rather
/// than writing where it leads. For a link into the kernel's own file systems, such as
/// /dev/stdout (a link to /proc/self/fd/1), that would put a model file in place of a link the
/// system needs, so such a link is refused before training, with exit code 2, and left as it
/// was. The links here lead to a descriptor of a file the test holds open, as /dev/stdout
/// leads to the process's output, or to /proc/self/status.
/// </summary>
public sealed class KernelLinkTests
{
    private const string Consequence =
        "saving replaces the link with a new file rather than writing where it leads";

    [LinuxTheory]
    [InlineData("--out")]
    [InlineData("--plot")]
    [InlineData("--checkpoint")]
    public void Train_refuses_an_output_that_links_to_a_descriptor_in_proc(string option)
    {
        // Given an output that is a link to /proc/self/fd/N, N an open file of the test's
        using var dir = new TempDirectory();
        using var held = Hold(dir.File("held.txt"));
        var descriptor = $"/proc/self/fd/{held.DangerousGetHandle()}";
        var link = option == "--checkpoint"
            ? Path.Combine(Directory.CreateDirectory(dir.File("run")).FullName, "checkpoint.json")
            : dir.File("link");
        File.CreateSymbolicLink(link, descriptor);
        var value = option == "--checkpoint" ? dir.File("run") : link;
        string[] model = option == "--out" ? [] : ["--out", dir.File("m.json")];

        // When
        var result = Cli.Run(["train", "--epochs", "1", "--hidden", "2", .. model, option, value]);

        // Then
        Assert.Equal(
            $"error: {option}: cannot write {link}: it is a symbolic link to {descriptor}, on a "
            + $"proc file system; {Consequence}",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal(descriptor, new FileInfo(link).LinkTarget);
        Assert.Equal(0, new FileInfo(dir.File("held.txt")).Length);
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [LinuxFact]
    public void A_link_to_a_link_into_proc_names_where_the_chain_reaches_proc()
    {
        // Given out → near (a relative link beside it) → /proc/self/status
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("near"), "/proc/self/status");
        File.CreateSymbolicLink(dir.File("out"), "near");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "2", "--out", dir.File("out"));

        Assert.Equal(
            $"error: --out: cannot write {dir.File("out")}: it is a symbolic link to near, which "
            + $"leads to /proc/self/status, on a proc file system; {Consequence}",
            result.AssertOneErrorLine(2));
        Assert.Equal("near", new FileInfo(dir.File("out")).LinkTarget);
    }

    [LinuxFact]
    public void A_link_through_a_directory_link_into_proc_is_refused()
    {
        // Given self → /proc/self, a directory, and out → self/status
        using var dir = new TempDirectory();
        Directory.CreateSymbolicLink(dir.File("self"), "/proc/self");
        File.CreateSymbolicLink(dir.File("out"), "self/status");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "2", "--out", dir.File("out"));

        Assert.Equal(
            $"error: --out: cannot write {dir.File("out")}: it is a symbolic link to self/status, "
            + $"on a proc file system; {Consequence}",
            result.AssertOneErrorLine(2));
    }

    [LinuxFact]
    public void Make_sample_refuses_a_sample_file_that_links_into_proc_before_reading_the_data()
    {
        // Given an output directory whose first sample file is a link to /proc/self/status,
        // and data that is not there, which would fail with code 1 if it were read first
        using var dir = new TempDirectory();
        var sample = Directory.CreateDirectory(dir.File("sample")).FullName;
        var link = Path.Combine(sample, "train-images-idx3-ubyte.gz");
        File.CreateSymbolicLink(link, "/proc/self/status");

        var result = Cli.Run("make-sample", "--data", dir.File("absent"), "--out", sample);

        Assert.Equal(
            $"error: --out: cannot write {link}: it is a symbolic link to /proc/self/status, on "
            + $"a proc file system; {Consequence}",
            result.AssertOneErrorLine(2));
        Assert.Equal("/proc/self/status", new FileInfo(link).LinkTarget);
    }

    [LinuxFact]
    public void A_save_that_finds_such_a_link_in_place_leaves_it_as_it_was()
    {
        // Given a link made after the run's checks, as a save finds it
        using var dir = new TempDirectory();
        var link = dir.File("m.json");
        File.CreateSymbolicLink(link, "/proc/self/status");
        var expected =
            $"cannot write {link}: it is a symbolic link to /proc/self/status, on a proc file "
            + $"system; {Consequence}";

        // When each way of writing tries it
        var single = AtomicFile.Write(link, [1, 2, 3]);
        var both = AtomicFile.WriteAll((dir.File("other.json"), [4]), (link, [5]));

        // Then each refuses, and nothing is left behind
        Assert.Equal(expected, single.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, both.Match(_ => "written", e => e.Message));
        Assert.Equal("/proc/self/status", new FileInfo(link).LinkTarget);
        Assert.Equal(["m.json"], dir.Files);
    }

    [LinuxFact]
    public void An_ordinary_link_is_still_replaced_by_the_saved_file()
    {
        // Given a link to a file beside it, on an ordinary file system
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("kept.json"), "old");
        File.CreateSymbolicLink(dir.File("m.json"), "kept.json");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "2", "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.Null(new FileInfo(dir.File("m.json")).LinkTarget);
        Assert.Equal("old", File.ReadAllText(dir.File("kept.json")));
    }

    // A file of the test's own, open for writing, whose descriptor a link can lead to.
    private static SafeFileHandle Hold(string path) =>
        File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
}
