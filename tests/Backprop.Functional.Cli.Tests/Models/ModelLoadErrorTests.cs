using System;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

public sealed class ModelLoadErrorTests : IDisposable
{
    private const string ModelKeys = "'format', 'version', 'precision', 'sizes', 'loss', "
        + "'classNames', 'seed', 'dataset' and 'layers'";

    private const string LayerKeys = "'activation', 'weights' and 'bias'";

    private readonly TempDirectory _temp = new();

    private string Path => _temp.File("model.json");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_missing_file_is_named()
    {
        Assert.Equal($"{Path}: no such model file", Load());
    }

    [Fact]
    public void An_empty_file_says_so()
    {
        File.WriteAllText(Path, "  \n");

        Assert.Equal($"{Path}: the file is empty; expected a JSON model", Load());
    }

    [Fact]
    public void A_truncated_file_says_where_the_JSON_ends()
    {
        var text = Saved();
        File.WriteAllText(Path, text[..(text.Length / 2)]);

        var message = Load();

        Assert.StartsWith($"{Path}: the JSON ends early, at line ", message);
        Assert.EndsWith("; is the file truncated?", message);
    }

    [Fact]
    public void Invalid_JSON_gives_the_line_and_column_and_a_short_reason()
    {
        var text = Saved().Replace("\"version\": 1,", "\"version\": 1;", StringComparison.Ordinal);
        File.WriteAllText(Path, text);

        var message = Load();

        Assert.StartsWith($"{Path}: invalid JSON at line 3, column 15: ", message);
        Assert.DoesNotContain("LineNumber", message);
    }

    // The parser's own words for these two named its settings ("The maximum configured depth
    // of 16", "Change the reader options"), not the file.
    [Theory]
    [InlineData(
        "{\"a\": [[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]}",
        "line 1, column 22: the JSON nests more than 16 levels deep, deeper than any model or "
            + "checkpoint file")]
    [InlineData(
        "{\"a\": 1,}",
        "line 1, column 9: a comma before the closing bracket or brace, which JSON does not "
            + "allow")]
    [InlineData(
        "[1, 2,]",
        "line 1, column 7: a comma before the closing bracket or brace, which JSON does not "
            + "allow")]
    public void Parser_limits_are_told_in_the_files_terms(string text, string expected)
    {
        File.WriteAllText(Path, text);

        Assert.Equal($"{Path}: invalid JSON at {expected}", Load());
    }

    [Fact]
    public void A_top_level_array_is_not_a_model()
    {
        File.WriteAllText(Path, "[1, 2]");

        Assert.Equal($"{Path}: the top level is an array; expected a JSON object", Load());
    }

    [Fact]
    public void A_missing_format_is_named()
    {
        Assert.Equal(
            $"{Path}: 'format' is missing; expected a string", LoadAfter(m => m.Remove("format")));
    }

    [Fact]
    public void Another_format_is_refused()
    {
        Assert.Equal(
            $"{Path}: format is 'keras'; expected 'backprop-functional-model'",
            LoadAfter(m => m["format"] = "keras"));
    }

    [Fact]
    public void Another_version_is_refused()
    {
        Assert.Equal(
            $"{Path}: version 2 is not supported; expected 1", LoadAfter(m => m["version"] = 2));
    }

    [Fact]
    public void The_first_problem_is_the_one_named()
    {
        var message = LoadAfter(m =>
        {
            m["layers"]![1]!["activation"] = "swish";
            m["version"] = 3;
        });

        Assert.Equal($"{Path}: version 3 is not supported; expected 1", message);
    }

    [Fact]
    public void An_unknown_precision_is_refused()
    {
        Assert.Equal(
            $"{Path}: precision is 'float16'; expected 'float32' or 'float64'",
            LoadAfter(m => m["precision"] = "float16"));
    }

    [Fact]
    public void Loading_float32_as_float64_says_which_it_is()
    {
        Saved(TestModels.Small<float>(), TestModels.Info<float>());

        var message = FinAssert.Fails(ModelFile.LoadDouble(Path));

        Assert.Equal($"{Path}: the model is float32; expected float64", message);
    }

    [Fact]
    public void An_unknown_loss_is_named()
    {
        var message = LoadAfter(m => m["loss"] = "hinge");

        Assert.StartsWith($"{Path}: loss: unknown loss 'hinge'; expected ", message);
    }

    [Fact]
    public void A_negative_seed_is_refused()
    {
        Assert.Equal(
            $"{Path}: 'seed' is -1; expected a whole number from 0 to 18446744073709551615",
            LoadAfter(m => m["seed"] = -1));
    }

