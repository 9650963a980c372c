using System.Linq;
using System.Text.Json;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class TrainJsonTests(TrainedModels models)
{
    [Fact]
    public void Json_is_one_object_on_stdout_with_the_human_lines_on_stderr()
    {
        using var dir = new TempDirectory();
        var model = dir.File("m.json");

        var result = Cli.Run("train", "--epochs", "2", "--hidden", "8", "--out", model, "--json");

        result.AssertSucceeded();
        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.StartsWith("data: ", result.ErrorLines[0]);
        Assert.StartsWith("epoch 2/2  loss ", result.ErrorLines[^2]);
        Assert.Equal($"model written to {model}", result.ErrorLines[^1]);
    }

    [Fact]
    public void Json_reports_the_settings_and_seed()
    {
        var json = models.Float32Report;

        Assert.Equal("train", json.Text("command"));
        Assert.Equal(1UL, json.At("seed").GetUInt64());
        Assert.Equal(models.Float32, json.Text("model"));
        Assert.Equal(JsonValueKind.Null, json.At("plot").ValueKind);
        var s = json.At("settings");
        Assert.Equal("embedded", s.Text("data"));
        Assert.StartsWith("embedded Fashion-MNIST sample", s.Text("dataset"));
        Assert.Equal(6000, s.At("trainingImages").GetInt32());
        Assert.Equal(1000, s.At("testImages").GetInt32());
        Assert.Equal([784, 8, 10], s.Integers("sizes"));
        Assert.Equal("relu", s.Text("activation"));
        Assert.Equal("softmax", s.Text("output"));
        Assert.Equal("softmax-cross-entropy", s.Text("loss"));
        Assert.Equal("he", s.Text("init"));
        Assert.Equal(1, s.At("epochs").GetInt32());
        Assert.Equal(32, s.At("batchSize").GetInt32());
        Assert.Equal(0.1, s.Number("learningRate"));
        Assert.Equal("float32", s.Text("precision"));
        Assert.Equal(Backends.Describe(), s.Text("backend"));
        Assert.Equal((785 * 8) + (9 * 10), s.At("parameters").GetInt32());
    }

    [Fact]
    public void Json_reports_each_epoch_and_the_final_figures_within_their_ranges()
    {
        var json = models.Float32Report;

        var epoch = Assert.Single(json.At("epochs").EnumerateArray());
        Assert.Equal(1, epoch.At("epoch").GetInt32());
        Assert.InRange(epoch.Number("trainingLoss"), 0.05, 2.5);
        Assert.InRange(epoch.Number("trainingSeconds"), 0.0, 600.0);
        Assert.InRange(epoch.Number("evaluationSeconds"), 0.0, 600.0);
        Assert.InRange(epoch.Number("testLoss"), 0.05, 2.5);
        Assert.InRange(epoch.Number("testAccuracy"), 0.5, 1.0);
        Assert.Equal(1000, epoch.At("testTotal").GetInt32());
        Assert.Equal(epoch.At("testCorrect").GetInt32() / 1000.0, epoch.Number("testAccuracy"));
        Assert.Equal(epoch.Number("testLoss"), json.Number("final.testLoss"));
        Assert.Equal(epoch.Number("testAccuracy"), json.Number("final.testAccuracy"));
        Assert.Equal(epoch.At("testCorrect").GetInt32(), json.At("final.testCorrect").GetInt32());
    }

    [Fact]
    public void Float32_and_float64_runs_from_the_same_seed_reach_similar_accuracy()
    {
        var single = models.Float32Report.Number("final.testAccuracy");
        var @double = models.Float64Report.Number("final.testAccuracy");

        Assert.Equal("float64", models.Float64Report.Text("settings.precision"));
        Assert.InRange(single - @double, -0.02, 0.02);
    }
}
