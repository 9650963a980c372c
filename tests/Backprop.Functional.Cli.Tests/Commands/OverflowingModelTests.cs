using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A model whose weights are finite but so large that its outputs overflow to NaN: evaluate and
/// predict refuse to report an accuracy or a ranking made of NaNs.
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

        Assert.StartsWith($"error: {model}: the model's outputs are not finite", line);
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
