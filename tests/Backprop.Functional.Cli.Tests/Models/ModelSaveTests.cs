using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

public sealed class ModelSaveTests : System.IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Path => _temp.File("model.json");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_network_with_NaN_is_refused_before_anything_is_written()
    {
        // Given a saved model, and a network broken by writing NaN into its weights
        FinAssert.Succeeds(Save(TestModels.Small<double>(1)));
        var before = File.ReadAllBytes(Path);
        var broken = TestModels.Small<double>(2);
        broken.Layers[1].Weights[1, 2] = double.NaN;

        // When
        var message = FinAssert.Fails(Save(broken));

        // Then the old file is untouched and nothing else is in the directory
        Assert.Equal(
            $"cannot save {Path}: layer 2 weights contain NaN at row 1, column 2; expected "
            + "finite numbers",
            message);
        Assert.Equal(before, File.ReadAllBytes(Path));
        Assert.Equal([Path], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        File.WriteAllText(Path, "old");

        FinAssert.Succeeds(Save(TestModels.Small<double>()));

        var loaded = FinAssert.Succeeds(ModelFile.LoadDouble(Path));
        Assert.Equal(TestModels.Small<double>(), loaded.Network);
        Assert.Equal([Path], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void A_failed_rename_removes_the_temporary_file()
    {
        // Given a directory where the model should go
        Directory.CreateDirectory(Path);
        File.WriteAllText(System.IO.Path.Combine(Path, "keep"), "x");

        // When
        var message = FinAssert.Fails(Save(TestModels.Small<double>()));

        // Then
        Assert.Equal($"cannot write {Path}: it is a directory", message);
        Assert.Equal([Path], Directory.GetFileSystemEntries(_temp.Path));
        Assert.Equal("x", File.ReadAllText(System.IO.Path.Combine(Path, "keep")));
    }

    [Fact]
    public void A_missing_directory_is_named_and_not_created()
    {
        var path = _temp.File("no/such/model.json");

        var message = FinAssert.Fails(
            ModelFile.Save(path, TestModels.Small<double>(), TestModels.Info<double>()));

        Assert.Equal(
            $"cannot write {path}: the directory {_temp.File("no/such")} does not exist", message);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void A_precision_that_disagrees_with_the_network_is_refused()
    {
        var message = FinAssert.Fails(
            ModelFile.Save(Path, TestModels.Small<float>(), TestModels.Info<double>()));

        Assert.Equal(
            $"cannot save {Path}: the info says precision float64 but the network is float32",
            message);
        Assert.False(File.Exists(Path));
    }

    [Theory]
    [InlineData("only", "1 class name")]
    [InlineData("a|b|c", "3 class names")]
    public void One_class_name_per_output_unit_is_required(string names, string counted)
    {
        var info = TestModels.Info<double>() with { ClassNames = names.Split('|') };

        var message = FinAssert.Fails(ModelFile.Save(Path, TestModels.Small<double>(), info));

        Assert.Equal(
            $"cannot save {Path}: the info has {counted} but the output layer has 2 units; "
            + "expected one name per unit",
            message);
    }

    [Fact]
    public void An_output_layer_of_one_unit_is_counted_in_the_singular()
    {
        var network = Network.Initialize<double>(
            [3, 1], Activation.Sigmoid, Activation.Sigmoid, Initialization.GlorotUniform, 1);
        var info = TestModels.Info<double>() with { ClassNames = ["a", "b"] };

        var message = FinAssert.Fails(ModelFile.Save(Path, network, info));

        Assert.Equal(
            $"cannot save {Path}: the info has 2 class names but the output layer has 1 unit; "
            + "expected one name per unit",
            message);
    }

    [Fact]
    public void A_class_named_twice_is_refused_before_anything_is_written()
    {
        var info = TestModels.Info<double>() with { ClassNames = ["yes", "yes"] };

        var message = FinAssert.Fails(ModelFile.Save(Path, TestModels.Small<double>(), info));

        Assert.Equal(
            $"cannot save {Path}: the info names class 1 'yes', as it names class 0; expected a "
            + "different name for each class",
            message);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void A_loss_that_does_not_fit_the_output_activation_is_refused()
    {
        var network = Network.Initialize<double>(
            [3, 2], Activation.Tanh, Activation.Sigmoid, Initialization.He, 1);

        var message = FinAssert.Fails(Save(network));

        Assert.Equal(
            $"cannot save {Path}: softmax-cross-entropy needs a softmax output layer, found "
            + "sigmoid",
            message);
    }

    [Fact]
    public void A_leaky_relu_slope_that_is_1_in_float32_is_saved_in_float64_only()
    {
        // 0.99999999 is below 1 as a double, but a float32 network rounds it to 1 (from
        // 1 − 2⁻²⁵ up): the reader would refuse the file, so the writer does not write it.
        var slope = Activation.LeakyReLU(0.99999999);
        var single = Network.Initialize<float>(
            [3, 4, 2], slope, Activation.Softmax, Initialization.He, 1);
        var dual = Network.Initialize<double>(
            [3, 4, 2], slope, Activation.Softmax, Initialization.He, 1);

        var message = FinAssert.Fails(ModelFile.Save(Path, single, TestModels.Info<float>()));

        Assert.Equal(
            $"cannot save {Path}: layer 1 has activation 'leaky-relu:0.99999999', whose slope is "
            + "1 in float32, where it must be below 1; expected at most 0.99999994",
            message);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
        FinAssert.Succeeds(ModelFile.Save(Path, dual, TestModels.Info<double>()));
        Assert.Equal(dual, FinAssert.Succeeds(ModelFile.LoadDouble(Path)).Network);
    }

    [Fact]
    public void A_custom_activation_cannot_be_saved()
    {
        var cube = Activation.Custom("cube", x => x * x * x, x => 3 * x * x);
        var network = Network.Initialize<double>(
            [3, 4, 2], cube, Activation.Softmax, Initialization.He, 1);

        var message = FinAssert.Fails(Save(network));

        Assert.StartsWith(
            $"cannot save {Path}: layer 1 has activation 'cube', which a model file", message);
    }

    private LanguageExt.Fin<LanguageExt.Unit> Save(Network<double> network) =>
        ModelFile.Save(Path, network, TestModels.Info<double>());
}
