using System.IO;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A checkpoint's settings are held to the rules the command line holds their options to, and
/// to the rest of the file, when it is read: a value no run can have written, spelled as a run
/// spells values, is damage (exit code 1) named with what was expected, never an argument the
/// resume should change (exit code 2).
/// </summary>
public sealed class SettingRulesTests
{
    // The options of the run that writes the checkpoint (its resume gives the same ones), the
    // setting edited, its new value, and the error after the file's name.
    [Theory]
    [InlineData(
        "",
        "learningRate",
        "-0.1",
        "expected a finite number > 0, as --learning-rate takes")]
    [InlineData("", "learningRate", "0", "expected a finite number > 0, as --learning-rate takes")]
    [InlineData("", "learningRate", "", "expected a finite number > 0, as --learning-rate takes")]
    [InlineData(
        "--optimizer adam",
        "momentum",
        "1",
        "expected a number in [0, 1), as --momentum takes, or ''")]
    [InlineData(
        "--optimizer adam",
        "beta2",
        "-0.5",
        "expected a number in [0, 1), as --beta2 takes, or ''")]
    [InlineData("", "weightDecay", "-1", "expected a finite number ≥ 0, as --weight-decay takes")]
    [InlineData("", "weightDecay", "", "expected a finite number ≥ 0, as --weight-decay takes")]
    [InlineData("", "l2", "-0.01", "expected a finite number ≥ 0, as --l2 takes")]
    [InlineData("", "l2", "", "expected a finite number ≥ 0, as --l2 takes")]
    [InlineData("", "clipNorm", "-1", "expected a finite number > 0, as --clip-norm takes, or ''")]
    [InlineData("", "clipNorm", "0", "expected a finite number > 0, as --clip-norm takes, or ''")]
    [InlineData(
        "--schedule step", "decayFactor", "1.5",
        "expected a number in (0, 1], as --decay-factor takes, or ''")]
    [InlineData(
        "--schedule step", "decayFactor", "0",
        "expected a number in (0, 1], as --decay-factor takes, or ''")]
    [InlineData(
        "--schedule step", "decayEvery", "0",
        "expected a whole number ≥ 1 in digits, with no leading zero, or ''")]
    [InlineData("", "warmup", "", "expected a whole number ≥ 0 in digits, with no leading zero")]
    [InlineData("", "dropout", "1", "expected a number in [0, 1), as --dropout takes")]
    [InlineData("", "dropout", "", "expected a number in [0, 1), as --dropout takes")]
    [InlineData(
        "",
        "batchSize",
        "0",
        "expected a whole number ≥ 1 in digits, with no leading zero")]
    [InlineData("", "earlyStop", "", "expected a whole number ≥ 0 in digits, with no leading zero")]
    [InlineData("", "chain", "", "expected an optimizer chain")]
    public void A_setting_its_option_would_refuse_is_named_with_the_range(
        string options, string key, string value, string expected) =>
        AssertDamage(options, key, value, $"setting '{key}' is \"{value}\"; {expected}");

    [Theory]
    [InlineData(
        "", "momentum", "0",
        "but --momentum does not apply to --optimizer sgd: it is μ for momentum and nesterov, "
            + "β₁ for adam and adamw; expected \"\"")]
    [InlineData(
        "--optimizer momentum", "beta2", "0.9",
        "but --beta2 does not apply to --optimizer momentum: it is β₂ for adam and adamw, ρ "
            + "for rmsprop; expected \"\"")]
    [InlineData(
        "", "decayFactor", "0.5",
        "but --decay-factor does not apply to --schedule constant: it shapes the step and "
            + "exponential schedules; expected \"\"")]
    [InlineData(
        "", "decayEvery", "3",
        "but --decay-every does not apply to --schedule constant: it shapes the step and "
            + "exponential schedules; expected \"\"")]
    [InlineData(
        "--optimizer adam", "momentum", "",
        "but --optimizer adam takes --momentum; expected a number in [0, 1)")]
    [InlineData(
        "--optimizer rmsprop", "beta2", "",
        "but --optimizer rmsprop takes --beta2; expected a number in [0, 1)")]
    [InlineData(
        "--schedule step", "decayFactor", "",
        "but --schedule step takes --decay-factor; expected a number in (0, 1]")]
    [InlineData(
        "--schedule exponential", "decayEvery", "",
        "but --schedule exponential takes --decay-every; expected a whole number ≥ 1 in digits, "
            + "with no leading zero")]
    public void A_setting_where_its_option_means_nothing_or_missing_where_it_means_something(
        string options, string key, string value, string expected) =>
        AssertDamage(options, key, value, $"setting '{key}' is \"{value}\" {expected}");

