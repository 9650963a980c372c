using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Functional.Cli.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

public sealed class TrainCommandTests
{
    private static readonly Regex EpochLine = new(
        @"^epoch (\d)/2  loss \d+\.\d{4}  test \d+/1000 \(\d+\.\d\d%\)  \d+\.\ds$");

    [Theory]
    [InlineData("relu ", "relu")]
    [InlineData(" Leaky-ReLU:0.5 ", "leaky-relu:0.5")]
    public void Spaces_around_an_activation_are_ignored(string activation, string shown)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("train", "--epochs", "1", "--hidden", "4", "--activation",
            activation, "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.StartsWith($"network: 784 → 4 → 10, {shown} hidden,", result.OutLines[1]);
    }

    [Fact]
    public void A_space_inside_a_leaky_slope_is_refused()
    {
        var result = Cli.Run("train", "--activation", "leaky-relu: 0.5");

        Assert.Equal(
            "error: --activation: leaky ReLU slope must be a number in [0, 1), got ' 0.5'; "
            + "numbers take no spaces around them",
            result.AssertOneErrorLine(2));
    }

    [Fact]
    public void Train_prints_the_settings_then_a_line_per_epoch_then_where_the_model_went()
    {
        // Given
        using var dir = new TempDirectory();
        var model = dir.File("model.json");

        // When
        var result = Cli.Run("train", "--epochs", "2", "--hidden", "8", "--out", model);

        // Then
        result.AssertSucceeded();
        Assert.Equal(string.Empty, result.Error);
        var lines = result.OutLines;
        Assert.Equal(
            "data: embedded Fashion-MNIST sample (6000 training and 1000 test images of "
            + "28 × 28, 10 classes)",
            lines[0]);
        Assert.Equal(
            "network: 784 → 8 → 10, relu hidden, softmax output, he init, float32 "
            + "(6,370 parameters)",
            lines[1]);
        Assert.Equal(
            "training: softmax-cross-entropy loss, optimizer sgd, η = constant(0.1), batch size "
            + "32, 2 epochs, seed 1",
            lines[2]);
        Assert.StartsWith("backend: ", lines[3]);
        Assert.Equal($"model: {model}", lines[4]);
        Assert.Equal(["1", "2"], lines[5..7].Select(l => EpochLine.Match(l).Groups[1].Value));
        Assert.Equal($"model written to {model}", lines[7]);
        Assert.Equal(8, lines.Length);
        Assert.Equal(["model.json"], dir.Files);
    }

    [Fact]
    public void The_same_seed_twice_gives_byte_identical_model_files()
    {
        using var dir = new TempDirectory();
        string[] run = ["train", "--epochs", "1", "--hidden", "16"];

        Cli.Run([.. run, "--seed", "7", "--out", dir.File("a.json")]).AssertSucceeded();
        Cli.Run([.. run, "--seed", "7", "--out", dir.File("b.json")]).AssertSucceeded();
        Cli.Run([.. run, "--seed", "8", "--out", dir.File("c.json")]).AssertSucceeded();

        var a = File.ReadAllBytes(dir.File("a.json"));
        Assert.Equal(a, File.ReadAllBytes(dir.File("b.json")));
        Assert.NotEqual(a, File.ReadAllBytes(dir.File("c.json")));
    }

    [Fact]
    public void Precision_float64_trains_and_saves_a_float64_model()
    {
        using var dir = new TempDirectory();
        var model = dir.File("m.json");

        Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--precision", "float64", "--out", model)
            .AssertSucceeded();

        var loaded = ModelFile.Load(model)
            .Match(m => m, e => throw new InvalidOperationException(e.Message));
        Assert.IsType<LoadedModel.Float64>(loaded);
        Assert.Equal("float64", loaded.Info.Precision);
        Assert.Equal(1UL, loaded.Info.Seed);
        Assert.Equal("softmax-cross-entropy", loaded.Info.Loss);
        Assert.Equal("T-shirt/top", loaded.Info.ClassNames[0]);
    }

    [Theory]
    [InlineData("", "784 → 10")]
    [InlineData("16,8", "784 → 16 → 8 → 10")]
    [InlineData(" 12 , 6 ", "784 → 12 → 6 → 10")]
    public void Hidden_is_a_comma_list_and_an_empty_string_means_no_hidden_layer(
        string hidden, string sizes)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", hidden, "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.StartsWith($"network: {sizes},", result.OutLines[1]);
    }

    [Fact]
    public void Sigmoid_output_with_quadratic_loss_is_the_classic_set_up()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "16", "--activation", "sigmoid",
            "--output", "sigmoid", "--loss", "quadratic", "--learning-rate", "3",
            "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var json = result.Json();
        Assert.Equal("sigmoid", json.Text("settings.output"));
        Assert.Equal("quadratic", json.Text("settings.loss"));
        Assert.Equal("glorot-uniform", json.Text("settings.init"));
        Assert.True(json.Number("final.testAccuracy") > 0.3);
    }

    [Fact]
    public void Init_overrides_the_default_for_the_activation()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--init", "glorot-normal",
            "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.Contains(", glorot-normal init,", result.OutLines[1]);
    }

    [Fact]
    public void A_data_directory_sets_the_input_and_output_sizes()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "3", "--hidden", "4", "--batch-size", "10",
            "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var json = result.Json();
        Assert.Equal([4, 4, 2], json.Integers("settings.sizes"));
        Assert.Equal(data, json.Text("settings.data"));
        Assert.Equal(1.0, json.Number("final.testAccuracy"));
    }

    [Fact]
    public void A_diverging_run_stops_with_one_error_line_and_leaves_the_old_model_untouched()
    {
        // Given a model file from an earlier run
        using var dir = new TempDirectory();
        var model = dir.File("model.json");
        Cli.Run("train", "--epochs", "1", "--hidden", "8", "--out", model).AssertSucceeded();
        var before = File.ReadAllBytes(model);

        // When a run with a huge learning rate on an unbounded output is pointed at it
        var result = Cli.Run(
            "train", "--epochs", "2", "--hidden", "8", "--output", "identity",
            "--loss", "quadratic", "--learning-rate", "1e6", "--out", model,
            "--plot", dir.File("plot.png"));

        // Then it fails naming the epoch and batch, and writes nothing
        var line = result.AssertOneErrorLine(1);
        Assert.Matches(@"^error: training diverged: .* at epoch 1, batch \d+ \(step \d+\)", line);
        Assert.Contains("no model was written", line);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.Equal(["model.json"], dir.Files);
    }

    [Fact]
    public void Plot_writes_a_png_of_sensible_size()
    {
        using var dir = new TempDirectory();
        var plot = dir.File("curve.png");

        var result = Cli.Run(
            "train", "--epochs", "2", "--hidden", "8", "--out", dir.File("m.json"),
            "--plot", plot);

        result.AssertSucceeded();
        Assert.Equal($"plot written to {plot}", result.OutLines[^1]);
        var png = File.ReadAllBytes(plot);
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.Equal(signature, png[..8]);
        Assert.InRange(png.Length, 10_000, 2_000_000);

        // The IHDR chunk gives the width and height, big-endian, at bytes 16 and 20.
        Assert.Equal(900, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Equal(540, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
    }

    [Fact]
    public void Under_ci_output_is_plain_lines_only()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string?> { ["CI"] = "true" };

        var result = Cli.Run(
            environment, "train", "--epochs", "1", "--hidden", "8", "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.DoesNotContain('\r', result.Out);
    }
}
