using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A symbolic link that leads to nothing (a dangling one, or one in a loop) is named as what it
/// is. An output file there replaces the link, as an output over any link does; a directory
/// cannot be made there, nor read from there, and an input file cannot be read from it.
/// </summary>
public sealed class DanglingLinkTests
{
    [UnixTheory]
    [InlineData("--out")]
    [InlineData("--plot")]
    public void An_output_file_at_a_dangling_link_replaces_the_link(string option)
    {
        using var dir = new TempDirectory();
        var link = dir.File("dangling");
        File.CreateSymbolicLink(link, "nowhere");
        string[] outputs = option == "--out"
            ? ["--out", link]
            : ["--out", dir.File("m.json"), "--plot", link];

        var result = Cli.Run(["train", "--epochs", "1", "--hidden", "4", .. outputs]);

        result.AssertSucceeded();
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.True(new FileInfo(link).Length > 0);
        Assert.False(File.Exists(dir.File("nowhere")));
    }

    [UnixFact]
    public void A_checkpoint_at_a_dangling_link_replaces_the_link()
    {
        using var dir = new TempDirectory();
        var run = Directory.CreateDirectory(dir.File("run")).FullName;
        var link = Path.Combine(run, "checkpoint.json");
        File.CreateSymbolicLink(link, "nowhere");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
            "--checkpoint", run);

