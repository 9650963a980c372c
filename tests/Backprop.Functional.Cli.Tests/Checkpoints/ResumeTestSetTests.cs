using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A resumed run saves checkpoints that the next resume reads: what the reader compares across
/// a history is either fixed by the settings a resume must share or checked when it starts.
/// The test set is not a setting, and the reader wants the same number of test images in every
/// epoch, so a resume on a test set of another size is refused before anything is written.
/// </summary>
public sealed class ResumeTestSetTests
{
    private static readonly string[] Train = ["train", "--hidden", "4", "--batch-size", "10"];

    [Theory]
    [InlineData(5, 10)]
    [InlineData(15, 30)]
    public void A_test_set_of_another_size_is_refused_and_the_checkpoint_kept(
        int perClass, int images)
    {
        // Given a two-epoch checkpoint of a run tested on 20 images, and the same training
        // files with another number of test images
        using var dir = new Commands.TempDirectory();
        var saved = TinyData.Write(dir.File("saved"), testPerClass: 10);
        var other = TinyData.Write(dir.File("other"), testPerClass: perClass);
        var run = dir.File("run");
        Commands.Cli.Run([.. Train, "--data", saved, "--epochs", "2", "--checkpoint", run,
            "--out", dir.File("first.json")]).AssertSucceeded();
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var before = File.ReadAllBytes(checkpoint);

        // When it is resumed on the other data, saving to the same directory
        var result = Commands.Cli.Run([.. Train, "--data", other, "--epochs", "3",
            "--checkpoint", run, "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then one line names the checkpoint and both counts, and nothing is written
        Assert.Equal(
            $"error: --resume {checkpoint}: --data (its test images) gives {images} but the "
            + "checkpoint's run was tested on 20",
            result.AssertOneErrorLine(2));
        Assert.Empty(result.OutLines);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.Equal(["checkpoint.json"], Directory.GetFiles(run).Select(Path.GetFileName));
        Assert.False(File.Exists(dir.File("m.json")));

        // And the checkpoint still resumes on its own data
        Commands.Cli.Run([.. Train, "--data", saved, "--epochs", "3", "--checkpoint", run,
            "--resume", checkpoint, "--out", dir.File("m.json")]).AssertSucceeded();
    }

    [Fact]
    public void A_run_resumed_twice_from_its_own_checkpoints_ends_as_the_uninterrupted_run()
    {
        // Given a run that holds images out and keeps its best network, uninterrupted
        using var dir = new Commands.TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run =
        [
            .. Train, "--data", data, "--optimizer", "adam", "--validation", "20",
            "--early-stop", "3",
        ];
        Commands.Cli.Run([.. run, "--epochs", "3", "--out", dir.File("whole.json")])
            .AssertSucceeded();

        // When the same run stops after each epoch and resumes from the checkpoint it saved,
        // replacing it
        var directory = dir.File("run");
        var checkpoint = Path.Combine(directory, "checkpoint.json");
        Commands.Cli.Run([.. run, "--epochs", "1", "--checkpoint", directory,
            "--out", dir.File("m.json")]).AssertSucceeded();
        var second = Commands.Cli.Run([.. run, "--epochs", "2", "--checkpoint", directory,
            "--resume", checkpoint, "--out", dir.File("m.json")]);
        var third = Commands.Cli.Run([.. run, "--epochs", "3", "--checkpoint", directory,
            "--resume", checkpoint, "--out", dir.File("m.json"), "--json"]);

        // Then each resume reads the checkpoint the one before wrote, the last one reads too,
        // and the model is the uninterrupted run's
        second.AssertSucceeded();
        third.AssertSucceeded();
        Assert.Contains(
            $"resuming from {checkpoint}: epoch 2 of 3 done (step 16)", third.ErrorLines);
        var header = FinAssert.Succeeds(CheckpointFile.ReadHeader(checkpoint));
        Assert.Equal(3, header.Epoch);
        Assert.All(header.History, m => Assert.Equal((20, 20), (m.ValidationTotal, m.TestTotal)));
        Assert.Equal(
            File.ReadAllBytes(dir.File("whole.json")), File.ReadAllBytes(dir.File("m.json")));
        Assert.Equal(["checkpoint.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }
}
