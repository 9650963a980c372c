using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// --optimizer, its hyperparameters, the gradient transforms and the learning-rate schedule:
/// what the settings line and the JSON say, and that each choice reaches the training.
/// </summary>
public sealed class TrainOptimizerTests
{
    [Theory]
    [InlineData("sgd", 0.1, null, null, "sgd, η = constant(0.1)")]
    [InlineData("momentum", 0.01, 0.9, null, "momentum(μ = 0.9), η = constant(0.01)")]
    [InlineData("nesterov", 0.01, 0.9, null, "nesterov(μ = 0.9), η = constant(0.01)")]
    [InlineData("adam", 0.001, 0.9, 0.999, "adam(β₁ = 0.9, β₂ = 0.999, ε = 1E-08)")]
    [InlineData("adamw", 0.001, 0.9, 0.999, "weight-decay(0.01) → adam(β₁ = 0.9, β₂ = 0.999")]
    [InlineData("rmsprop", 0.001, null, 0.99, "rmsprop(ρ = 0.99, ε = 1E-08), η = constant(0.001)")]
    public void Each_optimizer_trains_with_its_defaults_and_says_so(
        string optimizer, double rate, double? momentum, double? beta2, string chain)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "2", "--batch-size", "10",
            "--optimizer", optimizer, "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var s = result.Json().At("settings");
        Assert.Equal(optimizer, s.Text("optimizer"));
        Assert.Contains(chain, s.Text("optimizerChain"), StringComparison.Ordinal);
        Assert.Equal(rate, s.Number("learningRate"));
        Assert.Equal(momentum, Nullable(s.At("momentum")));
        Assert.Equal(beta2, Nullable(s.At("beta2")));
        Assert.Equal(optimizer == "adamw" ? 0.01 : 0.0, s.Number("weightDecay"));
        Assert.Contains($"optimizer {chain}", result.ErrorLines[2], StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void The_settings_line_names_the_whole_chain_and_the_schedule_once()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "2", "--batch-size", "10",
            "--optimizer", "nesterov", "--momentum", "0.8", "--learning-rate", "0.05",
            "--clip-norm", "2", "--l2", "0.001", "--weight-decay", "0.0005", "--dropout", "0.25",
            "--schedule", "cosine", "--warmup", "3", "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.Equal(
            "training: softmax-cross-entropy loss, optimizer clip-norm(2) → l2(0.001) → "
            + "weight-decay(0.0005) → nesterov(μ = 0.8), η = cosine(0.05 → 0 over 20) after 3 "
            + "warm-up steps, dropout 0.25, batch size 10, 2 epochs, seed 1",
            result.OutLines[2]);
        Assert.Single(result.OutLines, l => l.Contains("cosine(", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1", "after 1 warm-up step,")]
    [InlineData("2", "after 2 warm-up steps,")]
    public void The_settings_line_counts_the_warmup_steps(string warmup, string counted)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "1", "--batch-size", "10",
            "--warmup", warmup, "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.Equal(
            $"training: softmax-cross-entropy loss, optimizer sgd, η = constant(0.1) {counted} "
            + "batch size 10, 1 epoch, seed 1",
            result.OutLines[2]);
    }

