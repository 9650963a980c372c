using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class PredictCommandTests(TrainedModels models)
{
    private const string Class = @"[A-Za-z/ -]+ \d+\.\d%";

    private const string Ranked = $"{Class}, {Class}, {Class}";

    private static readonly DataSplit Sample = DataSets.Embedded()
        .Match(d => d, e => throw new InvalidOperationException(e.Message));

    [Fact]
    public void Predict_prints_the_top_three_classes_and_the_true_label_per_image()
    {
        var result = Cli.Run(
            "predict", "--model", models.Float32, "--index", "0", "--index", "999");

        result.AssertSucceeded();
        var lines = result.OutLines;
        Assert.Equal($"model: {models.Float32} (784 → 8 → 10 (relu, softmax))", lines[0]);
        Assert.StartsWith("data: embedded Fashion-MNIST sample", lines[1]);
        Assert.Matches(
            $@"^image 0: {Ranked}; true label {LabelOf(0)} \((correct|wrong)\)$", lines[2]);
        Assert.Matches(
            $@"^image 999: {Ranked}; true label {LabelOf(999)} \((correct|wrong)\)$", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Predict_json_gives_ranked_probabilities_and_labels_in_the_order_asked()
    {
        var result = Cli.Run(
            "predict", "--model", models.Float64, "--index", "500", "--index", "3",
            "--top", "10", "--json");

        result.AssertSucceeded();
        var json = result.Json();
        Assert.Equal("probability", json.Text("scoreKind"));
        var predictions = json.At("predictions").EnumerateArray().ToArray();
        Assert.Equal([500, 3], predictions.Select(p => p.At("index").GetInt32()));
        Assert.Equal(Sample.Test.Labels[500], predictions[0].At("label").GetInt32());
        Assert.Equal(LabelOf(500), predictions[0].Text("labelName"));
        foreach (var p in predictions)
        {
            var top = p.At("top").EnumerateArray().ToArray();
            var scores = top.Select(s => s.Number("score")).ToArray();
            Assert.Equal(10, scores.Length);
            Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.Equal(1.0, scores.Sum(), 9);
            var right = top[0].At("index").GetInt32() == p.At("label").GetInt32();
            Assert.Equal(right, p.At("correct").GetBoolean());
        }
    }

    [Fact]
    public void Predict_rejects_an_index_past_the_test_set_naming_it_and_the_valid_range()
    {
        var result = Cli.Run(
            "predict", "--model", models.Float32, "--index", "2", "--index", "1000");

        Assert.Equal(
            "error: --index 1000 is out of range: the test set has images 0 to 999",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    [Theory]
    [InlineData(1, "only image 0")]
    [InlineData(2, "images 0 to 1")]
    public void Predict_names_the_valid_range_of_a_small_test_set(int images, string range)
    {
        using var dir = new TempDirectory();
        var data = TinyData.WriteCounts(dir.File("tiny"), 2, images);

        var result = Cli.Run(
            "predict", "--model", models.Float32, "--data", data, "--index", "7");

        Assert.Equal(
            $"error: --index 7 is out of range: the test set has {range}",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public void Predict_names_an_index_past_the_test_set_as_typed()
    {
        var result = Cli.Run(
            "predict", "--model", models.Float32, "--index", "01000", "--index", "02000");

        Assert.Equal(
            "error: --index 01000 is out of range: the test set has images 0 to 999",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public void Predict_after_a_sigmoid_output_reports_raw_outputs()
    {
        using var dir = new TempDirectory();
        var model = dir.File("sigmoid.json");
        Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--output", "sigmoid",
            "--loss", "quadratic", "--out", model).AssertSucceeded();

        var result = Cli.Run("predict", "--model", model, "--index", "0", "--json");

        result.AssertSucceeded();
        Assert.Equal("output", result.Json().Text("scoreKind"));
    }

    [Theory]
    [InlineData(3.4028234663852886e38, -3e38, "dark 3.4028E+38, light -3E+38")]
    [InlineData(1e-10, -2.5e-45, "dark 1E-10, light -2.8026E-45")]
    [InlineData(123456.789, 0.5, "dark 123456.789, light 0.500")]
    public void Predict_prints_huge_and_tiny_outputs_with_an_exponent_and_json_keeps_them_whole(
        double dark, double light, string ranked)
    {
        // Given a float32 model whose outputs are its output biases, whatever the image
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("m.json");
        Cli.Run(
            "train", "--data", data, "--hidden", string.Empty, "--epochs", "1", "--output", "identity",
            "--loss", "quadratic", "--learning-rate", "0.001", "--out", model)
            .AssertSucceeded();
        var json = JsonNode.Parse(File.ReadAllText(model))!;
        var layer = json["layers"]![0]!;
        layer["weights"] = new JsonArray(
            new JsonArray(0.0, 0.0, 0.0, 0.0), new JsonArray(0.0, 0.0, 0.0, 0.0));
        layer["bias"] = new JsonArray(dark, light);
        File.WriteAllText(model, json.ToJsonString());

        // When image 0 (dark) is predicted, for people and as JSON
        var text = Cli.Run("predict", "--model", model, "--data", data, "--index", "0");
        var report = Cli.Run(
            "predict", "--model", model, "--data", data, "--index", "0", "--json");

        // Then the line shows each output in a few digits, and the JSON each float32 exactly
        text.AssertSucceeded();
        Assert.Equal($"image 0: {ranked}; true label dark (correct)", text.OutLines[2]);
        report.AssertSucceeded();
        var top = report.Json().At("predictions").EnumerateArray().Single().At("top")
            .EnumerateArray().Select(s => s.Number("score"));
        Assert.Equal([(double)(float)dark, (double)(float)light], top);
    }

    private static string LabelOf(int index) => Sample.ClassNames[Sample.Test.Labels[index]];
}
