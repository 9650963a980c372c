using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;
using static Backprop.Functional.Cli.Tests.Checkpoints.DamagedCheckpointTests;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// Every part of a checkpoint is checked as damage (exit code 1) before any of it is compared
/// with the resumed run's arguments (exit code 2), so that damage is never blamed on an
/// argument; and a key the program never writes, anywhere in the file, is damage too.
/// </summary>
public sealed class DamageBeforeComparisonTests
{
    private const string Adam = "adam(β₁ = 0.9, β₂ = 0.999, ε = 1E-08)";

    private const string TopKeys = "'format', 'version', 'precision', 'settings', 'epoch', "
        + "'batch', 'batchesPerEpoch', 'step', 'skipped', 'bestEpoch', 'history', 'optimizer', "
        + "'model' and 'best'";

    private const string ModelKeys = "'format', 'version', 'precision', 'sizes', 'loss', "
        + "'classNames', 'seed', 'dataset' and 'layers'";

    private static readonly string[] AdamCosine = ["--optimizer", "adam", "--schedule", "cosine"];

    // The checkpoint's run had 1 epoch, and its cosine schedule decays over that epoch's 188
    // steps; the resume asks for 2 (DamagedCheckpointTests.Resume), which is a different
    // schedule, so a resume that compared the settings first would blame --epochs.
    [Theory]
    [InlineData(
        "optimizer/buffers/1/layers/0/weights/0/1",
        "-1",
        "optimizer buffer 'v', layer 1 weights row 1, value 2 is -1; expected a number ≥ 0, as an "
            + "average of squared gradients is")]
    [InlineData(
        "optimizer/buffers/1/layers/1/bias/2",
        "\"NaN\"",
        "optimizer buffer 'v', layer 2 bias, value 3 is the string \"NaN\"; expected a number")]
    [InlineData(
        "optimizer/buffers/1/layers/0/weights/0/1",
        "1e39",
        "optimizer buffer 'v', layer 1 weights row 1, value 2 is 1e39, beyond float32's range, "
            + "±3.4028235E+38")]
    [InlineData(
        "optimizer/buffers/0/name",
        "\"velocity\"",
        "optimizer 'buffers' are ['velocity', 'v'] but its run's optimizer (" + Adam + ", η = "
            + "cosine(0.001 → 0 over 188)) keeps ['m', 'v']")]
    [InlineData(
        "optimizer/step",
        "187",
        "optimizer has taken 187 steps but the run 188 (188 less 0 skipped)")]
    [InlineData(
        "model/layers/0/weights/0/1",
        "\"NaN\"",
        "model: layer 1 weights row 1, value 2 is the string \"NaN\"; expected a number")]
    public void Damage_in_any_part_is_named_before_a_setting_is_compared(
        string place, string value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, AdamCosine);
        JsonEdit.File(checkpoint, json => Set(json, place, JsonNode.Parse(value)));