    [Fact]
    public void Layers_that_disagree_with_the_sizes_are_counted()
    {
        Assert.Equal(
            $"{Path}: 'layers' has 2 entries but 'sizes' [3, 4, 2, 2] describes 3",
            LoadAfter(m => m["sizes"] = new JsonArray(3, 4, 2, 2)));
    }

    [Fact]
    public void Counts_of_one_are_in_the_singular()
    {
        Assert.Equal(
            $"{Path}: 'sizes' lists 1 size; expected at least 2 (inputs, …, outputs)",
            LoadAfter(m => m["sizes"] = new JsonArray(3)));
        Assert.Equal(
            $"{Path}: 'layers' has 1 entry but 'sizes' [3, 4, 2] describes 2",
            LoadAfter(m => m["layers"]!.AsArray().RemoveAt(1)));
        Assert.Equal(
            $"{Path}: layer 1 weights have 1 row but sizes[1] is 4",
            LoadAfter(m => m["layers"]![0]!["weights"] = new JsonArray(new JsonArray(1, 2, 3))));
        Assert.Equal(
            $"{Path}: layer 2 weights have 1 column but layer 1 has 4 outputs",
            LoadAfter(m =>
            {
                foreach (var row in m["layers"]![1]!["weights"]!.AsArray())
                {
                    row!.AsArray().RemoveRange(1, 3);
                }
            }));
        Assert.Equal(
            $"{Path}: layer 2 weights have 4 columns but layer 1 has 1 output",
            LoadAfter(m =>
            {
                m["sizes"]![1] = 1;
                m["layers"]![0]!["weights"]!.AsArray().RemoveRange(1, 3);
                m["layers"]![0]!["bias"]!.AsArray().RemoveRange(1, 3);
            }));
        Assert.Equal(
            $"{Path}: layer 2 bias has 1 value but its weights have 2 rows",
            LoadAfter(m => m["layers"]![1]!["bias"]!.AsArray().RemoveAt(1)));
        Assert.Equal(
            $"{Path}: 'classNames' has 1 entry but the output layer has 2 units; expected one "
            + "name per unit",
            LoadAfter(m => m["classNames"] = new JsonArray("only")));
    }

    [Fact]
    public void Weights_whose_columns_do_not_match_the_layer_before_are_named()
    {
        var message = LoadAfter(m =>
        {
            foreach (var row in m["layers"]![1]!["weights"]!.AsArray())
            {
                row!.AsArray().RemoveAt(0);
            }
        });

        Assert.Equal($"{Path}: layer 2 weights have 3 columns but layer 1 has 4 outputs", message);
    }

    [Fact]
    public void A_ragged_weight_row_is_named()
    {
        var message = LoadAfter(m => m["layers"]![1]!["weights"]![1]!.AsArray().RemoveAt(0));

        Assert.Equal($"{Path}: layer 2 weights row 2 has 3 columns but row 1 has 4", message);
    }

    [Fact]
    public void Weights_with_the_wrong_input_size_are_named()
    {
        var message = LoadAfter(m => m["sizes"]![0] = 5);

        Assert.Equal(
            $"{Path}: layer 1 weights have 3 columns but the input size, sizes[0], is 5",
            message);
    }

    [Fact]
    public void A_missing_weight_row_is_named()
    {
        var message = LoadAfter(m => m["layers"]![0]!["weights"]!.AsArray().RemoveAt(3));

        Assert.Equal($"{Path}: layer 1 weights have 3 rows but sizes[1] is 4", message);
    }

    [Fact]
    public void A_bias_of_the_wrong_length_is_named()
    {
        var message = LoadAfter(m => m["layers"]![0]!["bias"]!.AsArray().Add(0.5));

        Assert.Equal($"{Path}: layer 1 bias has 5 values but its weights have 4 rows", message);
    }

    [Fact]
    public void An_unknown_activation_is_named_with_its_layer()
    {
        var message = LoadAfter(m => m["layers"]![1]!["activation"] = "swish");

        Assert.StartsWith(
            $"{Path}: layer 2 activation: unknown activation 'swish'; expected ", message);
    }

    [Fact]
    public void A_number_too_large_for_a_double_is_not_finite()
    {
        var message = LoadAfter(
            m => m["layers"]![0]!["weights"]![2]![1] = JsonNode.Parse("1e999"));

        Assert.Equal(
            $"{Path}: layer 1 weights row 3, value 2 is 1e999, beyond float64's range, "
            + "±1.7976931348623157E+308",
            message);
    }

