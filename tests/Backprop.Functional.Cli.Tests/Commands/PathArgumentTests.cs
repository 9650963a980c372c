using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Every option that names a file or a directory refuses a value that names nothing, and every
/// output path is checked before any work: exit code 2, one line naming the option and the
/// path as given, nothing on stdout, and nothing written.
/// </summary>
public sealed class PathArgumentTests
{
    [Theory]
    [MemberData(nameof(PathOptions.EveryWithKind), MemberType = typeof(PathOptions))]
    public void An_empty_or_blank_path_is_refused_naming_the_option_and_the_value(
        string arguments, string option, string kind)
    {
        foreach (var value in new[] { string.Empty, " ", " \t " })
        {
            using var dir = new TempDirectory();
            var args = PathOptions.Arguments(arguments, dir);

            var result = Cli.Run([.. args, option, value]);

            // A tab is shown escaped, as every control character in an error line is.
            Assert.Equal(
                $"error: {option} must name a {kind}, got '{value.Replace("\t", @"\t")}'",
                result.AssertOneErrorLine(2));
            Assert.Equal(string.Empty, result.Out);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }

    [Theory]
    [InlineData("train|--out", "a file", "m.json")]
    [InlineData("train|--out", "a file", "deeper/m.json")]
    [InlineData("train|--out|OUT|--plot", "a file", "p.png")]
    [InlineData("train|--out|OUT|--checkpoint", "a directory", "run")]
    [InlineData("train|--out|OUT|--checkpoint", "a directory", "deeper/run")]
    [InlineData("make-sample|--data|DATA|--out", "a directory", "sample")]
    public void An_output_under_a_file_is_refused_naming_that_file(
        string arguments, string what, string below)
    {
        // Given a file where the output's directory should be
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var keep = dir.File("keep.json");
        File.WriteAllText(keep, "kept");
        var path = Path.Combine(keep, below);
        var args = arguments.Replace("OUT", dir.File("m.json")).Replace("DATA", data).Split('|');
        var option = args[^1];

        // When
        var result = Cli.Run([.. args, path]);

        // Then
        Assert.Equal(
            $"error: {option} names {what} under '{keep}', which is a file, not a directory, got "
            + $"'{path}'",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal("kept", File.ReadAllText(keep));
        Assert.Equal(["keep.json"], dir.Files);
    }

    [Fact]
    public void Make_sample_refuses_an_out_that_is_a_file_before_reading_the_data()
    {
        using var dir = new TempDirectory();
        var file = dir.File("file");
        File.WriteAllText(file, "kept");

        var result = Cli.Run("make-sample", "--data", dir.File("absent"), "--out", file);

        Assert.Equal(
            $"error: --out must name a directory, got '{file}', which is a file",
            result.AssertOneErrorLine(2));
        Assert.Equal("kept", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("--out")]
    [InlineData("--plot")]
    public void A_file_output_in_a_directory_that_does_not_exist_still_says_so(string option)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "missing", "deeper", "file");
        string[] model = option == "--out" ? [] : ["--out", dir.File("m.json")];

        var result = Cli.Run(["train", .. model, option, path]);

        Assert.Equal(
            $"error: {option} names a file in a directory that does not exist, got '{path}'",
            result.AssertOneErrorLine(2));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("--out", "x.json/.")]
    [InlineData("--out", "sub/..")]
    [InlineData("--plot", "p.png/.")]
    public void A_file_output_whose_last_part_is_a_dot_or_two_is_refused(
        string option, string value)
    {
        // POSIX reads 'x.json/.' as the directory x.json; .NET would write the file x.json.
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("sub"));
        var path = dir.File(value);
        string[] model = option == "--out" ? [] : ["--out", dir.File("m.json")];

        var result = Cli.Run(["train", .. model, option, path]);

        Assert.Equal($"error: {option} must name a file, got '{path}'", result.AssertOneErrorLine(2));
        Assert.Equal(["sub"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    // An output that names a device (through a link to /dev/null, so that a failure replaces
    // only the link) or a named pipe is refused before training: a pipe opened to write waits
    // for a reader, and a file renamed over a device would take its place.
    [Data.UnixTheory]
    [InlineData("--out", "null", "a character device")]
    [InlineData("--plot", "null", "a character device")]
    [InlineData("--out", "fifo", "a named pipe (FIFO)")]
    [InlineData("--plot", "fifo", "a named pipe (FIFO)")]
    [InlineData("--checkpoint", "null", "a character device")]
    [InlineData("--checkpoint", "fifo", "a named pipe (FIFO)")]
    public void An_output_that_is_a_device_or_a_pipe_is_refused_and_left_as_it_was(
        string option, string kind, string described)
    {
        using var dir = new TempDirectory();
        var target = option == "--checkpoint"
            ? Path.Combine(dir.Path, "run", "checkpoint.json")
            : dir.File("target");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (kind == "null")
        {
            File.CreateSymbolicLink(target, "/dev/null");
        }
        else
        {
            Data.SpecialFiles.MakeFifo(target);
        }

        var value = option == "--checkpoint" ? Path.Combine(dir.Path, "run") : target;
        var args = option == "--out"
            ? new[] { "train", "--epochs", "1", "--hidden", "4", "--out", value }
            : ["train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"), option,
                value];
        var result = Data.SpecialFiles.WithinSeconds(() => Cli.Run(args));

        Assert.Equal(
            $"error: {option}: cannot write {target}: it is {described}, not a regular file",
            result.AssertOneErrorLine(2));
        Assert.False(File.Exists(dir.File("m.json")));
        if (kind == "null")
        {
            Assert.Equal("/dev/null", new FileInfo(target).LinkTarget);
        }
        else
        {
            Assert.Equal(
                "a named pipe (FIFO), not a regular file", Backprop.Functional.Cli.Data.FileKind.NotRegular(target));
        }
    }
}
