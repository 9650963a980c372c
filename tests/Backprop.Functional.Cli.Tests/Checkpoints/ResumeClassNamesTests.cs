using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Backprop.Functional.Cli.Tests.Commands;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A checkpoint whose model names its classes otherwise than the data of the resumed run is
/// resumed with a warning on stderr, as evaluate and predict warn: the names do not shape the
/// steps, and the same images can come with other names.
/// </summary>
public sealed class ResumeClassNamesTests
{
    [Fact]
    public void The_same_images_under_other_names_resume_with_a_warning_and_the_same_steps()
    {
        // Given the tiny data set without its classes.txt in a directory whose name says
        // Fashion-MNIST, and the same files in one whose name does not (the digits' names)
        using var dir = new Commands.TempDirectory();
        var fashion = Commands.TinyData.Write(dir.File("tiny-fashion"));
        File.Delete(Path.Combine(fashion, "classes.txt"));
        var digits = Directory.CreateDirectory(dir.File("tiny")).FullName;
        foreach (var file in Directory.GetFiles(fashion))
        {
            File.Copy(file, Path.Combine(digits, Path.GetFileName(file)));
        }

        string[] run = ["train", "--hidden", "4", "--batch-size", "10"];
        Commands.Cli.Run(
            [.. run, "--data", fashion, "--epochs", "2", "--out", dir.File("whole.json")])
            .AssertSucceeded();
        Commands.Cli.Run(
            [
                .. run, "--data", fashion, "--epochs", "1", "--checkpoint", dir.File("run"),
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");

        // When the checkpoint is resumed on the copy
        var result = Commands.Cli.Run(
            [
                .. run, "--data", digits, "--epochs", "2", "--resume", checkpoint,
                "--out", dir.File("resumed.json"), "--json",
            ]);

        // Then it trains on with one warning, to the weights of the uninterrupted run, and the
        // model it writes names the data's classes
        result.AssertSucceeded();
        Assert.Equal(
            $"warning: --resume {checkpoint}: the checkpoint's run was trained on other classes "
            + "than the data's (class 0: 'T-shirt/top' against '0'); training goes on, and the "
            + "files it writes record the data's names",
            Assert.Single(result.ErrorLines, l => l.StartsWith("warning:")));
        Assert.Equal(2, result.Json().At("epochs").GetArrayLength());
        var whole = JsonNode.Parse(File.ReadAllText(dir.File("whole.json")))!;
        var resumed = JsonNode.Parse(File.ReadAllText(dir.File("resumed.json")))!;
        Assert.Equal(whole["layers"]!.ToJsonString(), resumed["layers"]!.ToJsonString());
        Assert.Equal(
            Enumerable.Range(0, 10).Select(d => d.ToString()),
            resumed["classNames"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void The_same_names_resume_without_a_warning()
    {
        using var dir = new Commands.TempDirectory();
        Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "1", "--checkpoint", dir.File("run"),
            "--out", dir.File("first.json")).AssertSucceeded();

        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--resume",
            Path.Combine(dir.File("run"), "checkpoint.json"), "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.Empty(result.ErrorLines);
    }
}