    [Fact]
    public void A_step_schedule_halves_the_rate_every_epoch_and_the_json_shows_each_epochs_rate()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "3", "--batch-size", "10",
            "--learning-rate", "0.2", "--schedule", "step", "--decay-every", "1",
            "--decay-factor", "0.5", "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var json = result.Json();
        var rates = json.At("epochs").EnumerateArray().Select(e => e.Number("learningRate"));
        Assert.Equal([0.2, 0.1, 0.05], rates);
        Assert.Equal("step", json.Text("settings.schedule"));
        Assert.Equal(0.5, json.Number("settings.decayFactor"));
        Assert.Equal(1, json.At("settings.decayEvery").GetInt32());
        Assert.EndsWith(
            "η = step(0.2 × 0.5 every 10)", json.Text("settings.optimizerChain"));
        Assert.Contains("  η 0.05  ", result.ErrorLines.Single(l => l.StartsWith("epoch 3/3")));
    }

    [Fact]
    public void Step_and_exponential_schedules_decay_by_a_tenth_every_third_of_the_run_by_default()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));
        string[] run =
        [
            "train", "--data", data, "--hidden", "4", "--epochs", "7", "--batch-size", "100",
            "--out", dir.File("m.json"), "--json",
        ];

        var step = Cli.Run([.. run, "--schedule", "step"]);
        var exponential = Cli.Run([.. run, "--schedule", "exponential"]);

        step.AssertSucceeded();
        exponential.AssertSucceeded();
        Assert.Equal(3, step.Json().At("settings.decayEvery").GetInt32());
        Assert.Equal(0.1, step.Json().Number("settings.decayFactor"));
        var rates = step.Json().At("epochs").EnumerateArray()
            .Select(e => e.Number("learningRate")).ToArray();
        Assert.Equal(
            [0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.01], rates, Close);
        var smooth = exponential.Json().At("epochs").EnumerateArray()
            .Select(e => e.Number("learningRate")).ToArray();
        Assert.Equal(
            Enumerable.Range(0, 7).Select(e => 0.1 * Math.Pow(0.1, e / 3.0)), smooth, Close);
    }

    [Fact]
    public void Cosine_decays_over_the_whole_run_and_warmup_counts_steps()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        // 100 images in batches of 10: 10 steps an epoch, 40 in the run; 15 warm-up steps.
        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "4", "--batch-size", "10",
            "--learning-rate", "0.4", "--schedule", "cosine", "--warmup", "15",
            "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var rates = result.Json().At("epochs").EnumerateArray()
            .Select(e => e.Number("learningRate")).ToArray();
        double Cosine(int t) => 0.2 * (1 + Math.Cos(Math.PI * t / 40));
        Assert.Equal(Cosine(9) * 10 / 15, rates[0], 1e-12);
        Assert.Equal(Cosine(19), rates[1], 1e-12);
        Assert.Equal(Cosine(39), rates[3], 1e-12);
        Assert.Equal(15, result.Json().At("settings.warmup").GetInt32());
    }

    [Fact]
    public void Dropout_weight_decay_l2_and_clipping_each_change_the_trained_model()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));
        byte[] Train(string name, params string[] extra)
        {
            var path = dir.File(name);
            Cli.Run([
                "train", "--data", data, "--hidden", "4", "--epochs", "2", "--batch-size", "10",
                "--optimizer", "adam", "--out", path, .. extra]).AssertSucceeded();
            return File.ReadAllBytes(path);
        }

        var plain = Train("plain.json");
        var variants = new[]
        {
            Train("dropout.json", "--dropout", "0.5"),
            Train("decay.json", "--weight-decay", "0.1"),
            Train("l2.json", "--l2", "0.1"),
            Train("clip.json", "--clip-norm", "0.01"),
        };

        Assert.Equal(plain, Train("again.json"));
        Assert.All(variants, v => Assert.NotEqual(plain, v));
    }

    [Fact]
    public void The_default_run_reports_plain_sgd_with_no_regularisation()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var s = result.Json().At("settings");
        Assert.Equal("sgd, η = constant(0.1)", s.Text("optimizerChain"));
        Assert.Equal("constant", s.Text("schedule"));
        Assert.Equal(0.0, s.Number("dropout"));
        Assert.Equal(0.0, s.Number("l2"));
        Assert.Equal(0, s.At("warmup").GetInt32());
        Assert.Equal(0, s.At("validationImages").GetInt32());
        Assert.Null(Nullable(s.At("clipNorm")));
        Assert.Null(Nullable(s.At("earlyStop")));
        Assert.DoesNotContain(" η ", result.ErrorLines.Single(l => l.StartsWith("epoch 1/1")));
    }

    private static readonly Comparer Close = new();

    private static double? Nullable(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.Null ? null : e.GetDouble();

    private sealed class Comparer : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= 1e-12 * Math.Abs(x);

        public int GetHashCode(double obj) => 0;
    }
}
