using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class EvaluateCommandTests(TrainedModels models)
{
    [Fact]
    public void Evaluate_prints_accuracy_loss_per_class_accuracy_and_the_confusion_matrix()
    {
        var result = Cli.Run("evaluate", "--model", models.Float32);

        result.AssertSucceeded();
        var lines = result.OutLines;
        Assert.Equal($"model: {models.Float32} (784 → 8 → 10 (relu, softmax), float32)", lines[0]);
        Assert.StartsWith("data: embedded Fashion-MNIST sample", lines[1]);
        Assert.Matches(@"^test accuracy: \d+/1000 \(\d+\.\d\d%\)$", lines[2]);
        Assert.Matches(@"^test loss: \d\.\d{4} \(mean softmax-cross-entropy\)$", lines[3]);
        Assert.Equal("per class:", lines[4]);
        Assert.Matches(@"^0 T-shirt/top\s+\d+/100\s+\d+\.\d\d%$", lines[5]);
        Assert.Matches(@"^9 Ankle boot\s+\d+/100\s+\d+\.\d\d%$", lines[14]);
        Assert.Equal("confusion matrix (rows: true class, columns: predicted class):", lines[15]);
        var header = lines[16].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), header);
        Assert.StartsWith("9 Ankle boot", lines[26]);
        Assert.Equal(27, lines.Length);
    }

    [Fact]
    public void A_model_trained_on_other_classes_is_evaluated_with_a_warning()
    {
        // A model that names its outputs as MNIST's digits, evaluated on the Fashion-MNIST sample.
        using var dir = new TempDirectory();
        var path = dir.File("digits.json");
        var loaded = Data.FinAssert.Succeeds(Backprop.Functional.Cli.Models.ModelFile.Load(models.Float32));
        var digits = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();
        loaded.Match(
            (n, info) => Backprop.Functional.Cli.Models.ModelFile.Save(path, n, info with { ClassNames = digits }),
            (n, info) => Backprop.Functional.Cli.Models.ModelFile.Save(path, n, info with { ClassNames = digits }))
            .IfFail(e => throw new InvalidOperationException(e.Message));

        var result = Cli.Run("evaluate", "--model", path);
        var json = Cli.Run("evaluate", "--model", path, "--json");

        result.AssertSucceeded();
        var warning = $"warning: {path} was trained on other classes than the data's (class 0: "
            + "'0' against 'T-shirt/top'); the data's names are shown";
        Assert.Equal([warning], result.ErrorLines);
        Assert.Matches(@"^0 T-shirt/top\s", result.OutLines[5]);
        json.AssertSucceeded();
        Assert.Equal([warning], json.ErrorLines);
        Assert.Equal(
            Cli.Run("evaluate", "--model", models.Float32, "--json").Json().Number("accuracy"),
            json.Json().Number("accuracy"));
    }

    [Fact]
    public void Evaluate_json_agrees_with_the_accuracy_that_training_reported()
    {
        var result = Cli.Run("evaluate", "--model", models.Float32, "--json");

        result.AssertSucceeded();
        Assert.Equal(string.Empty, result.Error);
        var json = result.Json();
        var trained = models.Float32Report;
        Assert.Equal("evaluate", json.Text("command"));
        Assert.Equal(trained.At("final.testCorrect").GetInt32(), json.At("correct").GetInt32());
        Assert.Equal(1000, json.At("total").GetInt32());
        Assert.Equal(trained.Number("final.testAccuracy"), json.Number("accuracy"));
        Assert.Equal(trained.Number("final.testLoss"), json.Number("meanLoss"), 12);
        Assert.Equal("softmax-cross-entropy", json.Text("loss"));
    }

    [Fact]
    public void Evaluate_json_per_class_counts_and_confusion_matrix_add_up()
    {
        var json = Cli.Run("evaluate", "--model", models.Float64, "--json").Json();

        var classes = json.At("classes").EnumerateArray().ToArray();
        var confusion = json.At("confusion").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(c => c.GetInt32()).ToArray())
            .ToArray();
        Assert.Equal("float64", json.Text("precision"));
        Assert.Equal(10, classes.Length);
        Assert.Equal("Ankle boot", classes[9].Text("name"));
        Assert.All(classes, c => Assert.Equal(100, c.At("total").GetInt32()));
        Assert.All(confusion, row => Assert.Equal(10, row.Length));
        Assert.Equal(1000, confusion.Sum(row => row.Sum()));
        var diagonal = Enumerable.Range(0, 10).Sum(i => confusion[i][i]);
        Assert.Equal(json.At("correct").GetInt32(), diagonal);
        Assert.All(classes, c =>
        {
            var i = c.At("index").GetInt32();
            Assert.Equal(confusion[i][i], c.At("correct").GetInt32());
            Assert.Equal(confusion[i][i] / 100.0, c.Number("accuracy"));
        });
    }

    [Fact]
    public void A_class_with_no_test_images_has_no_accuracy_rather_than_0_percent()
    {
        // Given data whose classes.txt names a third class that no image has
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));
        File.WriteAllLines(Path.Combine(data, "classes.txt"), ["dark", "light", "grey"]);
        var model = dir.File("m.json");
        Cli.Run("train", "--data", data, "--hidden", "4", "--epochs", "1", "--out", model)
            .AssertSucceeded();

        // When
        var text = Cli.Run("evaluate", "--model", model, "--data", data);
        var json = Cli.Run("evaluate", "--model", model, "--data", data, "--json");

        // Then the text shows a dash where a percentage would be, and the JSON null
        text.AssertSucceeded();
        Assert.Equal("per class:", text.OutLines[4]);
        Assert.Matches(@"^0 dark {3}\s+\d+/10 {5}\s+\d+\.\d\d%$", text.OutLines[5]);
        Assert.Equal("2 grey        0/0            –", text.OutLines[7]);
        json.AssertSucceeded();
        var grey = json.Json().At("classes")[2];
        Assert.Equal(0, grey.At("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, grey.At("accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.Json().At("classes")[0].At("accuracy").ValueKind);
    }

    [Fact]
    public void Evaluate_on_data_with_other_images_fails_naming_the_model()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));

        var result = Cli.Run("evaluate", "--model", models.Float32, "--data", data);

        Assert.Equal(
            $"error: {models.Float32}: the model takes 784 inputs but the data's images are "
            + "2 × 2 = 4 pixels",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict|--index|0")]
    [InlineData("gradcheck")]
    public void A_model_file_that_is_not_a_model_fails_with_one_line_and_exit_code_1(
        string command)
    {
        using var dir = new TempDirectory();
        var model = dir.File("garbage.json");
        File.WriteAllText(model, "{ this is not a model");

        var result = Cli.Run([.. command.Split('|'), "--model", model]);

        Assert.Contains(model, result.AssertOneErrorLine(1));
        Assert.Equal(string.Empty, result.Out);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict|--index|0")]
    [InlineData("gradcheck")]
    public void A_model_that_names_a_class_twice_fails_with_one_line_and_exit_code_1(
        string command)
    {
        // Given the trained model with class 3 (Dress) renamed to class 1's name, Trouser
        using var dir = new TempDirectory();
        var model = dir.File("twice.json");
        var json = JsonNode.Parse(File.ReadAllText(models.Float32))!;
        json["classNames"]![3] = "Trouser";
        File.WriteAllText(model, json.ToJsonString());

        // When
        var result = Cli.Run([.. command.Split('|'), "--model", model]);

        // Then
        Assert.Equal(
            $"error: {model}: 'classNames' entry 4 names 'Trouser' again, as entry 2 does; "
            + "expected a different name for each class",
            result.AssertOneErrorLine(1));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal([model], Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict|--index|0")]
    [InlineData("gradcheck")]
    public void A_float32_model_whose_leaky_relu_slope_is_1_in_float32_fails_with_one_line(
        string command)
    {
        // Given the trained float32 model with a hidden slope of 0.99999999: below 1 as a
        // double, 1 once rounded to float (as every slope from 1 − 2⁻²⁵ up), the identity
        using var dir = new TempDirectory();
        var model = dir.File("slope.json");
        var json = JsonNode.Parse(File.ReadAllText(models.Float32))!;
        json["layers"]![0]!["activation"] = "leaky-relu:0.99999999";
        File.WriteAllText(model, json.ToJsonString());

        // When
        var result = Cli.Run([.. command.Split('|'), "--model", model]);

        // Then
        Assert.Equal(
            $"error: {model}: layer 1 activation: leaky ReLU slope is 1 in float32, where it "
            + "must be below 1, got '0.99999999'; expected at most 0.99999994",
            result.AssertOneErrorLine(1));
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal([model], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_missing_model_file_fails_with_one_line_and_exit_code_1()
    {
        using var dir = new TempDirectory();
        var model = dir.File("absent.json");

        var result = Cli.Run("evaluate", "--model", model);

        Assert.Equal($"error: {model}: no such model file", result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Debug_adds_the_stack_trace_after_the_error_line()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("evaluate", "--model", dir.File("absent.json"), "--debug");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.ErrorLines[0]);
        Assert.Contains(result.ErrorLines, l => l.StartsWith("at ", StringComparison.Ordinal));
    }
}