        result.AssertSucceeded();
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.False(File.Exists(Path.Combine(run, "nowhere")));
    }

    [UnixFact]
    public void Every_way_of_writing_replaces_a_dangling_link_or_one_in_a_loop()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("a"), "nowhere");
        File.CreateSymbolicLink(dir.File("b"), "nowhere");
        File.CreateSymbolicLink(dir.File("loop1"), "loop2");
        File.CreateSymbolicLink(dir.File("loop2"), "loop1");

        Assert.True(AtomicFile.CheckWritable(dir.File("a")).IsSucc);
        Assert.True(AtomicFile.CheckWritable(dir.File("loop1")).IsSucc);
        Assert.True(AtomicFile.Write(dir.File("a"), [1]).IsSucc);
        Assert.True(AtomicFile.WriteAll((dir.File("b"), [2]), (dir.File("loop1"), [3])).IsSucc);

        Assert.Equal(new byte[] { 1 }, File.ReadAllBytes(dir.File("a")));
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(dir.File("b")));
        Assert.Equal(new byte[] { 3 }, File.ReadAllBytes(dir.File("loop1")));
        Assert.Equal("loop1", new FileInfo(dir.File("loop2")).LinkTarget);
        Assert.Equal(["a", "b", "loop1", "loop2"], dir.Files);
    }

    [UnixFact]
    public void A_group_write_that_fails_puts_a_replaced_link_back_as_a_link()
    {
        // The second target is a directory, so its rename fails after the link is replaced
        using var dir = new TempDirectory();
        var (link, target) = (dir.File("model.json"), dir.File("target.json"));
        File.WriteAllText(target, "kept");
        File.CreateSymbolicLink(link, "target.json");
        var blocked = Directory.CreateDirectory(dir.File("plot.png")).FullName;

        var result = AtomicFile.WriteAll((link, new byte[] { 9 }), (blocked, new byte[] { 7 }));

        Assert.Equal(
            $"cannot write {blocked}: it is a directory",
            result.Match(Succ: _ => "written", Fail: e => e.Message));
        Assert.Equal("target.json", new FileInfo(link).LinkTarget);
        Assert.Equal("kept", File.ReadAllText(target));
        Assert.Equal(["model.json", "target.json"], dir.Files);
    }

    [UnixTheory]
    [InlineData("evaluate", "model file")]
    [InlineData("predict|--index|0", "model file")]
    [InlineData("gradcheck", "model file")]
    public void A_model_at_a_dangling_link_is_named_as_one(string arguments, string what)
    {
        using var dir = new TempDirectory();
        var link = dir.File("model.json");
        File.CreateSymbolicLink(link, "gone.json");

        var result = Cli.Run([.. arguments.Split('|'), "--model", link]);

        Assert.Equal(
            $"error: {link}: is a dangling symbolic link to 'gone.json'; expected a {what}",
            result.AssertOneErrorLine(1));
        Assert.Equal(["model.json"], dir.Files);
    }

    [UnixFact]
    public void A_model_at_a_link_in_a_loop_is_named_as_one()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("loop1"), "loop2");
        File.CreateSymbolicLink(dir.File("loop2"), "loop1");

        var result = Cli.Run("evaluate", "--model", dir.File("loop1"));

        Assert.Equal(
            $"error: {dir.File("loop1")}: is a symbolic link in a loop; expected a model file",
            result.AssertOneErrorLine(1));
    }

    [UnixFact]
    public void A_checkpoint_at_a_dangling_link_is_named_as_one()
    {
        using var dir = new TempDirectory();
        var link = dir.File("checkpoint.json");
        File.CreateSymbolicLink(link, "gone.json");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
            "--resume", link);

        Assert.Equal(
            $"error: {link}: is a dangling symbolic link to 'gone.json'; expected a checkpoint "
            + "file",
            result.AssertOneErrorLine(1));
        Assert.Equal(["checkpoint.json"], dir.Files);
    }

    [UnixTheory]
    [InlineData("train|--out|OUT")]
    [InlineData("gradcheck")]
    [InlineData("make-sample|--out|SAMPLE")]
    public void A_data_directory_at_a_dangling_link_is_named_as_one(string arguments)
    {
        using var dir = new TempDirectory();
        var link = dir.File("data");
        File.CreateSymbolicLink(link, "/nonexistent/fashion-mnist");
        var args = arguments
            .Replace("SAMPLE", dir.File("sample"))
            .Replace("OUT", dir.File("m.json"))
            .Split('|');

        var result = Cli.Run([.. args, "--data", link]);

        Assert.Equal(
            $"error: data directory {link} is a dangling symbolic link to "
            + "'/nonexistent/fashion-mnist', not a directory; name the directory that holds the "
            + "IDX files",
            result.AssertOneErrorLine(1));
        Assert.Equal(
            new[] { "data" },
            Directory.GetFileSystemEntries(dir.Path).Select(p => Path.GetFileName(p)).ToArray());
    }

    [UnixTheory]
    [InlineData(DataSets.TestLabels)]
    [InlineData(DataSets.TrainImages + ".gz")]
    [InlineData(ClassNames.FileName)]
    public void A_data_file_at_a_dangling_link_is_named_as_one(string name)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var link = Path.Combine(data, name);
        File.Delete(link);
        File.CreateSymbolicLink(link, "gone");

        var message = FinAssert.Fails(DataSets.FromDirectory(data));

        var expected = name == ClassNames.FileName
            ? "a file of class names, one per line"
            : "an IDX file";
        Assert.Equal($"{link} is a dangling symbolic link to 'gone'; expected {expected}", message);
    }

    [UnixTheory]
    [InlineData("make-sample|--data|ABSENT", "--out")]
    [InlineData("train|--out|OUT", "--checkpoint")]
    public void An_output_directory_at_a_dangling_link_is_refused(string arguments, string option)
    {
        using var dir = new TempDirectory();
        var link = dir.File("dangling");
        File.CreateSymbolicLink(link, "nowhere");
        var args = arguments
            .Replace("ABSENT", dir.File("absent"))
            .Replace("OUT", dir.File("m.json"))
            .Split('|');

        var result = Cli.Run([.. args, option, link]);

        Assert.Equal(
            $"error: {option} must name a directory, got '{link}', which is a dangling "
            + "symbolic link to 'nowhere'",
            result.AssertOneErrorLine(2));
        Assert.Equal(["dangling"], dir.Files);
    }

    [UnixTheory]
    [InlineData("train|--out", "a file")]
    [InlineData("train|--out|OUT|--plot", "a file")]
    [InlineData("train|--out|OUT|--checkpoint", "a directory")]
    [InlineData("make-sample|--data|ABSENT|--out", "a directory")]
    public void An_output_under_a_dangling_link_names_the_link(string arguments, string what)
    {
        using var dir = new TempDirectory();
        var link = dir.File("dangling");
        File.CreateSymbolicLink(link, "nowhere");
        var path = Path.Combine(link, "below");
        var args = arguments
            .Replace("ABSENT", dir.File("absent"))
            .Replace("OUT", dir.File("m.json"))
            .Split('|');

        var result = Cli.Run([.. args, path]);

        Assert.Equal(
            $"error: {args[^1]} names {what} under '{link}', which is a dangling symbolic link "
            + $"to 'nowhere', not a directory, got '{path}'",
            result.AssertOneErrorLine(2));
        Assert.Equal(["dangling"], dir.Files);
    }

    [UnixFact]
    public void FileKind_tells_a_link_that_leads_nowhere_from_one_that_leads_somewhere()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "x");
        File.CreateSymbolicLink(dir.File("to-file"), "file");
        File.CreateSymbolicLink(dir.File("to-dir"), ".");
        File.CreateSymbolicLink(dir.File("to-link"), "dangling");
        File.CreateSymbolicLink(dir.File("dangling"), "nowhere");

        Assert.Null(FileKind.BrokenLink(dir.File("file")));
        Assert.Null(FileKind.BrokenLink(dir.File("to-file")));
        Assert.Null(FileKind.BrokenLink(dir.File("to-dir")));
        Assert.Null(FileKind.BrokenLink(dir.File("absent")));
        Assert.Equal("a dangling symbolic link to 'nowhere'", FileKind.Of(dir.File("dangling")));
        Assert.Equal("a dangling symbolic link to 'dangling'", FileKind.Of(dir.File("to-link")));
        Assert.Equal(
            "a dangling symbolic link to 'nowhere'", FileKind.NotRegular(dir.File("dangling")));
        Assert.Equal("a file", FileKind.Of(dir.File("to-file")));
    }
}
