using System;
using System.IO;
using System.Text.Json.Nodes;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A model file whose sizes give a layer more weights than one array holds (2³¹ − 1 inputs to
/// 4 outputs) is refused by its sizes, naming the file, the layer and its sizes, before any
/// weights are read: the reader used to multiply the two in an int, and the array of a
/// negative size it then asked for failed as "Arithmetic operation resulted in an overflow",
/// naming nothing. A checkpoint's model is read the same way.
/// </summary>
public sealed class OversizedLayerTests
{
    private static readonly long Largest = Array.MaxLength;

    // The saved model is 3 → 4 → 2; the rows of the first layer stay as they were.
    [Theory]
    [InlineData("[2147483647, 4, 2]", 1, "2147483647 → 4", 8589934588L)]
    [InlineData("[3, 4, 2147483647]", 2, "4 → 2147483647", 8589934588L)]
    [InlineData("[3, 1073741824, 2]", 1, "3 → 1073741824", 3221225472L)]
    public void A_layer_past_the_largest_array_is_refused_by_its_sizes(
        string sizes, int layer, string shape, long weights)
    {
        using var dir = new Commands.TempDirectory();
        var path = dir.File("model.json");
        FinAssert.Succeeds(ModelFile.Save(
            path, TestModels.Small<double>(), TestModels.Info<double>()));
        Edit(path, model => model["sizes"] = JsonNode.Parse(sizes));

        var message = FinAssert.Fails(ModelFile.Load(path));

        Assert.Equal(
            $"{path}: 'sizes' {sizes} gives layer {layer} ({shape}) {weights} weights; "
            + $"expected at most {Largest} (the largest array)",
            message);
    }

    [Fact]
    public void Evaluate_names_the_file_and_the_layer_with_exit_code_1()
    {
        using var dir = new Commands.TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        var model = dir.File("m.json");
        Commands.Cli.Run("train", "--data", data, "--hidden", "4", "--epochs", "1", "--out", model)
            .AssertSucceeded();
        Edit(model, json => json["sizes"] = new JsonArray(2147483647, 4, 2));

        var result = Commands.Cli.Run("evaluate", "--model", model, "--data", data);

        Assert.Equal(
            $"error: {model}: 'sizes' [2147483647, 4, 2] gives layer 1 (2147483647 → 4) "
            + $"8589934588 weights; expected at most {Largest} (the largest array)",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_checkpoint_whose_model_has_such_sizes_names_the_checkpoint_and_its_model()
    {
        // Given the checkpoint of a 4 → 2 → 2 run, its model's sizes edited
        using var dir = new Commands.TempDirectory();
        var data = Commands.TinyData.Write(dir.File("data"));
        string[] run = ["train", "--data", data, "--hidden", "2"];
        string[] saving = ["--checkpoint", dir.File("run"), "--out", dir.File("a")];
        Commands.Cli.Run([.. run, "--epochs", "1", .. saving]).AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Edit(checkpoint, json => json["model"]!["sizes"] = new JsonArray(2147483647, 2, 2));

        // When the run is resumed
        var result = Commands.Cli.Run(
            [.. run, "--epochs", "2", "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then
        Assert.Equal(
            $"error: {checkpoint}: model: 'sizes' [2147483647, 2, 2] gives layer 1 "
            + $"(2147483647 → 2) 4294967294 weights; expected at most {Largest} (the largest "
            + "array)",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    private static void Edit(string path, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
