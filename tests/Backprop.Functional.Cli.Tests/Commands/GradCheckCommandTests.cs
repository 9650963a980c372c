using System;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class GradCheckCommandTests(TrainedModels models)
{
    private const string LayerLine =
        @"\): worst relative error \d(\.\d\d?)?e[-+]\d\d over \d+ parameters$";

    [Fact]
    public void Gradcheck_passes_on_a_small_fresh_network()
    {
        var result = Cli.Run(
            "gradcheck", "--hidden", "8", "--samples", "3", "--max-parameters", "400");

        result.AssertSucceeded();
        var lines = result.OutLines;
        Assert.Equal(
            "network: 784 → 8 → 10 (relu, softmax) from a fresh network, he init, seed 1; "
            + "loss softmax-cross-entropy; float64",
            lines[0]);
        Assert.Matches(@"^test images: \d+, \d+, \d+$", lines[1]);
        Assert.StartsWith("checked 400 of 6,370 parameters (a seeded sample)", lines[2]);
        Assert.Matches(@"^layer 1 \(784 → 8" + LayerLine, lines[3]);
        Assert.Matches(@"^layer 2 \(8 → 10" + LayerLine, lines[4]);
        Assert.StartsWith("passed: worst relative error ", lines[5]);
        Assert.EndsWith(", tolerance 1e-06", lines[5]);
    }

    [Fact]
    public void Gradcheck_json_reports_each_layer_and_the_verdict()
    {
        var result = Cli.Run(
            "gradcheck", "--hidden", "6,4", "--activation", "tanh", "--samples", "2", "--json");

        result.AssertSucceeded();
        var json = result.Json();
        Assert.Equal("gradcheck", json.Text("command"));
        Assert.True(json.At("passed").GetBoolean());
        Assert.Equal(1e-6, json.Number("tolerance"));
        Assert.Equal(2, json.At("images").GetArrayLength());
        Assert.Equal((785 * 6) + (7 * 4) + (5 * 10), json.At("parameters").GetInt32());
        Assert.Equal(1000, json.At("checked").GetInt32());
        Assert.Equal(0, json.At("nearKink").GetInt32());
        var layers = json.At("layers").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3], layers.Select(l => l.At("layer").GetInt32()));
        Assert.Equal("6 → 4", layers[1].Text("sizes"));
        Assert.All(layers, l => Assert.InRange(l.Number("worstRelativeError"), 0.0, 1e-6));
        Assert.Equal(
            layers.Max(l => l.Number("worstRelativeError")), json.Number("worstRelativeError"));
    }

    [Fact]
    public void Gradcheck_widens_a_saved_float32_model_to_float64()
    {
        var result = Cli.Run("gradcheck", "--model", models.Float32, "--samples", "2", "--json");

        result.AssertSucceeded();
        var json = result.Json();
        Assert.Equal($"{models.Float32} (float32)", json.Text("source"));
        Assert.True(json.At("passed").GetBoolean());
    }

    [Fact]
    public void Gradcheck_that_fails_prints_the_report_and_one_error_line_with_exit_code_1()
    {
        // Given a model whose weights are finite but so large that its loss overflows
        using var dir = new TempDirectory();
        var model = dir.File("overflow.json");
        var layer = Layer.Create(
            Matrix<double>.Build.Dense(10, 784, 1e300),
            Vector<double>.Build.Dense(10),
            Activation.Softmax);
        var info = new ModelInfo(
            ModelInfo.Float64, "softmax-cross-entropy", ClassNames.FashionMnist, 1, "test");
        ModelFile.Save(model, Network.Create(layer), info)
            .IfFail(e => throw new InvalidOperationException(e.Message));

        // When
        var result = Cli.Run("gradcheck", "--model", model, "--samples", "2");

        // Then
        Assert.StartsWith("FAILED: worst relative error ", result.OutLines[^1]);
        Assert.Matches(
            "^error: gradient check failed: worst relative error .+ exceeds the tolerance 1e-06$",
            result.AssertOneErrorLine(1));
    }
}
