using System;
using System.IO;
using System.Text.Json.Nodes;
using Backprop.Functional.Cli.Tests.Commands;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// The losses in a checkpoint's history that a run can write and those it cannot. A run stops
/// at the first batch whose loss is not finite, so an epoch's training loss is never NaN, and
/// in float32 never ∞; in float64 the finite batch losses of an epoch can still add up to ∞.
/// The validation and test losses are measured after the epoch, and a run whose network gives
/// a non-finite one stops there, before that epoch's checkpoint: they are always finite.
/// </summary>
public sealed class HistoryLossTests
{
    [Theory]
    [InlineData(
        "float32", "NaN",
        "'trainingLoss' is NaN; expected a finite number ≥ 0: a run stops at a batch whose loss "
            + "is not finite, so its epochs' means are numbers")]
    [InlineData(
        "float32", "Infinity",
        "'trainingLoss' is Infinity; expected a finite number ≥ 0: a float32 run's batch losses "
            + "are finite, and their sum fits in a double")]
    [InlineData(
        "float64", "NaN",
        "'trainingLoss' is NaN; expected a number ≥ 0: a run stops at a batch whose loss is not "
            + "finite, so its epochs' means are numbers")]
    [InlineData("float64", "-Infinity", "'trainingLoss' is -Infinity; expected a number ≥ 0")]
    public void A_training_loss_no_run_writes_is_exit_code_1_naming_the_entry(
        string precision, string loss, string expected)
    {
        // Given the checkpoint of a two-epoch run whose second epoch claims the loss
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--epochs", "2", "--precision", precision);
        Edit(checkpoint, json => json["history"]![1]!["trainingLoss"] = loss);

        // When it is resumed
        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "3", "--precision", precision,
            "--resume", checkpoint, "--out", dir.File("m.json"));

        // Then one line names the file, the entry and the field, and nothing is written
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 2: {expected}",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_float64_run_whose_batch_losses_add_up_past_the_largest_double_resumes()
    {
        // Given a float64 run with η so large that each batch's loss is finite but near 10³⁰⁶,
        // so that an epoch of 6000 of them adds up to more than a double holds
        using var dir = new Commands.TempDirectory();
        string[] huge =
        [
            "--precision", "float64", "--hidden", string.Empty, "--batch-size", "1",
            "--learning-rate", "1e303",
        ];
        Commands.Cli.Run(
            [
                "train", "--epochs", "1", .. huge, "--checkpoint", dir.File("run"),
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        var saved = JsonNode.Parse(File.ReadAllText(checkpoint))!["history"]![0]!;

        // When it is resumed
        var result = Commands.Cli.Run(
            [
                "train", "--epochs", "2", .. huge, "--resume", checkpoint,
                "--out", dir.File("m.json"), "--json",
            ]);

        // Then the checkpoint recorded an infinite training loss, and the run went on from it
        Assert.Equal("Infinity", saved["trainingLoss"]!.GetValue<string>());
        result.AssertSucceeded();
        Assert.Equal(
            "Infinity", result.Json().At("epochs")[0].At("trainingLoss").GetString());
    }

    [Theory]
    [InlineData("testLoss", "NaN")]
    [InlineData("testLoss", "Infinity")]
    [InlineData("validationLoss", "NaN")]
    [InlineData("validationLoss", "Infinity")]
    public void A_validation_or_test_loss_that_is_not_finite_is_refused(string key, string loss)
    {
        // Given a checkpoint edited to say its network overflowed on held-out images, which no
        // run writes
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--epochs", "1", "--validation", "100");
        Edit(checkpoint, json => json["history"]![0]![key] = loss);

        // When it is resumed
        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--validation", "100",
            "--resume", checkpoint, "--out", dir.File("m.json"), "--json");

        // Then one line names the entry and the figure, and nothing is written
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: '{key}' is {loss}; expected a finite "
            + "number ≥ 0: a run stops at an epoch whose network's mean loss on the held-out "
            + "images is not finite",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    // Float32's largest number is 3.4028234663852886E+38: a float32 run's losses, each a
    // float32 number, and their means are no larger; 3.5E+38 and 1E+300 are doubles only.
    [Theory]
    [InlineData("float32", "trainingLoss", "1E+300")]
    [InlineData("float32", "trainingLoss", "3.5E+38")]
    [InlineData("float32", "validationLoss", "1E+300")]
    [InlineData("float32", "testLoss", "3.5E+38")]
    public void A_loss_beyond_float32s_range_is_refused_in_a_float32_checkpoint(
        string precision, string key, string loss)
    {
        // Given the checkpoint of a float32 run edited to claim the loss
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(
            dir, "--epochs", "1", "--validation", "100", "--precision", precision);
        Edit(checkpoint, json => json["history"]![0]![key] = JsonNode.Parse(loss));

        // When it is resumed
        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--validation", "100",
            "--precision", precision, "--resume", checkpoint, "--out", dir.File("m.json"));

        // Then one line names the entry and the figure, and nothing is written
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: '{key}' is {loss}; expected a finite "
            + "number ≥ 0 within float32's range, ±3.4028235E+38: a float32 run's losses are "
            + "float32 numbers, and their mean is no larger",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void The_largest_float32_loss_is_taken_in_a_float32_checkpoint()
    {
        // Given a float32 checkpoint whose test loss is float32's largest number, written as
        // the shortest decimal of the float (a double a little above the float itself)
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--epochs", "1");
        Edit(checkpoint, json =>
            json["history"]![0]!["testLoss"] = JsonNode.Parse("3.4028235E+38"));

        // When it is resumed, the history is taken
        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--resume", checkpoint,
            "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        Assert.Equal(3.4028235E+38, result.Json().At("epochs")[0].Number("testLoss"));
    }

    // The checkpoint of a run of the 784 → 8 → 10 network on the embedded sample.
    private static string Checkpoint(Commands.TempDirectory dir, params string[] options)
    {
        Commands.Cli.Run(
            [
                "train", "--hidden", "8", .. options, "--checkpoint", dir.File("run"),
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        return Path.Combine(dir.File("run"), "checkpoint.json");
    }

    private static void Edit(string path, Action<JsonObject> change) =>
        JsonEdit.File(path, change);
}
