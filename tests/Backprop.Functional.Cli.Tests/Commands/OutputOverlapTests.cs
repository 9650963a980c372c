using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// No output may replace an input or another output, however the two paths reach the file:
/// through a symbolic link to a directory, through "..", or through a link at the file itself.
/// The command stops with exit code 2 before anything is read or written, and every file is
/// left as it was.
/// </summary>
public sealed class OutputOverlapTests
{
    private static readonly string[] SampleNames =
        [.. DataSets.StandardNames.Select(name => name + ".gz")];

    [Theory]
    [InlineData("data", "data")]
    [InlineData("data", "data/")]
    [InlineData("data", "data/../data")]
    public void Make_sample_into_its_own_data_directory_is_refused(string data, string output)
    {
        // Given a data directory of the sample's four .gz files, as a sample is
        using var dir = new TempDirectory();
        var source = WriteSample(dir.File("data"));
        var before = Snapshot(source);
        var (from, to) = (dir.File(data), dir.File(output));

        // When
        var result = Cli.Run("make-sample", "--data", from, "--out", to);

        // Then
        Assert.Equal(
            $"error: --out '{to}' is the directory of --data '{from}'; the sample would replace "
            + "the data it is made from",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal(before, Snapshot(source));
    }

    [UnixTheory]
    [InlineData("link", "data/")]
    [InlineData("data", "./link")]
    [InlineData("link", "link")]
    [InlineData("data", "deeper/up/data")]
    public void Make_sample_into_its_data_directory_through_a_link_is_refused(
        string data, string output)
    {
        // Given the data directory, a link to it, and deeper/up linking to the directory above
        using var dir = new TempDirectory();
        var source = WriteSample(dir.File("data"));
        File.CreateSymbolicLink(dir.File("link"), "data");
        Directory.CreateDirectory(dir.File("deeper"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "deeper", "up"), "..");
        var before = Snapshot(source);
        var (from, to) = (dir.File(data), dir.File(output));

        // When
        var result = Cli.Run("make-sample", "--data", from, "--out", to);

        // Then
        Assert.Equal(
            $"error: --out '{to}' is the directory of --data '{from}'; the sample would replace "
            + "the data it is made from",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, Snapshot(source));
    }

    [UnixFact]
    public void Make_sample_is_refused_before_the_data_is_read()
    {
        // Given a data directory whose files are not IDX at all: reading them would fail (1)
        using var dir = new TempDirectory();
        var data = Directory.CreateDirectory(dir.File("data")).FullName;
        foreach (var name in SampleNames)
        {
            File.WriteAllText(Path.Combine(data, name), "not IDX");
        }

        File.CreateSymbolicLink(dir.File("link"), data);

        var result = Cli.Run("make-sample", "--data", data, "--out", dir.File("link"));

        Assert.Equal(
            $"error: --out '{dir.File("link")}' is the directory of --data '{data}'; the sample "
            + "would replace the data it is made from",
            result.AssertOneErrorLine(2));
        Assert.All(
            SampleNames,
            name => Assert.Equal("not IDX", File.ReadAllText(Path.Combine(data, name))));
    }

    [UnixTheory]
    [InlineData("out-link")]
    [InlineData("data-link")]
    public void Make_sample_refuses_a_sample_file_that_leads_to_a_data_file_or_back(string how)
    {
        // Given a sample directory apart from the data, where one name links to a data file,
        // or a data directory where one file links into the sample directory
        using var dir = new TempDirectory();
        var data = WriteSample(dir.File("data"));
        var output = Directory.CreateDirectory(dir.File("sample")).FullName;
        var name = DataSets.TrainLabels + ".gz";
        var (outFile, dataFile) = (Path.Combine(output, name), Path.Combine(data, name));
        if (how == "out-link")
        {
            File.CreateSymbolicLink(outFile, dataFile);
        }
        else
        {
            File.Move(dataFile, outFile);
            File.CreateSymbolicLink(dataFile, outFile);
        }

        var before = File.ReadAllBytes(dataFile);

        // When
        var result = Cli.Run("make-sample", "--data", data, "--out", output);

        // Then
        Assert.Equal(
            $"error: --out: {outFile} names a data file of --data, '{dataFile}'; writing there "
            + "would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(dataFile));
        Assert.Equal(how == "out-link", new FileInfo(outFile).LinkTarget is not null);
        Assert.Equal(how != "out-link", new FileInfo(dataFile).LinkTarget is not null);
        Assert.Single(Directory.GetFileSystemEntries(output));
    }

    [UnixFact]
    public void Plot_and_out_naming_one_file_through_a_link_is_refused()
    {
        // ln -s . here; train --out m.json --plot here/m.json, with a model there already
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("here"), ".");
        var model = dir.File("m.json");
        File.WriteAllText(model, "earlier model");
        var plot = Path.Combine(dir.Path, "here", "m.json");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", model, "--plot", plot);

        Assert.Equal(
            $"error: --plot and --out name the same file, '{plot}'; the plot would replace the "
            + "model",
            result.AssertOneErrorLine(2));
        Assert.Equal("earlier model", File.ReadAllText(model));
        Assert.Equal(["here", "m.json"], Names(dir.Path));
    }

    [UnixFact]
    public void Plot_and_out_naming_a_file_and_a_link_to_it_is_refused()
    {
        using var dir = new TempDirectory();
        var model = dir.File("m.json");
        File.WriteAllText(model, "earlier model");
        var plot = dir.File("plot.png");
        File.CreateSymbolicLink(plot, model);

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--out", model, "--plot", plot);

        Assert.Equal(
            $"error: --plot and --out name the same file, '{plot}'; the plot would replace the "
            + "model",
            result.AssertOneErrorLine(2));
        Assert.Equal("earlier model", File.ReadAllText(model));
    }

    [UnixTheory]
    [InlineData("--out", "t10k-labels-idx1-ubyte")]
    [InlineData("--out", "train-images-idx3-ubyte.gz")]
    [InlineData("--plot", "classes.txt")]
    public void An_output_naming_a_data_file_through_a_linked_directory_is_refused(
        string option, string name)
    {
        // ln -s data data-link; train --data data --out data-link/NAME
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        File.CreateSymbolicLink(dir.File("data-link"), "data");
        var target = Path.Combine(data, name);
        var before = File.ReadAllBytes(target);
        var path = Path.Combine(dir.Path, "data-link", name);
        string[] outputs = option == "--out"
            ? ["--out", path]
            : ["--out", dir.File("m.json"), "--plot", path];

        var result = Cli.Run(
            ["train", "--data", data, "--epochs", "1", "--hidden", "4", .. outputs]);

        Assert.Equal(
            $"error: {option} names a data file of --data, '{target}'; writing there would "
            + "replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(["data", "data-link"], Names(dir.Path));
    }

    [UnixFact]
    public void An_output_naming_a_data_file_through_a_linked_data_directory_is_refused()
    {
        // The link on the other side: --data through the link, --out to the directory itself
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var link = dir.File("data-link");
        File.CreateSymbolicLink(link, data);
        var target = Path.Combine(data, DataSets.TestLabels);
        var before = File.ReadAllBytes(target);

        var result = Cli.Run(
            "train", "--data", link, "--epochs", "1", "--hidden", "4", "--out", target);

        var named = Path.Combine(link, DataSets.TestLabels);
        Assert.Equal(
            $"error: --out names a data file of --data, '{named}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    [UnixFact]
    public void An_output_where_a_data_file_leads_is_refused()
    {
        // A data file that is a link to a file elsewhere: writing the model there would replace
        // what the data set reads
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var elsewhere = dir.File("labels.idx");
        var link = Path.Combine(data, DataSets.TrainLabels);
        File.Move(link, elsewhere);
        File.CreateSymbolicLink(link, elsewhere);
        var before = File.ReadAllBytes(elsewhere);

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", elsewhere);

        Assert.Equal(
            $"error: --out names a data file of --data, '{link}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(elsewhere));
    }

    [UnixTheory]
    [InlineData("--out")]
    [InlineData("--plot")]
    public void An_output_over_the_resumed_checkpoint_through_a_link_is_refused(string option)
    {
        // ln -s run run-link; train --resume run/checkpoint.json --out run-link/checkpoint.json
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var run = dir.File("run");
        var checkpoint = Path.Combine(run, "checkpoint.json");
        string[] train = ["train", "--data", data, "--hidden", "4"];
        Cli.Run([.. train, "--epochs", "1", "--out", dir.File("m.json"), "--checkpoint", run])
            .AssertSucceeded();
        File.CreateSymbolicLink(dir.File("run-link"), "run");
        var saved = File.ReadAllBytes(checkpoint);
        var path = Path.Combine(dir.Path, "run-link", "checkpoint.json");
        string[] outputs = option == "--out"
            ? ["--out", path]
            : ["--out", dir.File("m2.json"), "--plot", path];

        var result = Cli.Run([.. train, "--epochs", "2", "--resume", checkpoint, .. outputs]);

        Assert.Equal(
            $"error: {option} names --resume, '{checkpoint}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        Assert.False(File.Exists(dir.File("m2.json")));
    }

    [UnixTheory]
    [InlineData("--out")]
    [InlineData("--plot")]
    public void An_output_over_the_kept_checkpoint_through_a_link_is_refused(string option)
    {
        // The checkpoint directory given through a link, the output to the directory itself
        using var dir = new TempDirectory();
        var run = Directory.CreateDirectory(dir.File("run")).FullName;
        var checkpoint = Path.Combine(run, "checkpoint.json");
        File.WriteAllText(checkpoint, "earlier checkpoint");
        var link = dir.File("run-link");
        File.CreateSymbolicLink(link, run);
        string[] outputs = option == "--out"
            ? ["--out", checkpoint]
            : ["--out", dir.File("m.json"), "--plot", checkpoint];

        var result = Cli.Run(
            ["train", "--epochs", "1", "--hidden", "4", "--checkpoint", link, .. outputs]);

        Assert.Equal(
            $"error: {option} names the checkpoint of --checkpoint, "
            + $"'{Path.Combine(link, "checkpoint.json")}'; writing there would replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal("earlier checkpoint", File.ReadAllText(checkpoint));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [UnixFact]
    public void A_checkpoint_over_a_data_file_is_refused()
    {
        // A data file that links to where the checkpoint would be written
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var run = Directory.CreateDirectory(dir.File("run")).FullName;
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var listing = Path.Combine(data, ClassNames.FileName);
        File.Move(listing, checkpoint);
        File.CreateSymbolicLink(listing, checkpoint);

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
            "--checkpoint", run);

        Assert.Equal(
            $"error: --checkpoint names a data file of --data, '{listing}'; writing there would "
            + "replace it",
            result.AssertOneErrorLine(2));
        Assert.Equal(["dark", "light"], File.ReadAllLines(checkpoint));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("--plot", "run", "run")]
    [InlineData("--out", "m2.json", "m2.json")]
    [InlineData("--out", "run", "./run")]
    public void An_output_file_where_the_checkpoint_directory_is_to_be_made_is_refused(
        string option, string output, string checkpoint)
    {
        // train --checkpoint run --plot run: found before the first epoch, not after the last
        using var dir = new TempDirectory();
        var (path, directory) = (dir.File(output), dir.File(checkpoint));
        string[] outputs = option == "--out"
            ? ["--out", path]
            : ["--out", dir.File("m.json"), "--plot", path];

        var result = Cli.Run(
            ["train", "--epochs", "1", "--hidden", "4", "--checkpoint", directory, .. outputs]);

        Assert.Equal(
            $"error: {option} names the directory of --checkpoint, '{directory}'; the file "
            + "cannot be written where the checkpoints are kept",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [UnixFact]
    public void An_output_file_where_the_checkpoint_directory_is_through_a_link_is_refused()
    {
        // ln -s . here; --checkpoint here/run --out run (run not made yet)
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("here"), ".");
        var directory = Path.Combine(dir.Path, "here", "run");

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "4", "--checkpoint", directory, "--out",
            dir.File("run"));

        Assert.Equal(
            $"error: --out names the directory of --checkpoint, '{directory}'; the file cannot "
            + "be written where the checkpoints are kept",
            result.AssertOneErrorLine(2));
        Assert.Equal(["here"], Names(dir.Path));
    }

    [Theory]
    [InlineData("classes.txt")]
    [InlineData("t10k-images-idx3-ubyte")]
    [InlineData("train-labels-idx1-ubyte.gz")]
    public void A_checkpoint_directory_where_a_data_file_is_read_is_refused(string name)
    {
        // train --data d --checkpoint d/classes.txt, with no classes.txt (it is optional), or
        // with the IDX file under its other name
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        File.Delete(Path.Combine(data, ClassNames.FileName));
        var before = Names(data);
        var directory = Path.Combine(data, name);

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json"),
            "--checkpoint", directory);

        Assert.Equal(
            $"error: --checkpoint names a data file of --data, '{directory}'; a directory there "
            + "would break every later read of --data",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, Names(data));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("classes.txt")]
    [InlineData("train-images-idx3-ubyte")]
    public void A_sample_directory_where_a_data_file_is_read_is_refused(string name)
    {
        // make-sample --data d --out d/classes.txt
        using var dir = new TempDirectory();
        var source = WriteSample(dir.File("data"));
        var before = Snapshot(source);
        var directory = Path.Combine(source, name);

        var result = Cli.Run("make-sample", "--data", source, "--out", directory);

        Assert.Equal(
            $"error: --out names a data file of --data, '{directory}'; a directory there would "
            + "break every later read of --data",
            result.AssertOneErrorLine(2));
        Assert.Equal(before, Snapshot(source));
    }

    [UnixFact]
    public void Resuming_from_the_kept_checkpoint_through_a_link_still_works()
    {
        // The one overlap meant to happen: --resume reads the file --checkpoint then replaces
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var run = dir.File("run");
        string[] train = ["train", "--data", data, "--hidden", "4", "--out", dir.File("m.json")];
        Cli.Run([.. train, "--epochs", "1", "--checkpoint", run]).AssertSucceeded();
        File.CreateSymbolicLink(dir.File("run-link"), "run");

        var resume = Path.Combine(run, "checkpoint.json");
        var result = Cli.Run(
            [.. train, "--epochs", "2", "--resume", resume, "--checkpoint", dir.File("run-link")]);

        result.AssertSucceeded();
    }

    [UnixTheory]
    [InlineData("a/../m.json", "m.json", true)]
    [InlineData("here/m.json", "m.json", true)]
    [InlineData("here/here/a/../m.json", "./m.json", true)]
    [InlineData("up/a/x", "a/x", false)]
    [InlineData("deeper/up/m.json", "m.json", true)]
    [InlineData("to-m", "m.json", true)]
    [InlineData("to-to-m", "m.json", true)]
    [InlineData("to-m", "to-to-m", true)]
    [InlineData("absent.json", "m.json", false)]
    [InlineData("a/absent.json", "here/a/absent.json", true)]
    public void Same_follows_links_and_dot_dot_as_the_file_system_does(
        string a, string b, bool same)
    {
        // here -> ., up -> .. (so up/a is a sibling directory, not ./a), deeper/up -> ..,
        // to-m -> m.json, to-to-m -> to-m
        using var dir = new TempDirectory();
        var root = Directory.CreateDirectory(dir.File("root")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(Path.Combine(root, "deeper"));
        File.WriteAllText(Path.Combine(root, "m.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(root, "here"), ".");
        File.CreateSymbolicLink(Path.Combine(root, "up"), "..");
        File.CreateSymbolicLink(Path.Combine(root, "deeper", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(root, "to-m"), "m.json");
        File.CreateSymbolicLink(Path.Combine(root, "to-to-m"), "to-m");

        Assert.Equal(same, PathIdentity.Same(Path.Combine(root, a), Path.Combine(root, b)));
    }

    [UnixFact]
    public void Same_gives_up_on_a_loop_without_hanging()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("l1"), "l2");
        File.CreateSymbolicLink(dir.File("l2"), "l1");

        Assert.True(PathIdentity.Same(dir.File("l1"), dir.File("l2")));
        Assert.False(PathIdentity.Same(Path.Combine(dir.File("l1"), "x"), dir.File("x")));
    }

    // The sample's four files under dir, as make-sample writes them.
    private static string WriteSample(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var name in SampleNames)
        {
            File.WriteAllText(Path.Combine(directory, name), $"the data of {name}");
        }

        return directory;
    }

    // The names in a directory, links and hidden files included, sorted.
    private static string[] Names(string directory) =>
        [.. Directory.GetFileSystemEntries(directory).Select(p => Path.GetFileName(p)).Order()];

    private static string[] Snapshot(string directory) =>
        Directory.GetFileSystemEntries(directory)
            .Order()
            .Select(p => $"{Path.GetFileName(p)}={File.ReadAllText(p)}")
            .ToArray();
}