    [Fact]
    public void A_number_too_large_for_a_float_is_not_finite_in_a_float32_model()
    {
        var message = LoadAfter(
            m => m["layers"]![1]!["bias"]![0] = JsonNode.Parse("1e39"),
            TestModels.Small<float>(),
            TestModels.Info<float>());

        Assert.Equal(
            $"{Path}: layer 2 bias, value 1 is 1e39, beyond float32's range, ±3.4028235E+38",
            message);
    }

    // Float32's largest number below 1 is 1 − 2⁻²⁴ = 0.999999940395355224609375 (0.99999994 at
    // its shortest), and 1 − 2⁻²⁵ is half-way between it and 1. A float32 network rounds the
    // slope, a double, to float: from 1 − 2⁻²⁵ up it is 1 (the tie goes to 1, whose last bit is
    // even). 0.9999999701976776 is the shortest decimal of the double 1 − 2⁻²⁵ itself, and
    // 0.9999999701976775 of the double just below it, the largest that stays below 1.
    [Theory]
    [InlineData("leaky-relu:0.99999999", "0.99999999")]
    [InlineData(" Leaky-ReLU:9.9999999E-1 ", "9.9999999E-1")]
    [InlineData("leaky-relu:0.9999999701976776", "0.9999999701976776")]
    public void A_leaky_relu_slope_that_is_1_in_float32_is_refused_in_a_float32_model(
        string activation, string slope)
    {
        var message = LoadAfter(
            m => m["layers"]![0]!["activation"] = activation,
            TestModels.Small<float>(),
            TestModels.Info<float>());

        Assert.Equal(
            $"{Path}: layer 1 activation: leaky ReLU slope is 1 in float32, where it must be "
            + $"below 1, got '{slope}'; expected at most 0.99999994",
            message);
    }

    [Theory]
    [InlineData("leaky-relu:0.99999994", ModelInfo.Float32)]
    [InlineData("leaky-relu:0.9999999701976775", ModelInfo.Float32)]
    [InlineData("leaky-relu:0.99999999", ModelInfo.Float64)]
    [InlineData("leaky-relu:0.9999999701976776", ModelInfo.Float64)]
    public void A_leaky_relu_slope_below_1_in_the_models_precision_is_taken(
        string activation, string precision)
    {
        // The largest float32 slopes below 1 (see above), and in float64 the ones float32
        // refuses.
        var saved = precision == ModelInfo.Float32
            ? Saved(TestModels.Small<float>(), TestModels.Info<float>())
            : Saved();
        File.WriteAllText(Path, Edit(saved, m => m["layers"]![0]!["activation"] = activation));

        var loaded = FinAssert.Succeeds(ModelFile.Load(Path));

        Assert.Equal(precision, loaded.Info.Precision);
        var hidden = loaded.Match(
            (n, _) => n.Layers[0].Activation, (n, _) => n.Layers[0].Activation);
        Assert.Equal(activation, hidden.Name);
    }

    // The slope is read by the rule for numbers, as --activation reads it: no '+' sign and no
    // spaces inside the name, which the writer never writes ('leaky-relu:0.5', '…:1E-05').
    [Theory]
    [InlineData("leaky-relu:+0.5", "+0.5", "; numbers take no '+' sign")]
    [InlineData("leaky-relu: 0.5", " 0.5", "; numbers take no spaces around them")]
    [InlineData("leaky-relu:0.5 x", "0.5 x", "")]
    [InlineData("leaky-relu:NaN", "NaN", "")]
    [InlineData("LEAKY-RELU:+1E-2", "+1E-2", "; numbers take no '+' sign")]
    public void A_leaky_relu_slope_not_written_by_the_rule_for_numbers_is_refused(
        string activation, string slope, string rule)
    {
        var message = LoadAfter(m => m["layers"]![0]!["activation"] = activation);

        Assert.Equal(
            $"{Path}: layer 1 activation: leaky ReLU slope must be a number in [0, 1), got "
            + $"'{slope}'{rule}",
            message);
    }

    [Theory]
    [InlineData("leaky-relu:.5", "leaky-relu:0.5")]
    [InlineData(" Leaky-ReLU:5e-1 ", "leaky-relu:0.5")]
    [InlineData("leaky-relu:1E-05", "leaky-relu:1E-05")]
    [InlineData("leaky-relu:-0", "relu")]
    public void A_leaky_relu_slope_written_by_the_rule_for_numbers_is_taken(
        string activation, string name)
    {
        File.WriteAllText(Path, Edit(Saved(), m => m["layers"]![0]!["activation"] = activation));

        var loaded = FinAssert.Succeeds(ModelFile.Load(Path));

        var hidden = loaded.Match(
            (n, _) => n.Layers[0].Activation, (n, _) => n.Layers[0].Activation);
        Assert.Equal(name, hidden.Name);
    }