    [Theory]
    [InlineData(
        "", "chain", "SGD, η = constant(0.1)",
        "; expected \"sgd, η = constant(0.1)\", the chain the other settings make")]
    [InlineData(
        "", "chain", "sgd, η = constant(0.10)",
        "; expected \"sgd, η = constant(0.1)\", the chain the other settings make")]
    [InlineData(
        "--clip-norm 5", "chain", "sgd, η = constant(0.1)",
        "; expected \"clip-norm(5) → sgd, η = constant(0.1)\", the chain the other settings "
            + "make")]
    [InlineData(
        "--schedule cosine", "chain", "sgd, η = cosine(0.1 → 0 over 100)",
        "; expected \"sgd, η = cosine(0.1 → 0 over 188)\", the chain the other settings make, "
            + "over 1 epoch or more of 188 steps")]
    [InlineData(
        "", "precision", "float64", " but the checkpoint is float32; expected the same")]
    public void A_setting_at_odds_with_the_rest_of_the_file_is_named(
        string options, string key, string value, string expected) =>
        AssertDamage(options, key, value, $"setting '{key}' is \"{value}\"{expected}");

    [Theory]
    [InlineData(
        "",
        "learningRate",
        "1E-50",
        "which is 0 in float32, where it must be > 0",
        "at least 1E-45")]
    [InlineData(
        "",
        "weightDecay",
        "1E+300",
        "which is ∞ in float32, past its largest number",
        "at most 3.4028235E+38")]
    [InlineData(
        "--optimizer adam",
        "momentum",
        "0.99999999",
        "which is 1 in float32, where it must be below 1",
        "at most 0.99999994")]
    [InlineData(
        "--activation leaky-relu:0.5", "activation", "leaky-relu:0.99999999",
        "whose leaky ReLU slope is 1 in float32, where it must be below 1", "at most 0.99999994")]
    public void A_float32_setting_that_float32_cannot_hold_is_named(
        string options, string key, string value, string fault, string limit) =>
        AssertDamage(
            options,
            key,
            value,
            $"setting '{key}' is \"{value}\", {fault}, and the run is float32 (setting "
                + $"'precision'); expected {limit}");

    [Fact]
    public void Sizes_other_than_the_stored_networks_are_named()
    {
        AssertDamage(
            string.Empty,
            "sizes",
            "784 → 9 → 10",
            "model is 784 → 8 → 10 but setting 'sizes' is \"784 → 9 → 10\"; expected the "
                + "same");
    }

    [Fact]
    public void A_cosine_chain_over_more_epochs_than_taken_is_the_one_its_settings_make()
    {
        // Given the checkpoint of a cosine run of 10 epochs that stopped early after 3 (the
        // rate is set to make the validation loss rise at once)
        using var dir = new Commands.TempDirectory();
        string[] run =
        [
            "train", "--hidden", "8", "--schedule", "cosine", "--epochs", "10",
            "--validation", "1000", "--early-stop", "1", "--learning-rate", "3",
        ];
        Commands.Cli.Run([.. run, "--checkpoint", dir.File("run"), "--out", dir.File("a.json")])
            .AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        var saved = JsonNode.Parse(File.ReadAllText(checkpoint))!;
        Assert.Equal(3, (int)saved["epoch"]!);
        Assert.Equal("sgd, η = cosine(3 → 0 over 1570)", (string)saved["settings"]!["chain"]!);

        // When it is resumed with the same settings
        var result = Commands.Cli.Run(
            [.. run, "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then its chain, over 10 epochs of 157 steps, is read as the one the settings make
        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    private static void AssertDamage(string options, string key, string value, string expected)
    {
        // Given a checkpoint with one setting edited
        using var dir = new Commands.TempDirectory();
        var given = options.Length == 0 ? [] : options.Split(' ');
        var checkpoint = DamagedCheckpointTests.Checkpoint(dir, given);
        JsonEdit.File(checkpoint, json => json["settings"]![key] = value);

        // When the run is resumed with the options that wrote it
        var result = DamagedCheckpointTests.Resume(dir, checkpoint, given);

        // Then the file is damaged, there, and nothing is written
        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }
}
