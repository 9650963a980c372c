using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// ".." after a symbolic link is taken from where the link leads, as the kernel takes it, not
/// removed as text: with <c>d/sub</c> a link to <c>../far/a</c>, the link
/// <c>d/f -&gt; sub/../f</c> leads to <c>far/f</c>. The overlap checks and the test for a
/// dangling link follow links so, where .NET's <see cref="Path.GetFullPath(string)"/> would
/// take <c>d/f</c> for <c>d/f</c> itself.
/// </summary>
public sealed class DotDotAfterLinkTests
{
    [UnixFact]
    public void Make_sample_over_the_files_its_data_links_to_through_dot_dot_is_refused()
    {
        // mkdir -p far/a d; ln -s ../far/a d/sub; ln -s sub/../F d/F for each sample file F;
        // make-sample --data d --out far
        using var dir = new TempDirectory();
        var (far, data) = Layout(dir);
        var names = DataSets.StandardNames.Select(name => name + ".gz").ToArray();
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(far, name), $"the data of {name}");
            File.CreateSymbolicLink(Path.Combine(data, name), $"sub/../{name}");
        }

        var result = Cli.Run("make-sample", "--data", data, "--out", far);

        var first = names[0];
        Assert.Equal(
            $"error: --out: {Path.Combine(far, first)} names a data file of --data, "
            + $"'{Path.Combine(data, first)}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.All(names, name => Assert.Equal(
            $"the data of {name}", File.ReadAllText(Path.Combine(far, name))));
        Assert.Equal([.. names.Append("a").Order()], Names(far));
    }

    [UnixFact]
    public void Train_out_over_a_data_file_reached_through_dot_dot_is_refused()
    {
        // train --data d --out far/t10k-images-idx3-ubyte.gz, d's files linking to sub/../F
        using var dir = new TempDirectory();
        var (far, data) = Layout(dir);
        TinyData.Write(far);
        foreach (var file in Names(far).Where(file => file != "a"))
        {
            File.CreateSymbolicLink(Path.Combine(data, file), $"sub/../{file}");
        }

        var name = DataSets.TestImages + ".gz";
        var target = Path.Combine(far, name);
        var before = File.ReadAllBytes(target);

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", target);

        Assert.Equal(
            $"error: --out names a data file of --data, '{Path.Combine(data, name)}'; writing "
            + "there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    [UnixFact]
    public void Train_out_over_the_resumed_checkpoint_reached_through_dot_dot_is_refused()
    {
        // --resume d/r.json, a link to sub/../checkpoint.json, that is far/checkpoint.json
        using var dir = new TempDirectory();
        var (far, data) = Layout(dir);
        var tiny = TinyData.Write(dir.File("tiny"));
        string[] train = ["train", "--data", tiny, "--hidden", "4"];
        Cli.Run([.. train, "--epochs", "1", "--out", dir.File("m.json"), "--checkpoint", far])
            .AssertSucceeded();
        var checkpoint = Path.Combine(far, TrainSettings.CheckpointFileName);
        var resume = Path.Combine(data, "r.json");
        File.CreateSymbolicLink(resume, $"sub/../{TrainSettings.CheckpointFileName}");
        var saved = File.ReadAllBytes(checkpoint);

        var result = Cli.Run([.. train, "--epochs", "2", "--resume", resume, "--out", checkpoint]);

        Assert.Equal(
            $"error: --out names --resume, '{resume}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
    }

    [UnixTheory]
    [InlineData("d/r.json", "far/checkpoint.json", true)]
    [InlineData("d/sub/../r.json", "far/r.json", true)]
    [InlineData("d/sub/../absent.json", "far/absent.json", true)]
    [InlineData("d/r.json", "d/checkpoint.json", false)]
    [InlineData("d/sub/../r.json", "d/r.json", false)]
    public void Same_takes_dot_dot_after_a_link_from_where_the_link_leads(
        string a, string b, bool same)
    {
        using var dir = new TempDirectory();
        var (far, data) = Layout(dir);
        File.WriteAllText(Path.Combine(far, "checkpoint.json"), "{}");
        File.WriteAllText(Path.Combine(far, "r.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(data, "r.json"), "sub/../checkpoint.json");

        Assert.Equal(same, PathIdentity.Same(dir.File(a), dir.File(b)));
    }

    [UnixFact]
    public void A_link_through_dot_dot_after_a_link_is_not_dangling()
    {
        // ln -s far/a sub; ln -s sub/../model.json link.json: cat link.json reads far/model.json
        using var dir = new TempDirectory();
        var far = Directory.CreateDirectory(dir.File("far")).FullName;
        Directory.CreateDirectory(Path.Combine(far, "a"));
        Cli.Run("train", "--epochs", "1", "--hidden", "4", "--out", Path.Combine(far, "model.json"))
            .AssertSucceeded();
        File.CreateSymbolicLink(dir.File("sub"), "far/a");
        var link = dir.File("link.json");
        File.CreateSymbolicLink(link, "sub/../model.json");

        var result = Cli.Run("evaluate", "--model", link);

        result.AssertSucceeded();
        Assert.StartsWith($"model: {link} (", result.OutLines[0]);
        Assert.Null(FileKind.BrokenLink(link));
    }

    [UnixTheory]
    [InlineData("sub/../gone.json", "is a dangling symbolic link to 'sub/../gone.json'")]
    [InlineData("loop/../model.json", "is a symbolic link in a loop")]
    public void A_link_through_dot_dot_after_a_link_to_nothing_is_named_as_it_is(
        string target, string what)
    {
        // far/gone.json is not there, though ./gone.json, what '..' taken as text reaches, is;
        // loop is a link to itself, so following the link never ends
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File(Path.Combine("far", "a")));
        File.CreateSymbolicLink(dir.File("sub"), "far/a");
        File.CreateSymbolicLink(dir.File("loop"), "loop");
        File.WriteAllText(dir.File("gone.json"), "{}");
        File.WriteAllText(dir.File("model.json"), "{}");
        var link = dir.File("link.json");
        File.CreateSymbolicLink(link, target);

        var result = Cli.Run("evaluate", "--model", link);

        Assert.Equal($"error: {link}: {what}; expected a model file", result.AssertOneErrorLine(1));
    }

    // far, with the directory far/a, and d, with d/sub a link to ../far/a.
    private static (string Far, string Data) Layout(TempDirectory dir)
    {
        var far = Directory.CreateDirectory(dir.File("far")).FullName;
        Directory.CreateDirectory(Path.Combine(far, "a"));
        var data = Directory.CreateDirectory(dir.File("d")).FullName;
        File.CreateSymbolicLink(Path.Combine(data, "sub"), "../far/a");
        return (far, data);
    }

    // The names in a directory, links included, sorted.
    private static string[] Names(string directory) =>
        [.. Directory.GetFileSystemEntries(directory).Select(p => Path.GetFileName(p)).Order()];
}