    [Fact]
    public void A_string_where_a_number_belongs_is_named()
    {
        var message = LoadAfter(m => m["layers"]![1]!["bias"]![1] = "0.5");

        Assert.Equal(
            $"{Path}: layer 2 bias, value 2 is the string \"0.5\"; expected a number", message);
    }

    [Fact]
    public void A_loss_that_does_not_fit_the_output_activation_is_refused()
    {
        var message = LoadAfter(m => m["layers"]![1]!["activation"] = "sigmoid");

        Assert.Equal(
            $"{Path}: softmax-cross-entropy needs a softmax output layer, found sigmoid",
            message);
    }

    [Fact]
    public void Class_names_must_match_the_output_units()
    {
        var message = LoadAfter(m => m["classNames"] = new JsonArray("a", "b", "c"));

        Assert.Equal(
            $"{Path}: 'classNames' has 3 entries but the output layer has 2 units; expected one "
            + "name per unit",
            message);
    }

    [Theory]
    [InlineData("yes|yes", "entry 2 names 'yes' again, as entry 1 does")]
    [InlineData("a|b|c|b|b", "entry 4 names 'b' again, as entry 2 does")]
    public void A_class_named_twice_is_refused_naming_the_first_repeat(
        string names, string repeat)
    {
        // The second list has five names for two outputs too: the repeat is found first, with
        // the class names, before the layers are read.
        var message = LoadAfter(m => m["classNames"] = new JsonArray(
            Array.ConvertAll(names.Split('|'), n => (JsonNode?)n)));

        Assert.Equal(
            $"{Path}: 'classNames' {repeat}; expected a different name for each class", message);
    }

    [Theory]
    [InlineData("|no", 1, "")]
    [InlineData("yes|  ", 2, "  ")]
    [InlineData("yes| no", 2, " no")]
    [InlineData("yes\t|no", 1, "yes\t")]
    public void A_class_name_that_is_blank_or_padded_is_refused(
        string names, int entry, string shown)
    {
        // classes.txt trims its lines and refuses blank ones, so no run writes such a name;
        // printed, "cat " would pass for "cat", and "" for no name at all.
        var message = LoadAfter(m => m["classNames"] = new JsonArray(
            Array.ConvertAll(names.Split('|'), n => (JsonNode?)n)));

        Assert.Equal(
            $"{Path}: 'classNames' entry {entry} is '{shown}'; expected a "
            + "name that is not blank and has no spaces around it",
            message);
    }

    // A key the writer never writes, beside the right one or in its place, at the top or in a
    // layer, is refused before the keys around it are read: a typo would otherwise be passed
    // over, and the key it stands for taken as missing or left at its default.
    [Theory]
    [InlineData(0, "comment", "", ModelKeys)]
    [InlineData(0, "clasNames", "classNames", ModelKeys)]
    [InlineData(0, "Seed", "", ModelKeys)]
    [InlineData(2, "biases", "bias", LayerKeys)]
    [InlineData(1, "activation ", "", LayerKeys)]
    public void A_key_the_format_does_not_define_is_named_with_where_it_is(
        int layer, string key, string replaces, string expected)
    {
        var message = LoadAfter(m =>
        {
            // The top-level object, or layer 1 or 2; the key beside the others, or in place of
            // the one it replaces.
            var target = layer == 0 ? m : m["layers"]![layer - 1]!.AsObject();
            target[key] = replaces.Length == 0 ? "x" : target[replaces]!.DeepClone();
            target.Remove(replaces);
        });

        var where = layer == 0 ? string.Empty : $"layer {layer}: ";
        Assert.Equal(
            $"{Path}: {where}unknown key '{key}'; expected only {expected}", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_UTF8_byte_order_mark_is_skipped_and_the_values_are_the_same(bool awkward)
    {
        var network = awkward ? TestModels.AwkwardDouble(5) : TestModels.Small<double>();
        var text = Saved(network, TestModels.Info<double>());
        File.WriteAllBytes(Path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]);

        var loaded = FinAssert.Succeeds(ModelFile.LoadDouble(Path));

        Assert.Equal(network, loaded.Network);
        Assert.Equal(TestModels.Info<double>(), loaded.Info);
    }

    [Fact]
    public void A_byte_order_mark_alone_is_an_empty_file()
    {
        File.WriteAllBytes(Path, [0xEF, 0xBB, 0xBF, (byte)'\n']);

        Assert.Equal($"{Path}: the file is empty; expected a JSON model", Load());
    }

    [Fact]
    public void Invalid_JSON_after_a_byte_order_mark_is_placed_as_without_it()
    {
        var text = Saved().Replace("\"version\": 1,", "\"version\": 1;", StringComparison.Ordinal);
        File.WriteAllBytes(Path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]);

        var message = Load();

        Assert.StartsWith($"{Path}: invalid JSON at line 3, column 15: ", message);
    }

