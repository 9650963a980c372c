using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A model whose weights are finite but so large that its outputs overflow to NaN, or that
/// its loss does: evaluate and predict refuse to report an accuracy or a ranking made of NaNs,
/// and evaluate's line is true of both.
/// </summary>
[Collection(TrainedModelsCollection.Name)]
public sealed class OverflowingModelTests(TrainedModels models)
{
    [Fact]
    public void Evaluate_refuses_a_model_whose_outputs_are_not_finite()
    {
        using var dir = new TempDirectory();
        var model = Overflowing(models.Float32, dir.File("big.json"));

        var line = Cli.Run("evaluate", "--model", model).AssertOneErrorLine(1);

        Assert.Equal(
            $"error: {model}: the model's outputs on the test images, or the loss computed from "
            + "them, are not finite (the mean loss is NaN), so its accuracy would mean nothing; "
            + "its weights are large enough to overflow float32",
            line);
    }

    [Fact]
    public void Evaluate_refuses_a_model_whose_outputs_are_finite_but_whose_loss_is_not()
    {
        // Given an identity output under the quadratic loss, and an output layer whose
        // weights are 0 and whose first bias is 3e38: every output is finite, its square not
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("q.json");
        Cli.Run(
            "train", "--data", data, "--hidden", "2", "--epochs", "1", "--output", "identity",
            "--loss", "quadratic", "--out", model).AssertSucceeded();
        var json = JsonNode.Parse(File.ReadAllText(model))!;
        var output = json["layers"]!.AsArray().Last()!;
        output["weights"] = new JsonArray(new JsonArray(0.0, 0.0), new JsonArray(0.0, 0.0));
        output["bias"] = new JsonArray(3e38, 0.0);
        File.WriteAllText(model, json.ToJsonString());

        // When
        var line = Cli.Run("evaluate", "--model", model, "--data", data).AssertOneErrorLine(1);

        // Then the line is true of it too: the loss computed from the outputs is not finite
        Assert.Equal(
            $"error: {model}: the model's outputs on the test images, or the loss computed from "
            + "them, are not finite (the mean loss is Infinity), so its accuracy would mean "
            + "nothing; its weights are large enough to overflow float32",
            line);
        var predict = Cli.Run("predict", "--model", model, "--data", data, "--index", "0");
        predict.AssertSucceeded();
    }

    [Fact]
    public void Predict_refuses_a_model_whose_outputs_are_not_finite_naming_the_image()
    {
        using var dir = new TempDirectory();
        var model = Overflowing(models.Float32, dir.File("big.json"));

        var line = Cli.Run("predict", "--model", model, "--index", "3").AssertOneErrorLine(1);

        Assert.Equal(
            $"error: {model}: the model's outputs for image 3 are not finite (its weights "
            + "overflow), so there is no prediction to rank",
            line);
    }

    // The trained model with two output weights of every class set to ±3e38: finite in
    // float32, but their products with the hidden outputs overflow, and softmax makes NaN.
    private static string Overflowing(string source, string target)
    {
        var json = JsonNode.Parse(File.ReadAllText(source))!;
        var output = json["layers"]!.AsArray().Last()!["weights"]!.AsArray();
        foreach (var row in output)
        {
            var weights = row!.AsArray();
            for (var j = 0; j < weights.Count; j++)
            {
                weights[j] = j % 2 == 0 ? 3e38 : -3e38;
            }
        }

        File.WriteAllText(target, json.ToJsonString());
        return target;
    }
}
