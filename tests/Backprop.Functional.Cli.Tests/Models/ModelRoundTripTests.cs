using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

public class ModelRoundTripTests
{
    [Theory]
    [InlineData("de-DE", "fr-FR", 1)]
    [InlineData("fr-FR", "de-DE", 2)]
    [InlineData("minus-sign", "minus-sign", 3)]
    [InlineData("de-DE", "de-DE", 4)]
    public void Every_double_weight_and_bias_round_trips_bit_for_bit_in_any_culture(
        string saveCulture, string loadCulture, int randomSeed)
    {
        // Given a network of awkward doubles
        using var temp = new TempDirectory();
        var path = temp.File("model.json");
        var network = TestModels.AwkwardDouble(randomSeed);
        var info = TestModels.Info<double>() with { ClassNames = ["a", "b"] };

        // When it is saved in one culture and loaded in another
        using (Cultures.Use(saveCulture))
        {
            Assert.Equal("0,5", 0.5.ToString());
            FinAssert.Succeeds(ModelFile.Save(path, network, info));
        }

        (Network<double> Network, ModelInfo Info) loaded;
        using (Cultures.Use(loadCulture))
        {
            loaded = FinAssert.Succeeds(ModelFile.LoadDouble(path));
        }

        // Then every parameter has the same bits, and so the networks are equal
        Assert.Equal(Bits(network), Bits(loaded.Network));
        Assert.Equal(
            network.Layers.Map(l => l.Activation), loaded.Network.Layers.Map(l => l.Activation));
        Assert.Equal(info, loaded.Info);
    }

    [Theory]
    [InlineData("de-DE", "fr-FR", 1)]
    [InlineData("minus-sign", "de-DE", 2)]
    public void Every_float_weight_and_bias_round_trips_bit_for_bit_in_any_culture(
        string saveCulture, string loadCulture, int randomSeed)
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.json");
        var network = TestModels.AwkwardSingle(randomSeed);
        var info = TestModels.Info<float>();

        using (Cultures.Use(saveCulture))
        {
            FinAssert.Succeeds(ModelFile.Save(path, network, info));
        }

        (Network<float> Network, ModelInfo Info) loaded;
        using (Cultures.Use(loadCulture))
        {
            loaded = FinAssert.Succeeds(ModelFile.LoadSingle(path));
        }

        Assert.Equal(Bits(network), Bits(loaded.Network));
        Assert.Equal(info, loaded.Info);
        Assert.Equal("float32", loaded.Info.Precision);
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_files()
    {
        using var temp = new TempDirectory();

        var a = SaveSmall<double>(temp.File("a.json"), seed: 42);
        var b = SaveSmall<double>(temp.File("b.json"), seed: 42);
        var c = SaveSmall<double>(temp.File("c.json"), seed: 43);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
    }

    [Fact]
    public void The_file_starts_with_the_format_and_keeps_one_weight_row_a_line()
    {
        using var temp = new TempDirectory();
        var path = SaveSmall<float>(temp.File("model.json"));

        var lines = File.ReadAllLines(path);

        Assert.Equal(
            [
                "{",
                "  \"format\": \"backprop-functional-model\",",
                "  \"version\": 1,",
                "  \"precision\": \"float32\",",
                "  \"sizes\": [3, 4, 2],",
                "  \"loss\": \"softmax-cross-entropy\",",
                "  \"classNames\": [\"no\", \"yes\"],",
                "  \"seed\": 7,",
                "  \"dataset\": \"crafted\",",
                "  \"layers\": [",
                "    {",
                "      \"activation\": \"relu\",",
                "      \"weights\": [",
            ],
            lines[..13]);
        Assert.Equal(4 + 2, lines.Count(l => l.StartsWith("        [", StringComparison.Ordinal)));
        Assert.DoesNotContain('\r', File.ReadAllText(path));
    }

    [Fact]
    public void Load_reports_the_precision_so_the_caller_can_dispatch()
    {
        using var temp = new TempDirectory();
        var single = FinAssert.Succeeds(ModelFile.Load(SaveSmall<float>(temp.File("s.json"))));
        var @double = FinAssert.Succeeds(ModelFile.Load(SaveSmall<double>(temp.File("d.json"))));

        Assert.IsType<LoadedModel.Float32>(single);
        Assert.IsType<LoadedModel.Float64>(@double);
        Assert.Equal("float32", single.Match((n, i) => "float64", (n, i) => i.Precision));
        Assert.Equal(TestModels.Small<double>(), ((LoadedModel.Float64)@double).Network);
    }

    [Fact]
    public void Saving_stores_the_loss_by_its_canonical_name()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.json");
        var info = TestModels.Info<double>() with { Loss = "CE" };

        FinAssert.Succeeds(ModelFile.Save(path, TestModels.Small<double>(), info));

        Assert.Equal("cross-entropy", FinAssert.Succeeds(ModelFile.LoadDouble(path)).Info.Loss);
    }

    private static string SaveSmall<T>(string path, ulong seed = 7)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        FinAssert.Succeeds(
            ModelFile.Save(path, TestModels.Small<T>(seed), TestModels.Info<T>(seed)));
        return path;
    }

    private static string[] Bits(Network<double> network) =>
        network.Layers
            .SelectMany(l => l.Weights.ToRowMajorArray().Concat(l.Bias.ToArray()))
            .Select(x => BitConverter.DoubleToInt64Bits(x).ToString("X16"))
            .ToArray();

    private static string[] Bits(Network<float> network) =>
        network.Layers
            .SelectMany(l => l.Weights.ToRowMajorArray().Concat(l.Bias.ToArray()))
            .Select(x => BitConverter.SingleToInt32Bits(x).ToString("X8"))
            .ToArray();
}
