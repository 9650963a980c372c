using System;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Running;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>--validation N holds training images out; --early-stop watches them.</summary>
public sealed class TrainValidationTests
{
    private static readonly Regex EpochLine = new(
        @"^epoch (\d)/2  loss \d\.\d{4}  validation loss (\d\.\d{4}) (\d+)/30 \(\d+\.\d\d%\)"
        + @"  test \d+/20 \(\d+\.\d\d%\)  \d+\.\ds$");

    [Theory]
    [InlineData(1, "1 training image")]
    [InlineData(2, "2 training images")]
    public void Validation_as_large_as_the_training_set_is_refused_with_its_count(
        int images, string counted)
    {
        using var dir = new TempDirectory();
        var data = TinyData.WriteCounts(dir.File("tiny"), images, 2);

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--validation", "5",
            "--out", dir.File("m.json"));

        Assert.Equal(
            $"error: --validation must be less than the {counted}, got '5'",
            result.AssertOneErrorLine(2));
        Assert.False(System.IO.File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void Validation_is_reported_on_the_settings_lines_each_epoch_line_and_the_json()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", "4", "--epochs", "2", "--batch-size", "10",
            "--validation", "30", "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        Assert.Equal(
            "validation: 30 of the 100 training images, drawn with the seed; training on the "
            + "other 70",
            result.ErrorLines[3]);
        var lines = result.ErrorLines.Where(l => l.StartsWith("epoch ")).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(EpochLine, l));

        var json = result.Json();
        Assert.Equal(30, json.At("settings.validationImages").GetInt32());
        Assert.Equal(100, json.At("settings.trainingImages").GetInt32());
        var epochs = json.At("epochs").EnumerateArray().ToArray();
        foreach (var (epoch, line) in epochs.Zip(lines))
        {
            Assert.Equal(30, epoch.At("validationTotal").GetInt32());
            var correct = epoch.At("validationCorrect").GetInt32();
            Assert.Equal(correct / 30.0, epoch.Number("validationAccuracy"));
            var shown = EpochLine.Match(line).Groups;
            Assert.Equal(correct.ToString(), shown[3].Value);
            Assert.Equal(epoch.Number("validationLoss").ToString("F4"), shown[2].Value);
        }

        Assert.Equal(epochs[1].Number("validationLoss"), json.Number("final.validationLoss"));
        Assert.Equal(2, json.At("final.epoch").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.At("earlyStop").ValueKind);
    }

    [Fact]
    public void The_split_is_seeded_disjoint_and_keeps_every_image_once()
    {
        // 200 one-pixel images, image i of value i, so that each shows where it came from.
        var pixels = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var labels = pixels.Select(p => (byte)(p % 2)).ToArray();
        var train = new ImageSet("crafted", 200, 1, 1, pixels, labels, 2);
        var test = train.Take([0, 1]);
        var data = new DataSplit(train, test, ["even", "odd"], "crafted");

        var a = TrainingSets.Split(data, 50, seed: 3);
        var again = TrainingSets.Split(data, 50, seed: 3);
        var other = TrainingSets.Split(data, 50, seed: 4);

        Assert.Equal(150, a.Train.Count);
        Assert.Equal(50, a.Validation!.Count);
        Assert.Same(test, a.Test);
        Assert.Equal(a.Validation.Pixels, again.Validation!.Pixels);
        Assert.NotEqual(a.Validation.Pixels, other.Validation!.Pixels);
        Assert.Empty(a.Train.Pixels.Intersect(a.Validation.Pixels));
        Assert.Equal(pixels, a.Train.Pixels.Concat(a.Validation.Pixels).Order());
        Assert.Equal(a.Validation.Pixels.Order(), a.Validation.Pixels);
        Assert.Equal(a.Validation.Pixels.Select(p => (byte)(p % 2)), a.Validation.Labels);

        // Class-agnostic: the held-out share of a class follows the draw, not a quota.
        Assert.NotEqual(25, a.Validation.Labels.Count(l => l == 0));
        Assert.Null(TrainingSets.Split(data, 0, seed: 3).Validation);
    }

    [Fact]
    public void Early_stopping_stops_names_the_epochs_and_saves_the_best_network()
    {
        // Given a run that overfits its 8 hidden units at a high rate
        using var dir = new TempDirectory();
        var model = dir.File("m.json");

        // When it may stop after one epoch without a lower validation loss
        var result = Cli.Run(
            "train", "--hidden", "8", "--epochs", "12", "--optimizer", "adam",
            "--learning-rate", "0.02", "--validation", "500", "--early-stop", "1",
            "--out", model, "--json");

        // Then it stops after the first epoch whose loss is not lower, keeping the one before
        result.AssertSucceeded();
        var json = result.Json();
        var stop = json.At("earlyStop");
        var stopped = stop.At("stoppedEpoch").GetInt32();
        var best = stop.At("bestEpoch").GetInt32();
        var epochs = json.At("epochs").EnumerateArray().ToArray();
        Assert.Equal(stopped, epochs.Length);
        Assert.Equal(stopped - 1, best);
        Assert.True(epochs[^1].Number("validationLoss") >= epochs[^2].Number("validationLoss"));
        Assert.Equal(
            epochs.Min(e => e.Number("validationLoss")), stop.Number("bestValidationLoss"));
        Assert.Equal(best, json.At("final.epoch").GetInt32());
        Assert.Equal(epochs[best - 1].Number("testLoss"), json.Number("final.testLoss"));
        Assert.Contains(
            $"early stop after epoch {stopped}: the validation loss has not improved for 1 "
            + $"epoch; the best was epoch {best} (",
            result.Error);
        Assert.Equal(
            $"model written to {model} (the network after epoch {best}, the lowest validation "
            + "loss)",
            result.ErrorLines[^1]);

        // And the saved model is the best epoch's, not the last one's
        var evaluated = Cli.Run("evaluate", "--model", model, "--json");
        evaluated.AssertSucceeded();
        Assert.Equal(
            epochs[best - 1].At("testCorrect").GetInt32(),
            evaluated.Json().At("correct").GetInt32());
        Assert.Equal(epochs[best - 1].Number("testLoss"), evaluated.Json().Number("meanLoss"));
    }
}
