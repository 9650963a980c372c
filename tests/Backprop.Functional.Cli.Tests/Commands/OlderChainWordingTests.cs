using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A checkpoint records its optimizer chain as text; one written before counts of one were
/// singular says "after 1 warm-up steps", which names the same chain as "after 1 warm-up step".
/// </summary>
public sealed class OlderChainWordingTests
{
    [Fact]
    public void A_checkpoint_whose_chain_says_1_warm_up_steps_resumes()
    {
        // Given a checkpoint of one epoch with one warm-up step, edited as older versions wrote it
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run = ["train", "--data", data, "--hidden", "2", "--warmup", "1"];
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Cli.Run([.. run, "--epochs", "1", "--checkpoint", dir.File("run"), "--out", dir.File("a")])
            .AssertSucceeded();
        var text = File.ReadAllText(checkpoint);
        Assert.Contains("after 1 warm-up step\"", text);
        File.WriteAllText(
            checkpoint, text.Replace("after 1 warm-up step\"", "after 1 warm-up steps\""));

        // When it is resumed with the same settings
        var result = Cli.Run(
            [.. run, "--epochs", "2", "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then they agree, and the run goes on
        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_checkpoint_with_another_warm_up_is_still_refused()
    {
        // Given a checkpoint of one epoch with two warm-up steps
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run = ["train", "--data", data, "--hidden", "2"];
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Cli.Run([.. run, "--warmup", "2", "--epochs", "1", "--checkpoint", dir.File("run"),
            "--out", dir.File("a")]).AssertSucceeded();

        // When it is resumed with one
        var result = Cli.Run([.. run, "--warmup", "1", "--epochs", "2", "--resume", checkpoint,
            "--out", dir.File("m.json")]);

        // Then the difference is named
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--warmup gives 1 but the checkpoint's run has 2", result.Error);
        Assert.False(File.Exists(dir.File("m.json")));
    }
}
