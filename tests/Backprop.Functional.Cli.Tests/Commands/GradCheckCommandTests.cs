using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class GradCheckCommandTests(TrainedModels models)
{
    private const string LayerLine =
        @"\): worst relative error \d(\.\d\d?)?e[-+]\d\d over \d+ parameters$";

    [Fact]
    public void One_parameter_checked_is_counted_in_the_singular()
    {
        // (Seed 4's parameter weighs a pixel that is not blank in its image; seeds 1 to 3 pick
        // blank ones, whose derivative is 0 and which therefore check nothing.)
        var result = Cli.Run(
            "gradcheck", "--hidden", string.Empty, "--samples", "1", "--max-parameters", "1",
            "--seed", "4");

        result.AssertSucceeded();
        Assert.Equal("checked 1 of 7,850 parameters (a seeded sample)", result.OutLines[2]);
        Assert.Matches(
            @"^layer 1 \(784 → 10\): worst relative error \d(\.\d\d?)?e[-+]\d\d over 1 "
            + "parameter$",
            result.OutLines[3]);
    }

    [Fact]
    public void A_layer_that_the_sample_misses_is_listed_as_not_checked()
    {
        // Five of 25,450 parameters, the seeded sample all in layer 1: layer 2 is still named,
        // as not checked rather than with a worst error of 0 (text and JSON).
        var result = Cli.Run("gradcheck", "--max-parameters", "5");
        var json = Cli.Run("gradcheck", "--max-parameters", "5", "--json");

        result.AssertSucceeded();
        Assert.Equal(
            "layer 2 (32 → 10): not in the sample, none of its parameters checked",
            result.OutLines[4]);
        var layers = JsonDocument.Parse(json.Out).RootElement.GetProperty("layers");
        Assert.Equal(2, layers.GetArrayLength());
        Assert.Equal(0, layers[1].GetProperty("checked").GetInt32());
        Assert.Equal(5, layers[0].GetProperty("checked").GetInt32());
    }

    [Fact]
    public void A_test_labels_file_of_one_dimension_but_another_type_is_named_in_the_singular()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var labels = System.IO.Path.Combine(data, DataSets.TestLabels);
        System.IO.File.WriteAllBytes(
            labels, Data.Crafted.Concat(Data.Crafted.Header(0x0901, 3), [1, 0, 1]));

        var result = Cli.Run("gradcheck", "--data", data);

        Assert.Equal(
            $"error: {labels}: expected an IDX labels file (magic 0x00000801), found 0x00000901 "
            + "(element type 0x09, 1 dimension)",
            result.AssertOneErrorLine(1));
    }

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
    public void More_samples_than_test_images_is_refused_in_one_line()
    {
        // The embedded sample has 1000 test images: 1000 is accepted, 1001 is not.
        var line = Cli.Run("gradcheck", "--hidden", "4", "--samples", "1001")
            .AssertOneErrorLine(2);

        Assert.Equal("error: --samples 1001 is more than the 1,000 test images of the data", line);
    }

    [Fact]
    public void More_samples_than_test_images_is_named_as_typed()
    {
        var line = Cli.Run("gradcheck", "--hidden", "4", "--samples", "01001")
            .AssertOneErrorLine(2);

        Assert.Equal(
            "error: --samples 01001 is more than the 1,000 test images of the data", line);
    }

    [Theory]
    [InlineData("--hidden", "8")]
    [InlineData("--activation", "tanh")]
    [InlineData("--output", "sigmoid")]
    [InlineData("--loss", "mse")]
    [InlineData("--init", "he")]
    public void An_option_of_a_fresh_network_with_model_is_refused_naming_both_options(
        string option, string value)
    {
        var result = Cli.Run("gradcheck", "--model", models.Float32, option, value);

        Assert.Equal(
            $"error: {option} cannot be used with --model: it describes a fresh network, which "
            + "--model replaces",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
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
    public void Gradcheck_of_logits_tied_at_1e300_cannot_check_and_does_not_fail()
    {
        // Given weights of 1e300: the ten logits tie near 1e302, and every step on a weight of
        // a pixel that is not blank crosses the tie (this model used to fail the check)
        using var dir = new TempDirectory();
        var model = SingleLayer(dir, 1e300);

        // When
        var result = Cli.Run("gradcheck", "--model", model, "--samples", "2");

        // Then those weights are near a kink, and the zeros left say nothing
        Assert.Equal(
            "checked 1,000 of 7,850 parameters (a seeded sample); 704 near a kink, not counted",
            result.OutLines[2]);
        Assert.StartsWith("cannot check: ", result.OutLines[^1]);
        Assert.StartsWith(
            "error: gradient check inconclusive: ", result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Gradcheck_does_not_pass_when_rounding_noise_swamps_a_layer()
    {
        // Given a 784-8-10 network with two output weights of 3e38: its loss is near 1e38, so
        // the rounding noise of finite differences (about 1e28) dwarfs the derivatives of
        // order 1 of the output weights in the seeded sample, which used to "agree" with
        // relative error 1 and pass
        using var dir = new TempDirectory();
        var model = HugeOutputWeights(dir);

        // When
        var result = Cli.Run("gradcheck", "--model", model);

        // Then each layer says how many parameters lie within the noise, and the verdict is
        // that finite differences cannot check this network
        var lines = result.OutLines;
        Assert.Equal("checked 1,000 of 6,370 parameters (a seeded sample)", lines[2]);
        Assert.Matches(
            @"^layer 1 \(784 → 8\): worst relative error \d(\.\d\d?)?e-\d\d over \d+ parameters; "
            + @"\d+ within rounding noise \d(\.\d\d?)?e\+2\d$",
            lines[3]);
        Assert.Matches(
            @"^layer 2 \(8 → 10\): cannot check, no derivative above rounding noise "
            + @"\d(\.\d\d?)?e\+2\d among 13 parameters$",
            lines[4]);
        const string Reason = @"the loss or the output layer's Σ is too large for finite "
            + @"differences \(rounding noise \d(\.\d\d?)?e\+2\d, above every derivative of layer 2, "
            + @"at most \d(\.\d\d?)?e[-+]\d\d\)$";
        Assert.Matches("^cannot check: " + Reason, lines[5]);
        Assert.Equal(6, lines.Length);
        Assert.Matches(
            "^error: gradient check inconclusive: " + Reason, result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Gradcheck_does_not_pass_when_every_derivative_is_exactly_zero()
    {
        // Given identity outputs of exactly −5 (W = 0, b = −5) under cross-entropy, which
        // clamps them up to a small positive probability: the loss is flat in every parameter,
        // so every derivative is 0 on both sides, and a Backward that returned zeros would
        // agree too
        using var dir = new TempDirectory();
        var fresh = Network.Initialize<double>(
            [784, 8, 10], Activation.ReLU, Activation.Identity, Initialization.He, 1);
        var flat = Network.Create(
            fresh.Layers[0],
            Layer.Create(
                Matrix<double>.Build.Dense(10, 8),
                Vector<double>.Build.Dense(10, -5.0),
                Activation.Identity));
        var model = Save(dir.File("flat.json"), flat, "cross-entropy");

        // When
        var result = Cli.Run("gradcheck", "--model", model);

        // Then the check says it cannot tell, naming both layers
        const string Reason = "backpropagation gives 0 for every derivative of layers 1, 2 "
            + @"checked, and finite differences find nothing above their rounding noise "
            + @"\d(\.\d\d?)?e-\d\d: "
            + "the loss does not change with those parameters here, so the check cannot tell a "
            + "right gradient from a wrong one$";
        Assert.Matches("^cannot check: " + Reason, result.OutLines[^1]);
        Assert.Matches(
            "^error: gradient check inconclusive: " + Reason, result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_layer_of_dead_relu_units_is_named_as_not_checked_on_its_own_line_too()
    {
        // Given hidden biases of −1000: every ReLU unit is dead on every image, so layer 1's
        // derivatives are all 0 and the logits are the output biases, 0: the loss is ln 10 and
        // the rounding noise 33ε·ln 10/h. Layer 1's line used to give a worst relative error
        // (of rounding against 0, under the floor) while the verdict said it checked nothing.
        using var dir = new TempDirectory();
        var fresh = Network.Initialize<double>(
            [784, 8, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 1);
        var hidden = fresh.Layers[0];
        var dead = Network.Create(
            Layer.Create(hidden.Weights, Vector<double>.Build.Dense(8, -1000.0), hidden.Activation),
            fresh.Layers[1]);
        var model = Save(dir.File("dead.json"), dead);

        // When
        var result = Cli.Run("gradcheck", "--model", model);
        var json = Cli.Run("gradcheck", "--model", model, "--json").Json();

        // Then the layer line and the verdict both say that layer 1 was not checked
        var lines = result.OutLines;
        Assert.Equal("checked 1,000 of 6,370 parameters (a seeded sample)", lines[2]);
        Assert.Equal(
            "layer 1 (784 → 8): cannot check, no derivative above rounding noise 1.69e-11 among "
            + "987 parameters",
            lines[3]);
        Assert.Matches(@"^layer 2 \(8 → 10" + LayerLine, lines[4]);
        Assert.Equal(
            "cannot check: backpropagation gives 0 for every derivative of layer 1 checked, and "
            + "finite differences find nothing above their rounding noise 1.69e-11: the loss "
            + "does not change with those parameters here, so the check cannot tell a right "
            + "gradient from a wrong one",
            lines[5]);
        result.AssertOneErrorLine(1);
        var layers = json.At("layers").EnumerateArray().ToArray();
        Assert.Equal([false, true], layers.Select(l => l.At("resolved").GetBoolean()));
        var noise = 33 * Math.Pow(2, -52) * Math.Log(10) / 1e-3;
        Assert.InRange(layers[0].Number("roundingNoise"), noise * (1 - 1e-9), noise * (1 + 1e-9));
    }

    [Fact]
    public void A_float32_model_whose_hidden_sigma_overflows_float32_says_so_though_it_passes()
    {
        // Given a float32 model whose first hidden unit weighs every pixel 1e37 and feeds
        // nothing (its output weights are 0): its Σ, 1e37 times an image's pixel sum, is past
        // float32's largest number, so in float32 its output is ∞ and 0·∞ makes every logit
        // NaN, while in float64, where the check runs, the network is finite and the check
        // passed with no word of it
        using var dir = new TempDirectory();
        var fresh = Network.Initialize<double>(
            [784, 8, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 1);
        var (hidden, output) = (fresh.Layers[0], fresh.Layers[1]);
        var w1 = hidden.Weights.Clone();
        w1.SetRow(0, Vector<double>.Build.Dense(784, 1e37));
        var w2 = output.Weights.Clone();
        w2.ClearColumn(0);
        var model = Save(
            dir.File("wide.json"),
            Narrowed(Network.Create(
                Layer.Create(w1, hidden.Bias, hidden.Activation),
                Layer.Create(w2, output.Bias, output.Activation))),
            precision: ModelInfo.Float32);

        // When
        var result = Cli.Run("gradcheck", "--model", model);

        // Then the report names the Σ that float32 cannot hold, with its size in float64
        result.AssertSucceeded();
        var images = result.OutLines[1]["test images: ".Length..].Split(", ").Select(int.Parse);
        var test = DataSets.EmbeddedTest().Match(t => t.Test, e => throw e.ToException());
        double weight = 1e37f; // as float32 holds it
        var largest = images.Max(i => test.Image(i).ToArray().Sum(p => p / 255.0)) * weight;
        Assert.Equal(
            "float32: layer 1's Σ is not finite in float32, the model's precision, on these "
            + "images; in float64, where this check runs, its largest magnitude is "
            + largest.ToString("0.##e+00", CultureInfo.InvariantCulture)
            + " (float32 holds at most 3.4e+38)",
            result.OutLines[2]);
        Assert.StartsWith("passed: ", result.OutLines[^1]);
        Assert.Equal(
            result.OutLines[2],
            Cli.Run("gradcheck", "--model", model, "--json").Json().Text("float32Overflow"));
    }

    [Fact]
    public void A_float32_model_whose_loss_alone_overflows_float32_names_the_loss()
    {
        // Given an identity output under the quadratic loss whose first bias is 3e38 and whose
        // weights are 0: every output is finite in float32, its square is not
        using var dir = new TempDirectory();
        var fresh = Network.Initialize<double>(
            [784, 10], Activation.ReLU, Activation.Identity, Initialization.He, 1);
        var bias = Vector<double>.Build.Dense(10);
        bias[0] = 3e38;
        var model = Save(
            dir.File("square.json"),
            Narrowed(Network.Create(
                Layer.Create(Matrix<double>.Build.Dense(10, 784), bias, Activation.Identity))),
            "quadratic",
            ModelInfo.Float32);

        // When
        var json = Cli.Run("gradcheck", "--model", model, "--json").Json();

        // Then the loss, ½·(3e38)² on each image, is named with its value in float64
        double output = 3e38f; // as float32 holds it
        var half = 0.5 * output * output;
        Assert.Equal(
            "float32: the loss is not finite in float32, the model's precision, on these "
            + "images; in float64, where this check runs, it is "
            + half.ToString("0.##e+00", CultureInfo.InvariantCulture)
            + " (float32 holds at most 3.4e+38)",
            json.Text("float32Overflow"));
    }

    [Fact]
    public void Gradcheck_json_separates_parameters_within_noise_and_gives_the_verdict()
    {
        using var dir = new TempDirectory();
        var model = HugeOutputWeights(dir);

        var result = Cli.Run("gradcheck", "--model", model, "--json");

        result.AssertOneErrorLine(1);
        var json = result.Json();
        Assert.Equal("belowNoise", json.Text("verdict"));
        Assert.False(json.At("passed").GetBoolean());
        Assert.StartsWith(
            "the loss or the output layer's Σ is too large for finite differences (rounding noise ",
            json.Text("reason"));
        Assert.InRange(json.Number("worstRelativeError"), 0.0, 1e-6);
        Assert.InRange(json.Number("roundingNoise"), 1e20, 1e35);
        var layers = json.At("layers").EnumerateArray().ToArray();
        Assert.Equal(
            json.At("withinNoise").GetInt32(),
            layers.Sum(l => l.At("withinNoise").GetInt32()));
        Assert.Equal([true, false], layers.Select(l => l.At("resolved").GetBoolean()));
        Assert.Equal(json.Number("roundingNoise"), layers[1].Number("roundingNoise"));
    }

    [Fact]
    public void Gradcheck_of_a_passing_network_reports_no_parameter_within_noise()
    {
        var json = Cli.Run("gradcheck", "--hidden", "8", "--samples", "2", "--json").Json();

        Assert.Equal("passed", json.Text("verdict"));
        Assert.Equal(JsonValueKind.Null, json.At("reason").ValueKind);
        Assert.Equal(0, json.At("withinNoise").GetInt32());
        Assert.InRange(json.Number("roundingNoise"), 1e-12, 1e-9);
    }

    [Fact]
    public void Gradcheck_says_which_parameters_passed_only_within_noise()
    {
        // A tolerance of 1e-13 is finer than finite differences resolve: most parameters then
        // agree only because their difference is below the rounding noise, and passing says so.
        var result = Cli.Run(
            "gradcheck", "--hidden", "8", "--samples", "3", "--tolerance", "1e-13");

        result.AssertSucceeded();
        Assert.Matches(
            @"^passed: worst relative error \d(\.\d\d?)?e-\d\d, tolerance 1e-13 \(\d+ parameters "
            + @"within rounding noise \d(\.\d\d?)?e-\d\d, not judged by relative error\)$",
            result.OutLines[^1]);
    }

    [Fact]
    public void Gradcheck_of_huge_tied_logits_flags_their_weights_near_a_kink_instead_of_failing()
    {
        // Given one softmax layer whose weights are all 1e6: the ten logits tie near 1e8, and a
        // weight's step of h = 1e3 on a pixel that is not blank moves its logit by far more
        // than 1, across the tie, where the loss is in effect max(Σ) − Σ_y. Finite differences
        // there used to disagree with backpropagation by relative errors up to 2 and fail.
        using var dir = new TempDirectory();
        var model = SingleLayer(dir, 1e6);

        // When every parameter is checked
        var all = Cli.Run(
            "gradcheck", "--model", model, "--samples", "2", "--max-parameters", "7850");

        // Then the weights on the images' 562 pixels that are not blank are near a kink, and
        // the rest are checked: the biases within rounding noise and the weights on blank
        // pixels, whose derivatives are 0, exactly (their losses are the same bits)
        all.AssertSucceeded();
        Assert.Equal(
            "checked 7,850 of 7,850 parameters; 5,620 near a kink, not counted", all.OutLines[2]);
        Assert.Matches(
            @"^passed: worst relative error 0e\+00, tolerance 1e-06 \(10 parameters "
            + @"within rounding noise \d(\.\d\d?)?e-0\d, not judged by relative error\)$",
            all.OutLines[^1]);
    }

    [Fact]
    public void Gradcheck_of_a_loss_that_is_not_finite_cannot_check()
    {
        // Given weights of 1e307 on 784 pixels: the weighted inputs, and so the loss, overflow
        using var dir = new TempDirectory();
        var model = SingleLayer(dir, 1e307);

        var result = Cli.Run("gradcheck", "--model", model, "--samples", "2");

        const string Reason = "the loss or the output layer's Σ is too large for finite differences "
            + "(it is not finite within the stencil: rounding noise NaN)";
        Assert.Equal("cannot check: " + Reason, result.OutLines[^1]);
        Assert.Equal(
            "error: gradient check inconclusive: " + Reason, result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("1000000000", "795,000,000,010")]
    [InlineData("100000,100000", "10,079,600,010")]
    public void Gradcheck_refuses_a_network_too_large_for_memory_as_train_does(
        string hidden, string parameters)
    {
        var result = Cli.Run("gradcheck", "--hidden", hidden);

        var line = result.AssertOneErrorLine(2);
        Assert.StartsWith(
            $"error: --hidden {hidden} gives {parameters} parameters, which need about ", line);
        Assert.Matches(@" GB to check; this machine has \d+\.\d GB$", line);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void The_size_guard_names_a_layer_too_large_for_one_array()
    {
        // With nothing to hold in memory, only the limit of one array applies.
        var e = Assert.Throws<CommandFailure>(
            () => SizeGuard.Check([784, 3_000_000, 10], sizeof(double), 0, "check", 1));

        Assert.Equal(ExitCode.Usage, e.ExitCode);
        Assert.Equal(
            "--hidden 3000000 gives layer 1 (784 → 3000000) 2,352,000,000 weights, more than one "
            + "array can hold (2,147,483,591)",
            e.Message);
    }

    [Theory]
    [InlineData("train|--hidden|1,3000000", "1,000")]
    [InlineData("train|--hidden|1,3000000|--batch-size|2000", "2,000")]
    [InlineData("gradcheck|--hidden|1,3000000|--samples|1000", "1,000")]
    public void A_layer_whose_outputs_for_a_batch_exceed_one_array_is_refused_before_any_work(
        string args, string batch)
    {
        // A training run evaluates 1000 test images at once; its outputs of layer 2 would be
        // 3,000,000 × 1000 values. It used to train an epoch, then fail with "Arithmetic
        // operation resulted in an overflow."
        using var dir = new TempDirectory();

        string[] model = args.StartsWith("train") ? ["--out", dir.File("m.json")] : [];
        var outputs = batch == "2,000" ? "6,000,000,000" : "3,000,000,000";

        var result = Cli.Run([.. args.Split('|'), .. model]);

        Assert.Equal(
            $"error: --hidden 1,3000000 gives layer 2 (1 → 3000000) {outputs} outputs for a "
            + $"batch of {batch} images, more than one array can hold (2,147,483,591)",
            result.AssertOneErrorLine(2));
        Assert.Empty(dir.Files);
    }

    // A float64 model of a fresh 784-8-10 network whose output weights W[0,0] and W[1,1] are
    // 3e38, finite, as a user might edit a model file.
    [Fact]
    public void A_failed_check_prints_FAILED_with_its_figures_and_exits_1_with_one_error_line()
    {
        // Backward is right, so no network reaches this verdict through the command; a report
        // with a failure does: layer 2 judged 2,220 parameters, the worst at 0.5
        var report = new GradCheckReport(
            "gradcheck", "model.json", "784-16-10 relu, softmax", "softmax-cross-entropy",
            [3, 14], 12_730, 12_730, 0,
            [
                new LayerCheck(1, "784 → 16", 10_000, 10_000, 10_000, 0.0, 1.66e-11),
                new LayerCheck(2, "16 → 10", 2_730, 2_730, 510, 0.5, 1.7e-11),
            ],
            0.5, 10_510, 1.7e-11, 1e-6, GradientCheckVerdict.Failed, null, false);
        using var text = new StringWriter();

        // When
        GradCheckCommand.Print(report, text);
        var failure = Assert.Throws<CommandFailure>(() => GradCheckCommand.Outcome(report));

        // Then
        Assert.Equal(
            [
                "network: 784-16-10 relu, softmax from model.json; loss softmax-cross-entropy; "
                    + "float64",
                "test images: 3, 14",
                "checked 12,730 of 12,730 parameters",
                "layer 1 (784 → 16): none judged by relative error; 10,000 within rounding noise "
                    + "1.66e-11",
                "layer 2 (16 → 10): worst relative error 5e-01 over 2,220 parameters; 510 within "
                    + "rounding noise 1.7e-11",
                "FAILED: worst relative error 5e-01, tolerance 1e-06 (10,510 parameters within "
                    + "rounding noise 1.7e-11, not judged by relative error)",
            ],
            text.ToString().Split(Environment.NewLine)[..^1]);
        Assert.Equal(ExitCode.Failure, failure.ExitCode);
        Assert.Equal(
            "gradient check failed: worst relative error 5e-01 exceeds the tolerance 1e-06",
            failure.Message);
    }

    private static string HugeOutputWeights(TempDirectory dir)
    {
        var fresh = Network.Initialize<double>(
            [784, 8, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 1);
        var output = fresh.Layers[1];
        var w = output.Weights.Clone();
        w[0, 0] = 3e38;
        w[1, 1] = 3e38;
        return Save(
            dir.File("huge.json"),
            Network.Create(fresh.Layers[0], Layer.Create(w, output.Bias, output.Activation)));
    }

    private static string SingleLayer(TempDirectory dir, double weight) =>
        Save(
            dir.File("single.json"),
            Network.Create(Layer.Create(
                Matrix<double>.Build.Dense(10, 784, weight),
                Vector<double>.Build.Dense(10),
                Activation.Softmax)));

    // The network in float32, each weight and bias rounded to the nearest float.
    private static Network<float> Narrowed(Network<double> network) =>
        Network.Create(network.Layers.Map(l => Layer.Create(
            l.Weights.Map(w => (float)w), l.Bias.Map(b => (float)b), l.Activation)).Strict());

    private static string Save<T>(
        string path,
        Network<T> network,
        string loss = "softmax-cross-entropy",
        string precision = ModelInfo.Float64)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var info = new ModelInfo(precision, loss, ClassNames.FashionMnist, 1, "test");
        ModelFile.Save(path, network, info)
            .IfFail(e => throw new InvalidOperationException(e.Message));
        return path;
    }
}
