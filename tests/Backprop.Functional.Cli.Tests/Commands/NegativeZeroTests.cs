using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A decimal option given as −0 (<c>-0</c>, <c>-0.0</c>, or a negative number too small for a
/// double) is 0, the same setting, wherever the run writes it: the settings, the optimizer
/// chain and the checkpoint. It used to reach the chain as −0 (<c>momentum(μ = -0)</c>), so a
/// resume with <c>--momentum 0</c> was refused for a chain that differed only there; and a
/// checkpoint that an older version wrote so is resumed with 0.
/// </summary>
public sealed class NegativeZeroTests
{
    // The options before the one under test, the option, and its key in the JSON settings.
    [Theory]
    [InlineData("--optimizer|momentum", "--momentum", "-0", "momentum")]
    [InlineData("--optimizer|nesterov", "--momentum", "-0.0", "momentum")]
    [InlineData("--optimizer|adam", "--momentum", "-0e5", "momentum")]
    [InlineData("--optimizer|adam", "--beta2", "-0", "beta2")]
    [InlineData("--optimizer|rmsprop", "--beta2", "-1e-400", "beta2")]
    [InlineData("--optimizer|sgd", "--weight-decay", "-0", "weightDecay")]
    [InlineData("--optimizer|sgd", "--l2", "-0", "l2")]
    [InlineData("--optimizer|sgd", "--dropout", "-0", "dropout")]
    public void Minus_zero_is_recorded_and_built_as_zero(
        string before, string option, string value, string key)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var result = Cli.Run(
        [
            "train", "--data", data, "--epochs", "1", "--hidden", "2", .. before.Split('|'),
            option, value, "--out", dir.File("m.json"), "--json",
        ]);

        result.AssertSucceeded();
        var settings = result.Json().At("settings");
        Assert.Equal("0", settings.GetProperty(key).GetRawText());
        Assert.DoesNotMatch(@"[=(]\s*-0\b", settings.GetProperty("optimizerChain").GetString());
    }

    [Fact]
    public void A_leaky_slope_of_minus_zero_is_relu()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "2", "--activation",
            "leaky-relu:-0", "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        Assert.Equal("relu", result.Json().Text("settings.activation"));
    }

    [Theory]
    [InlineData("-0", "0")]
    [InlineData("0", "-0")]
    public void A_run_given_minus_zero_resumes_with_zero_and_the_other_way(
        string first, string then)
    {
        // Given a checkpoint of a momentum run of one epoch
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run = ["train", "--data", data, "--hidden", "2", "--optimizer", "momentum"];
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        string[] saving = ["--checkpoint", dir.File("run"), "--out", dir.File("first.json")];
        Cli.Run([.. run, "--momentum", first, "--epochs", "1", .. saving]).AssertSucceeded();

        // When it is resumed with the other way of writing 0
        string[] resuming = ["--resume", checkpoint, "--out", dir.File("m.json")];
        var result = Cli.Run([.. run, "--momentum", then, "--epochs", "2", .. resuming]);

        // Then the settings agree
        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    // Checkpoints written before −0 was recorded as 0 say "-0" in the setting, and the chain
    // built from it "μ = -0" (or "β₁ = -0", "β₂ = -0", "ρ = -0"); those written after the
    // settings' fix but before the chain's say 0 in the setting and -0 in the chain. Either
    // resumes with 0, the same setting. Each row: the run's options, the setting, and the
    // chain's 0 as this program writes it (none when the chain leaves the setting out).
    [Theory]
    [InlineData("--optimizer|momentum|--momentum|0", "momentum", "μ = 0")]
    [InlineData("--optimizer|nesterov|--momentum|0", "momentum", "μ = 0")]
    [InlineData("--optimizer|adam|--momentum|0", "momentum", "β₁ = 0")]
    [InlineData("--optimizer|adam|--beta2|0", "beta2", "β₂ = 0")]
    [InlineData("--optimizer|rmsprop|--beta2|0", "beta2", "ρ = 0")]
    [InlineData("--weight-decay|0", "weightDecay", null)]
    [InlineData("--l2|0", "l2", null)]
    [InlineData("--dropout|0", "dropout", null)]
    public void A_checkpoint_that_records_minus_zero_resumes_with_zero(
        string options, string key, string? zero)
    {
        // Given a checkpoint of one epoch edited as an older version wrote it
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run = ["train", "--data", data, "--hidden", "2", .. options.Split('|')];
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Cli.Run([.. run, "--epochs", "1", "--checkpoint", dir.File("run"), "--out", dir.File("a")])
            .AssertSucceeded();
        var text = File.ReadAllText(checkpoint);
        var setting = $"\"{key}\": \"0\"";
        Assert.Contains(setting, text);
        text = text.Replace(setting, $"\"{key}\": \"-0\"");
        if (zero is not null)
        {
            Assert.Contains(zero, text);
            text = text.Replace(zero, zero.Replace("= 0", "= -0"));
        }

        File.WriteAllText(checkpoint, text);

        // When it is resumed with 0
        var result = Cli.Run(
            [.. run, "--epochs", "2", "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then the settings agree
        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_chain_at_odds_with_its_settings_is_damage_and_does_not_blame_the_epochs()
    {
        // Given a checkpoint whose chain records another μ than its settings
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] run =
        [
            "train", "--data", data, "--hidden", "2", "--optimizer", "momentum", "--momentum",
            "0",
        ];
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Cli.Run([.. run, "--epochs", "1", "--checkpoint", dir.File("run"), "--out", dir.File("a")])
            .AssertSucceeded();
        const string Chain = "\"chain\": \"momentum(μ = 0), η = constant(0.01)\"";
        var text = File.ReadAllText(checkpoint);
        Assert.Contains(Chain, text);
        File.WriteAllText(checkpoint, text.Replace(Chain, Chain.Replace("μ = 0", "μ = 0.5")));

        // When it is resumed
        var result = Cli.Run(
            [.. run, "--epochs", "2", "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then the file is damaged, named with the chain its settings make, and neither the
        // arguments nor the epochs are blamed
        Assert.Equal(
            $"error: {checkpoint}: setting 'chain' is \"momentum(μ = 0.5), η = constant(0.01)\"; "
            + "expected \"momentum(μ = 0), η = constant(0.01)\", the chain the other settings make",
            result.AssertOneErrorLine(1));
    }
}
