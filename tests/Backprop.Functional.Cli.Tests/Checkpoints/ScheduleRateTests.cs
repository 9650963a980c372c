using System;
using System.Globalization;
using System.IO;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// The η a checkpoint records, per epoch and in its optimizer state, is the one the run's
/// schedule gives for the epoch's last step, bit for bit for every schedule: their powers, as
/// their cosines, are the library's portable ones. The embedded sample's 6000 training images
/// in batches of 32 make 188 steps an epoch.
/// </summary>
public sealed class ScheduleRateTests
{
    [Theory]
    [InlineData(new string[0], 1, 0.5, "constant(0.1)", 0.1, 188)]
    [InlineData(new string[0], 2, 0.10000000000000002, "constant(0.1)", 0.1, 376)]
    [InlineData(
        new[] { "--warmup", "250" }, 1, 0.1, "constant(0.1) after 250 warm-up steps", 0.0752, 188)]
    [InlineData(
        new[] { "--schedule", "step", "--decay-every", "1" },
        2,
        0.1,
        "step(0.1 × 0.1 every 188)",
        0.010000000000000002,
        376)]
    public void An_epoch_rate_other_than_the_schedules_is_exit_code_1_naming_the_entry(
        string[] schedule, int entry, double rate, string name, double expected, int step)
    {
        // Given the checkpoint of a two-epoch run with one epoch's η edited
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, 2, schedule);
        Edit(checkpoint, json => json["history"]![entry - 1]!["learningRate"] = rate);

        // When it is resumed with the same settings
        var result = Resume(dir, checkpoint, 3, schedule);

        // Then one line names the entry, its η, the schedule and the η it gives there
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry {entry}: 'learningRate' is {Text(rate)} but "
            + $"the schedule, {name}, gives {Text(expected)} for step {step}, the last of epoch "
            + $"{entry}; expected the same",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_cosine_rate_is_compared_bit_for_bit()
    {
        // Given a finished cosine run of two epochs (cosine follows --epochs, so its checkpoint
        // is resumed with the same, and refused for having nothing left to train; the rates
        // are checked before that)
        using var dir = new Commands.TempDirectory();
        string[] cosine = ["--schedule", "cosine"];
        var checkpoint = Checkpoint(dir, 2, cosine);
        var sound = Resume(dir, checkpoint, 2, cosine);
        var η = Backprop.Functional.Schedule.Cosine(0.1, 376).At(375);
        Edit(checkpoint, json => json["history"]![1]!["learningRate"] = Math.BitIncrement(η));

        // When it is resumed with its last η one bit off
        var result = Resume(dir, checkpoint, 2, cosine);

        // Then the sound checkpoint passed the rates (and, at its last epoch, wrote its model),
        // and the edited one is refused
        sound.AssertSucceeded();
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 2: 'learningRate' is "
            + $"{Text(Math.BitIncrement(η))} but the schedule, cosine(0.1 → 0 over 376), gives "
            + $"{Text(η)} for step 376, the last of epoch 2; expected the same",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("step", "step(0.1 × 0.3 every 188)")]
    [InlineData("exponential", "exponential(0.1 × 0.3 per 188)")]
    public void A_power_schedules_rate_is_compared_bit_for_bit(string kind, string name)
    {
        // Given a checkpoint whose η comes from a power, the last epoch's a bit off, as another
        // system's C library might have rounded it before the power was the library's own
        using var dir = new Commands.TempDirectory();
        string[] schedule = ["--schedule", kind, "--decay-every", "1", "--decay-factor", "0.3"];
        var checkpoint = Checkpoint(dir, 2, schedule);
        var sound = Resume(dir, checkpoint, 3, schedule);
        var η = JsonNode.Parse(File.ReadAllText(checkpoint))!["history"]![1]!["learningRate"]!
            .GetValue<double>();
        Edit(checkpoint, json =>
        {
            json["history"]![1]!["learningRate"] = Math.BitIncrement(η);
            json["optimizer"]!["learningRate"] = Math.BitIncrement(η);
        });

        // When it is resumed
        var result = Resume(dir, checkpoint, 3, schedule);

        // Then the sound one went on, its η at the end of epoch 2 the library's (after 375
        // updates: 0.1 × 0.3 for step, 0.1 × 0.3^(375/188) for exponential), and the edited
        // one is refused
        var library = kind == "step"
            ? Backprop.Functional.Schedule.Step(0.1, 188, 0.3)
            : Backprop.Functional.Schedule.Exponential(0.1, 0.3, 188);
        sound.AssertSucceeded();
        Assert.Equal(library.At(375), η);
        Assert.Equal(name, library.Name);
        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 2: 'learningRate' is "
            + $"{Text(Math.BitIncrement(η))} but the schedule, {name}, gives {Text(η)} for step "
            + "376, the last of epoch 2; expected the same",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void An_optimizer_rate_other_than_the_last_epochs_is_exit_code_1()
    {
        // Given a checkpoint whose optimizer state claims another η than its last epoch
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, 1, []);
        Edit(checkpoint, json => json["optimizer"]!["learningRate"] = 0.5);

        // When it is resumed
        var result = Resume(dir, checkpoint, 2, []);

        // Then the line names the optimizer's η, the epoch's and the step
        Assert.Equal(
            $"error: {checkpoint}: optimizer: 'learningRate' is 0.5 but 'history' entry 1's is "
            + "0.1; expected the same, the η of step 188, the last taken",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    private static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static Commands.CliResult Resume(
        Commands.TempDirectory dir, string checkpoint, int epochs, string[] schedule) =>
        Commands.Cli.Run(
            [
                "train", "--hidden", "8", "--epochs", Text(epochs), .. schedule,
                "--resume", checkpoint, "--out", dir.File("m.json"),
            ]);

    // The checkpoint of a run of the 784 → 8 → 10 network on the embedded sample.
    private static string Checkpoint(Commands.TempDirectory dir, int epochs, string[] schedule)
    {
        Commands.Cli.Run(
            [
                "train", "--hidden", "8", "--epochs", Text(epochs), .. schedule,
                "--checkpoint", dir.File("run"), "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        return Path.Combine(dir.File("run"), "checkpoint.json");
    }

    private static void Edit(string path, Action<JsonObject> change) =>
        JsonEdit.File(path, change);

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
