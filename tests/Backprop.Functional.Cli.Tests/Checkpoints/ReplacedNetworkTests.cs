using System.Globalization;
using System.IO;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A checkpoint's networks must give the validation losses its history records for their
/// epochs: a network put in place of another of the same shape is refused as damage (exit
/// code 1, nothing written), where train --resume used to write it as the best.
/// </summary>
public sealed class ReplacedNetworkTests
{
    private static readonly string[] Options = ["--hidden", "8", "--validation", "500"];

    [Fact]
    public void A_best_network_replaced_by_the_current_one_is_refused_naming_both_losses()
    {
        // Given a two-epoch checkpoint of a run that stops early, edited as if epoch 1 were
        // its best, with the network after epoch 2 as 'best'
        using var dir = new Commands.TempDirectory();
        var checkpoint = TwoEpochs(dir, "--early-stop", "3");
        var history = Read(checkpoint)["history"]!;
        var (first, second) = (Loss(history[0]!), Loss(history[1]!));
        JsonEdit.File(checkpoint, json =>
        {
            json["history"]![1]!["validationLoss"] = first + 1;
            json["bestEpoch"] = 1;
            json["best"] = json["model"]!.DeepClone();
        });
        var before = File.ReadAllBytes(checkpoint);

        // When
        var result = Resume(dir, checkpoint, "--early-stop", "3");

        // Then the best network's loss, that of epoch 2, is not epoch 1's
        Assert.Equal(
            Refusal(checkpoint, "'best'", 1, second, first), result.AssertOneErrorLine(1));
        Assert.Empty(result.Out);
        Assert.False(File.Exists(dir.File("m.json")));
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void A_model_replaced_by_the_network_of_an_earlier_epoch_is_refused()
    {
        // Given a two-epoch checkpoint whose model is replaced by the model file written
        // after epoch 1, of the same shape
        using var dir = new Commands.TempDirectory();
        var checkpoint = TwoEpochs(dir);
        var history = Read(checkpoint)["history"]!;
        var first = Read(dir.File("first.json"));
        JsonEdit.File(checkpoint, json => json["model"] = first.DeepClone());

        // When
        var result = Resume(dir, checkpoint);

        // Then
        Assert.Equal(
            Refusal(checkpoint, "'model'", 2, Loss(history[0]!), Loss(history[1]!)),
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_sound_checkpoint_with_a_best_network_resumes()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = TwoEpochs(dir, "--early-stop", "3");

        Resume(dir, checkpoint, "--early-stop", "3").AssertSucceeded();
    }

    // The checkpoint after two epochs, by a run of one and a resumed run of one more, with
    // the model after the first in first.json.
    private static string TwoEpochs(Commands.TempDirectory dir, params string[] more)
    {
        var run = dir.File("run");
        var checkpoint = Path.Combine(run, "checkpoint.json");
        Commands.Cli.Run(
            [
                "train", "--epochs", "1", .. Options, .. more, "--checkpoint", run,
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        Commands.Cli.Run(
            [
                "train", "--epochs", "2", .. Options, .. more, "--checkpoint", run,
                "--resume", checkpoint, "--out", dir.File("second.json"),
            ]).AssertSucceeded();
        return checkpoint;
    }

    private static Commands.CliResult Resume(
        Commands.TempDirectory dir, string checkpoint, params string[] more) =>
        Commands.Cli.Run(
            [
                "train", "--epochs", "3", .. Options, .. more, "--resume", checkpoint,
                "--out", dir.File("m.json"),
            ]);

    // The error line of a network whose validation loss is not the one recorded for its epoch.
    private static string Refusal(
        string checkpoint, string name, int epoch, double given, double recorded) =>
        $"error: {checkpoint}: {name}, the network after epoch {epoch}, gives a validation loss "
        + $"of {Text(given)} but 'history' records {Text(recorded)} for epoch {epoch}; expected "
        + "the same, as a run repeats its evaluations (the network was replaced, or --data is "
        + "not the data of the checkpoint's run)";

    private static JsonNode Read(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    private static double Loss(JsonNode entry) => entry["validationLoss"]!.GetValue<double>();

    private static string Text(double x) => x.ToString(CultureInfo.InvariantCulture);
}