    [Fact]
    public void A_byte_order_mark_after_the_start_is_invalid_JSON()
    {
        File.WriteAllBytes(Path, [(byte)' ', 0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Saved())]);

        Assert.Equal(
            $"{Path}: invalid JSON at line 1, column 2: '0xEF' is an invalid start of a value",
            Load());
    }

    [Fact]
    public void A_key_twice_in_the_top_level_object_is_named_with_where()
    {
        var text = Saved().Replace(
            "\"version\": 1,", "\"version\": 1,\n  \"version\": 1,", StringComparison.Ordinal);
        File.WriteAllText(Path, text);

        Assert.Equal(
            $"{Path}: the key 'version' appears twice in the top-level object, again at line 4, "
            + "column 3; expected each key once per object",
            Load());
    }

    [Fact]
    public void A_key_twice_in_a_layer_is_named_with_its_path_even_when_spelled_otherwise()
    {
        // Given layer 2's activation given again, its first letter as an escape
        var text = Saved().Replace(
            "\"activation\": \"softmax\",",
            "\"activation\": \"softmax\", \"\\u0061ctivation\": \"relu\",",
            StringComparison.Ordinal);
        File.WriteAllText(Path, text);

        Assert.Equal(
            $"{Path}: the key 'activation' appears twice in the object at $.layers[1], again at "
            + "line 22, column 32; expected each key once per object",
            Load());
    }

    [Fact]
    public void A_key_twice_in_an_object_the_format_does_not_define_is_refused_too()
    {
        var text = Saved().Replace(
            "\"seed\": 7,",
            "\"seed\": 7, \"notes\": {\"a\\nb\": [], \"a\\nb\": {}},",
            StringComparison.Ordinal);
        File.WriteAllText(Path, text);

        Assert.Equal(
            $"{Path}: the key 'a\\nb' appears twice in the object at $.notes, again at line 8, "
            + "column 36; expected each key once per object",
            Load());
    }

    [Fact]
    public void The_same_key_in_different_objects_is_no_duplicate()
    {
        // "activation", "weights" and "bias" come once in each layer; the object added here
        // passes the check for keys twice, and is refused only as a key the format lacks.
        File.WriteAllText(Path, Edit(Saved(), m => m["settings"] = new JsonObject
        {
            ["format"] = "also a key of the top-level object",
        }));

        Assert.Equal($"{Path}: unknown key 'settings'; expected only {ModelKeys}", Load());
    }

    [UnixFact]
    public void A_named_pipe_is_refused_before_it_is_opened()
    {
        SpecialFiles.MakeFifo(Path);

        var message = SpecialFiles.WithinSeconds(Load);

        Assert.Equal(
            $"{Path}: is a named pipe (FIFO), not a regular file; expected a model file", message);
    }

    [UnixFact]
    public void A_character_device_is_refused()
    {
        File.CreateSymbolicLink(Path, "/dev/zero");

        var message = SpecialFiles.WithinSeconds(Load);

        Assert.Equal(
            $"{Path}: is a character device, not a regular file; expected a model file", message);
    }

    private string Load() => FinAssert.Fails(ModelFile.Load(Path));

    private string Saved() => Saved(TestModels.Small<double>(), TestModels.Info<double>());

    private string Saved<T>(Network<T> network, ModelInfo info)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        FinAssert.Succeeds(ModelFile.Save(Path, network, info));
        return File.ReadAllText(Path);
    }

    private string LoadAfter(Action<JsonObject> change) =>
        LoadAfter(change, TestModels.Small<double>(), TestModels.Info<double>());

    private string LoadAfter<T>(Action<JsonObject> change, Network<T> network, ModelInfo info)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        File.WriteAllText(Path, Edit(Saved(network, info), change));
        return Load();
    }

    private static string Edit(string json, Action<JsonObject> change)
    {
        var model = JsonNode.Parse(json)!.AsObject();
        change(model);
        return model.ToJsonString();
    }
}
