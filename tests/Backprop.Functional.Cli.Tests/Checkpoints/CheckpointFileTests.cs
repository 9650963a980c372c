using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Tests.Data;
using Backprop.Functional.Cli.Tests.Models;
using LanguageExt;
using Xunit;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>Checkpoint files: a bit-exact round trip, atomic saves, and checked loads.</summary>
public sealed class CheckpointFileTests
{
    [Fact]
    public void A_float64_checkpoint_round_trips_bit_for_bit()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.AwkwardDouble(1), TestModels.AwkwardDouble(2), bestEpoch: 1);

        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        var loaded = FinAssert.Succeeds(CheckpointFile.Load<double>(path));

        AssertSame(saved, loaded);
    }

    [Fact]
    public void A_float32_checkpoint_round_trips_bit_for_bit_and_saves_the_same_bytes_again()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.AwkwardSingle(3), TestModels.AwkwardSingle(4), bestEpoch: 1);

        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<float>()));
        var loaded = FinAssert.Succeeds(CheckpointFile.Load<float>(path));
        var again = dir.File("again.json");
        FinAssert.Succeeds(CheckpointFile.Save(again, loaded, TestModels.Info<float>()));

        AssertSame(saved, loaded);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        Assert.Equal(
            ["again.json", "checkpoint.json"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_best_epoch_that_is_the_checkpoints_own_is_saved_once()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var network = TestModels.Small<double>();
        var saved = Make(network, network, bestEpoch: 2);

        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        var loaded = FinAssert.Succeeds(CheckpointFile.Load<double>(path));

        Assert.Contains("\"best\": null\n", File.ReadAllText(path));
        Assert.Same(loaded.Network, loaded.Best);
        Assert.Equal(2, loaded.Header.BestEpoch);
    }

    [Fact]
    public void The_header_reads_alone_and_a_wrong_precision_is_named()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.Small<float>(), null, bestEpoch: null);
        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<float>()));

        var header = FinAssert.Succeeds(CheckpointFile.ReadHeader(path));
        var wrong = FinAssert.Fails(CheckpointFile.Load<double>(path));

        Assert.Equal(saved.Header.Settings, header.Settings);
        Assert.Equal(saved.Header.History, header.History);
        Assert.Equal(["no", "yes"], header.ClassNames);
        Assert.Equal(
            $"{path}: the checkpoint is float32; expected float64", wrong);
    }

    [Theory]
    [InlineData(
        "\"epoch\": 2,",
        "\"epoch\": 3,",
        "'step' is 20 but 3 epochs of 10 batches are 30 steps; expected the same")]
    [InlineData(
        "\"epoch\": 2,\n  \"batch\": 10,\n  \"batchesPerEpoch\": 10,\n  \"step\": 20,",
        "\"epoch\": 3,\n  \"batch\": 10,\n  \"batchesPerEpoch\": 10,\n  \"step\": 30,",
        "'history' has 2 entries but the checkpoint is at epoch 3; expected one per epoch")]
    [InlineData(
        "\"name\": \"m\"",
        "\"name\": \"momentum\"",
        "optimizer 'buffers' are ['momentum', 'v'] but its run's optimizer (adam(β₁ = 0.9, "
            + "β₂ = 0.999, ε = 1E-08), η = constant(0.0001235)) keeps ['m', 'v']")]
    [InlineData(
        "\"step\": 20,\n    \"learning",
        "\"step\": 19,\n    \"learning",
        "optimizer has taken 19 steps but the run 20 (20 less 0 skipped)")]
    [InlineData(
        "\"learningRate\": 0.000123456789",
        "\"learningRate\": 0.5",
        "optimizer: 'learningRate' is 0.5 but 'history' entry 2's is 0.000123456789; expected "
            + "the same, the η of step 20, the last taken")]
    [InlineData(
        "\"bias\": [0.25, 0.5]",
        "\"bias\": [0.25]",
        "buffer 'v', layer 2 bias has 1 value but the layer has 2 outputs")]
    [InlineData(
        "\"bias\": [0.25, 0.5]",
        "\"bias\": [0.25, \"x\"]",
        "bias, value 2 is the string \"x\"; expected a number")]
    public void A_damaged_checkpoint_names_the_first_problem(
        string find, string replace, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.Small<double>(), null, bestEpoch: null, lastBias: true);
        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        var text = File.ReadAllText(path);
        Assert.Contains(find, text, StringComparison.Ordinal);
        File.WriteAllText(path, ReplaceLast(text, find, replace));

        var result = CheckpointFile.Load<double>(path);

        Assert.Contains(expected, FinAssert.Fails(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_UTF8_byte_order_mark_is_skipped_and_the_values_are_the_same()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.AwkwardDouble(1), TestModels.AwkwardDouble(2), bestEpoch: 1);
        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(path)]);

        var loaded = FinAssert.Succeeds(CheckpointFile.Load<double>(path));
        var header = FinAssert.Succeeds(CheckpointFile.ReadHeader(path));

        AssertSame(saved, loaded);
        Assert.Equal(saved.Header.Settings, header.Settings);
    }

    [Fact]
    public void A_key_twice_in_the_settings_is_named_with_where()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.Small<double>(), null, bestEpoch: null);
        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        var text = File.ReadAllText(path);
        var (settings, again) = ("\"settings\": {", "\"optimizer\": \"sgd\", ");
        File.WriteAllText(path, text.Replace(settings, settings + again, StringComparison.Ordinal));

        var message = FinAssert.Fails(CheckpointFile.ReadHeader(path));

        Assert.Equal(
            $"{path}: the key 'optimizer' appears twice in the object at $.settings, again at "
            + "line 16, column 5; expected each key once per object",
            message);
    }

    [Fact]
    public void A_key_twice_in_the_model_of_a_checkpoint_is_named_with_where()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        var saved = Make(TestModels.Small<double>(), null, bestEpoch: null);
        FinAssert.Succeeds(CheckpointFile.Save(path, saved, TestModels.Info<double>()));
        var text = File.ReadAllText(path);
        File.WriteAllText(path, ReplaceLast(text, "\"bias\": [", "\"bias\": [], \"bias\": ["));

        var message = FinAssert.Fails(CheckpointFile.Load<double>(path));

        // (The last "bias" of the file is the model's: the optimizer's buffers come before it.)
        Assert.Equal(
            $"{path}: the key 'bias' appears twice in the object at $.model.layers[1], again at "
            + "line 115, column 21; expected each key once per object",
            message);
    }

    [UnixFact]
    public void A_named_pipe_is_refused_before_it_is_opened()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.json");
        SpecialFiles.MakeFifo(path);

        var header = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(CheckpointFile.ReadHeader(path)));
        var whole = SpecialFiles.WithinSeconds(
            () => FinAssert.Fails(CheckpointFile.Load<float>(path)));

        var expected =
            $"{path}: is a named pipe (FIFO), not a regular file; expected a checkpoint file";
        Assert.Equal(expected, header);
        Assert.Equal(expected, whole);
    }

    // A checkpoint at the end of epoch 2 of 10 steps each, with Adam-like buffers derived from
    // the network (awkward values included), a history with validation figures (the run holds
    // 10 images out), and optionally a best network.
    private static Checkpoint<T> Make<T>(
        Network<T> network, Network<T>? best, int? bestEpoch, bool lastBias = false)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var m = new Gradient<T>(network.Layers.Map(l =>
            new LayerGradient<T>(l.Weights.Clone(), l.Bias.Clone())).Strict());
        var v = new Gradient<T>(network.Layers.Map(l =>
            new LayerGradient<T>(l.Weights.PointwiseAbs(), l.Bias.PointwiseAbs())).Strict());
        if (lastBias)
        {
            v.Layers.Last.Bias[0] = T.CreateChecked(0.25);
            v.Layers.Last.Bias[1] = T.CreateChecked(0.5);
        }

        // The best epoch, when there is one, has the lower validation loss, as in a run; each
        // epoch's η is the one the schedule gives, the last epoch's the optimizer's.
        var (loss1, loss2) = bestEpoch == 2 ? (Math.PI, 0.0) : (0.0, Math.PI);
        EpochMetrics[] history =
        [
            new(1, 1.0 / 3.0, 0.000123456789, 1.5, 0.25, loss1, 0.3, 3, 10, 0.7, 0.6, 6, 10),
            new(2, 0.1, 0.000123456789, 2.0, 0.5, loss2, 0.9, 9, 10, 0.6, 0.7, 7, 10),
        ];
        var header = new CheckpointHeader(
            FinAssert.Succeeds(ModelInfo.PrecisionOf<T>()),
            Settings(
                FinAssert.Succeeds(ModelInfo.PrecisionOf<T>()),
                network.Layers[0].Activation.Name,
                bestEpoch is not null),
            2,
            10,
            10,
            20,
            0,
            history,
            bestEpoch,
            TestModels.Info<T>().ClassNames);
        var state = new OptimizerState<T>(20, 0.000123456789, Seq(("m", m), ("v", v)));
        return new Checkpoint<T>(header, network, state, best);
    }

    // Every setting a run records (the reader refuses a checkpoint without one): 90 of the 100
    // images trained on in batches of 9 make the 10 batches of an epoch; the networks are
    // 3 → 4 → 2 with a softmax output, and their files record TestModels.Info's loss and seed.
    private static (string Key, string Value)[] Settings(
        string precision, string hidden, bool earlyStop) =>
    [
        ("precision", precision), ("trainingImages", "100"), ("validation", "10"),
        ("sizes", "3 → 4 → 2"), ("activation", hidden), ("output", "softmax"),
        ("loss", "softmax-cross-entropy"), ("init", "he"), ("batchSize", "9"), ("seed", "7"),
        ("optimizer", "adam"), ("learningRate", "0.000123456789"), ("momentum", "0.9"),
        ("beta2", "0.999"), ("weightDecay", "0"), ("l2", "0"), ("clipNorm", string.Empty),
        ("schedule", "constant"), ("decayFactor", string.Empty), ("decayEvery", string.Empty),
        ("warmup", "0"),
        ("chain", "adam(β₁ = 0.9, β₂ = 0.999, ε = 1E-08), η = constant(0.0001235)"),
        ("dropout", "0"), ("earlyStop", earlyStop ? "3" : "0"),
    ];

    private static void AssertSame<T>(Checkpoint<T> expected, Checkpoint<T> actual)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Header.Settings, actual.Header.Settings);
        Assert.Equal(expected.Header.History, actual.Header.History);
        Assert.Equal(
            (expected.Header.Epoch, expected.Header.Batch, expected.Header.Step),
            (actual.Header.Epoch, actual.Header.Batch, actual.Header.Step));
        Assert.Equal(expected.Header.BestEpoch, actual.Header.BestEpoch);
        Assert.Equal(expected.Header.ClassNames, actual.Header.ClassNames);
        Assert.Equal(Bits(expected.Network), Bits(actual.Network));
        Assert.Equal(Bits(expected.Best!), Bits(actual.Best!));
        Assert.Equal(expected.Optimizer.Step, actual.Optimizer.Step);
        Assert.Equal(expected.Optimizer.LearningRate, actual.Optimizer.LearningRate);
        Assert.Equal(
            expected.Optimizer.Buffers.Map(b => b.Name), actual.Optimizer.Buffers.Map(b => b.Name));
        foreach (var (e, a) in expected.Optimizer.Buffers.Zip(actual.Optimizer.Buffers))
        {
            Assert.Equal(Bits(e.Buffer), Bits(a.Buffer));
        }
    }

    private static double[] Bits<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Layers.ToArray()
            .SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias.ToArray()))
            .Select(x => BitConverter.Int64BitsToDouble(BitsOf(x)))
            .ToArray();

    private static double[] Bits<T>(Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        gradient.Layers.ToArray()
            .SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias.ToArray()))
            .Select(x => BitConverter.Int64BitsToDouble(BitsOf(x)))
            .ToArray();

    // The raw bits, so that −0 and 0 differ and NaN equals itself.
    private static long BitsOf<T>(T x)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        x switch
        {
            double d => BitConverter.DoubleToInt64Bits(d),
            float f => BitConverter.SingleToInt32Bits(f),
            _ => throw new NotSupportedException(typeof(T).Name),
        };

    private static string ReplaceLast(string text, string find, string replace)
    {
        var at = text.LastIndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }
}