        var result = Resume(dir, checkpoint, AdamCosine);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void An_undamaged_checkpoint_resumed_so_is_refused_for_its_epochs()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, AdamCosine);

        var result = Resume(dir, checkpoint, AdamCosine);

        Assert.Equal(
            $"error: --resume {checkpoint}: the optimizer chain (the schedule follows --epochs) "
            + $"gives {Adam}, η = cosine(0.001 → 0 over 376) but the checkpoint's run has "
            + $"{Adam}, η = cosine(0.001 → 0 over 188)",
            result.AssertOneErrorLine(2));
    }

    [Fact]
    public void An_epoch_s_rate_other_than_the_schedule_s_is_named_before_a_setting_is_compared()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, AdamCosine);
        var rate = string.Empty;
        JsonEdit.File(checkpoint, json =>
        {
            rate = json["history"]![0]!["learningRate"]!.ToJsonString();
            json["history"]![0]!["learningRate"] = 0.5;
        });

        var result = Resume(dir, checkpoint, AdamCosine);

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: 'learningRate' is 0.5 but the schedule, "
            + $"cosine(0.001 → 0 over 188), gives {rate} for step 188, the last of epoch 1; "
            + "expected the same",
            result.AssertOneErrorLine(1));
    }

    // A key beside the right one, or in its place, at every level of the file: the top, the
    // settings, a history entry, the optimizer, a buffer, a buffer's layer, the model and a
    // model layer. The resume's arguments agree with the checkpoint.
    [Theory]
    [InlineData("", "learningrate", "", TopKeys)]
    [InlineData("settings", "learningrate", "learningRate", null)]
    [InlineData("history/0", "Epoch", "", null)]
    [InlineData(
        "optimizer", "learningrate", "learningRate", "'step', 'learningRate' and 'buffers'")]
    [InlineData("optimizer/buffers/0", "names", "name", "'name' and 'layers'")]
    [InlineData("optimizer/buffers/0/layers/1", "biases", "bias", "'weights' and 'bias'")]
    [InlineData("model", "comment", "", ModelKeys)]
    [InlineData("model/layers/0", "Activation", "activation", "'activation', 'weights' and 'bias'")]
    public void A_key_the_program_never_writes_is_named_with_where_it_is(
        string place, string key, string replaces, string? expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--optimizer", "nesterov");
        JsonEdit.File(checkpoint, json =>
        {
            var target = place.Length == 0 ? json : (JsonObject)Node(json, place);
            target[key] = replaces.Length == 0 ? 1 : target[replaces]!.DeepClone();
            target.Remove(replaces);
        });

        var result = Resume(dir, checkpoint, "--optimizer", "nesterov");

        var line = result.AssertOneErrorLine(1);
        var where = place switch
        {
            "" => string.Empty,
            "history/0" => "'history' entry 1: ",
            "optimizer/buffers/0" => "optimizer buffer 1: ",
            "optimizer/buffers/0/layers/1" => "optimizer buffer 'velocity', layer 2: ",
            "model/layers/0" => "model: layer 1: ",
            _ => $"{place}: ",
        };
        var start = $"error: {checkpoint}: {where}unknown key '{key}'; expected only ";
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        switch (place)
        {
            case "settings":
                Assert.StartsWith("'precision', 'trainingImages', ", line[start.Length..]);
                Assert.EndsWith(", 'dropout' and 'earlyStop'", line);
                break;
            case "history/0":
                Assert.StartsWith(
                    "'epoch', 'trainingLoss', 'learningRate', ", line[start.Length..]);
                break;
            default:
                Assert.Equal(expected, line[start.Length..]);
                break;
        }
    }

    // Every file the program writes reads back: the checkpoint under each optimizer (its
    // buffers), with a validation set (the history's validation figures), and the model.
    // The resumed run's model is the straight run's, byte for byte.
    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("adam|--validation|500|--early-stop|1|--schedule|step|--decay-every|1")]
    public void Every_checkpoint_and_model_the_program_writes_reads_back(string options)
    {
        using var dir = new Commands.TempDirectory();
        string[] run = ["--hidden", "8", "--optimizer", .. options.Split('|')];
        Commands.Cli.Run(["train", "--epochs", "2", .. run, "--out", dir.File("straight.json")])
            .AssertSucceeded();
        Commands.Cli.Run(
            [
                "train", "--epochs", "1", .. run, "--checkpoint", dir.File("run"),
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();

        var resumed = Commands.Cli.Run(
            [
                "train", "--epochs", "2", .. run, "--resume", dir.File("run/checkpoint.json"),
                "--out", dir.File("resumed.json"),
            ]);
        var evaluated = Commands.Cli.Run("evaluate", "--model", dir.File("resumed.json"));

        resumed.AssertSucceeded();
        evaluated.AssertSucceeded();
        Assert.Equal(
            File.ReadAllBytes(dir.File("straight.json")),
            File.ReadAllBytes(dir.File("resumed.json")));
    }

    // The node at a path such as "optimizer/buffers/1/name", each step a key or an index.
    private static JsonNode Node(JsonNode root, string path) =>
        path.Split('/').Aggregate(root, (node, step) => int.TryParse(step, out var i)
            ? node[i]!
            : node[step]!);

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var cut = path.LastIndexOf('/');
        var (parent, last) = (Node(root, path[..cut]), path[(cut + 1)..]);
        if (int.TryParse(last, out var i))
        {
            parent[i] = value;
        }
        else
        {
            parent[last] = value;
        }
    }
}
