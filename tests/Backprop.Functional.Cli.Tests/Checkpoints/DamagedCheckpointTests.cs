using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A damaged checkpoint given to train --resume fails with exit code 1 and one line that names
/// the file and what is wrong where; exit code 2 stays for arguments that contradict a sound
/// checkpoint.
/// </summary>
public sealed class DamagedCheckpointTests
{
    // Every whole-number field refuses -0 alike: no writer writes it.
    private const string UnsignedZero =
        "expected a whole number in digits alone, with no '-' before 0";

    [Fact]
    public void Invalid_UTF8_in_a_string_is_named_with_its_line_and_column()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        var bytes = File.ReadAllBytes(checkpoint);
        var at = IndexOf(bytes, "\"backprop-functional-checkpoint\"") + 1;
        bytes[at] = 0xFF;
        File.WriteAllBytes(checkpoint, bytes);
        var (line, column) = Where(bytes, at);

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: invalid UTF-8 at line {line}, column {column} (byte 0xFF); "
            + "expected UTF-8 text",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("m", "optimizer 'buffers' are ['m'] but its run's optimizer")]
    [InlineData("", "optimizer 'buffers' are none but its run's optimizer")]
    public void Buffers_of_another_optimizer_name_the_file_and_no_parameter(
        string rename, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--optimizer", "nesterov");
        Edit(checkpoint, json =>
        {
            var buffers = json["optimizer"]!["buffers"]!.AsArray();
            if (rename.Length == 0)
            {
                buffers.Clear();
            }
            else
            {
                buffers[0]!["name"] = rename;
            }
        });

        var result = Resume(dir, checkpoint, "--optimizer", "nesterov");

        Assert.Equal(
            $"error: {checkpoint}: {expected} (nesterov(μ = 0.9), η = constant(0.01)) keeps "
            + "['velocity']",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData(
        "batchSize",
        "abc",
        "setting 'batchSize' is \"abc\"; expected a whole number ≥ 1 in digits, with no leading zero")]
    [InlineData(
        "batchSize",
        "032",
        "setting 'batchSize' is \"032\"; expected a whole number ≥ 1 in digits, with no leading zero")]
    [InlineData(
        "warmup",
        "00",
        "setting 'warmup' is \"00\"; expected a whole number ≥ 0 in digits, with no leading zero")]
    [InlineData(
        "seed",
        "01",
        "setting 'seed' is \"01\"; expected a whole number ≥ 0 in digits, with no leading zero")]
    [InlineData(
        "dropout",
        null,
        "setting 'dropout' is missing; expected a number in [0, 1), as --dropout takes")]
    [InlineData(
        "seed",
        "-1",
        "setting 'seed' is \"-1\"; expected a whole number ≥ 0 in digits, with no leading zero")]
    [InlineData(
        "learningRate",
        "fast",
        "setting 'learningRate' is \"fast\"; expected a finite number > 0, as --learning-rate "
            + "takes")]
    [InlineData(
        "learningRate",
        "0.10",
        "setting 'learningRate' is \"0.10\"; expected \"0.1\", as a run writes it")]
    [InlineData(
        "learningRate",
        "1e-1",
        "setting 'learningRate' is \"1e-1\"; expected \"0.1\", as a run writes it")]
    [InlineData(
        "learningRate",
        ".1",
        "setting 'learningRate' is \".1\"; expected \"0.1\", as a run writes it")]
    [InlineData(
        "learningRate",
        " 0.1",
        "setting 'learningRate' is \" 0.1\"; expected \"0.1\", as a run writes it")]
    [InlineData(
        "dropout",
        "+0",
        "setting 'dropout' is \"+0\"; expected \"0\", as a run writes it")]
    [InlineData(
        "dropout",
        "-0.0",
        "setting 'dropout' is \"-0.0\"; expected \"0\", as a run writes it")]
    [InlineData(
        "l2",
        "0.00001",
        "setting 'l2' is \"0.00001\"; expected \"1E-05\", as a run writes it")]
    [InlineData(
        "activation",
        "ReLU",
        "setting 'activation' is \"ReLU\"; expected \"relu\", as a run writes it")]
    [InlineData(
        "output",
        "leaky-relu:0.010",
        "setting 'output' is \"leaky-relu:0.010\"; expected \"leaky-relu:0.01\", as a run "
            + "writes it")]
    [InlineData(
        "loss",
        " mse",
        "setting 'loss' is \" mse\"; expected \"quadratic\", as a run writes it")]
    [InlineData(
        "optimizer",
        "SGD",
        "setting 'optimizer' is \"SGD\"; expected \"sgd\", as a run writes it")]
    [InlineData(
        "schedule",
        "Constant",
        "setting 'schedule' is \"Constant\"; expected \"constant\", as a run writes it")]
    [InlineData("init", "HE", "setting 'init' is \"HE\"; expected \"he\", as a run writes it")]
    [InlineData("optimizer", "sdg", "setting 'optimizer' is \"sdg\"; expected an optimizer name")]
    [InlineData(
        "activation",
        "leaky-relu:+0.5",
        "setting 'activation' is \"leaky-relu:+0.5\"; expected an activation name")]
    public void A_damaged_setting_is_exit_code_1_naming_the_file_and_the_key(
        string key, string? value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            var settings = json["settings"]!.AsObject();
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        });

        var result = Resume(dir, checkpoint);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Settings_given_in_spellings_of_their_own_are_recorded_as_the_reader_asks()
    {
        // Given a run whose numbers and names were given as a person might type them
        using var dir = new Commands.TempDirectory();
        string[] given =
        [
            "--learning-rate", "0.10", "--optimizer", "Momentum", "--momentum", ".9",
            "--l2", "1e-5", "--dropout", "0.50", "--activation", "ReLU",
        ];
        var checkpoint = Checkpoint(dir, given);

        // When it is resumed with the same arguments
        var settings = JsonNode.Parse(File.ReadAllText(checkpoint))!["settings"]!;
        var result = Resume(dir, checkpoint, given);

        // Then the checkpoint holds each in the one form the reader takes, and the run goes on
        Assert.Equal(
            ["0.1", "momentum", "0.9", "1E-05", "0.5", "relu"],
            new[] { "learningRate", "optimizer", "momentum", "l2", "dropout", "activation" }
                .Select(key => (string)settings[key]!));
        result.AssertSucceeded();
    }

    [Theory]
    [InlineData("trainingLoss", "\"x\"", "'trainingLoss' is the string \"x\"; expected a number")]
    [InlineData(
        "testCorrect",
        "1.5",
        "'testCorrect' is the number 1.5; expected a whole number in digits alone, with no "
            + "decimal point or exponent")]
    [InlineData(
        "testCorrect", "-0", "'testCorrect' is the number -0; " + UnsignedZero)]
    [InlineData(
        "validationLoss", "[]", "'validationLoss' is an array; expected a number or null")]
    [InlineData("testTotal", null, "'testTotal' is missing; expected a whole number")]
    [InlineData(
        "trainingLoss", "\"0.10\"", "'trainingLoss' is the string \"0.10\"; expected a number")]
    [InlineData(
        "trainingLoss",
        "1e309",
        "'trainingLoss' is the number 1e309, beyond float64's range, ±1.7976931348623157E+308")]
    [InlineData(
        "testAccuracy",
        "-1e309",
        "'testAccuracy' is the number -1e309, beyond float64's range, ±1.7976931348623157E+308")]
    [InlineData(
        "testCorrect",
        "5e2",
        "'testCorrect' is the number 5e2; expected a whole number in digits alone, with no "
            + "decimal point or exponent")]
    [InlineData(
        "testTotal",
        "99999999999",
        "'testTotal' is the number 99999999999; expected a whole number from 0 to 2147483647")]
    public void A_damaged_history_entry_names_the_field_and_the_type(
        string key, string? value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            var entry = json["history"]![0]!.AsObject();
            if (value is null)
            {
                entry.Remove(key);
            }
            else
            {
                entry[key] = JsonNode.Parse(value);
            }
        });

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: {expected}",
            result.AssertOneErrorLine(1));
    }

    // Keys and the JSON to set them to, in the history entry of a one-epoch run without a
    // validation set over the 1000 test images of the embedded sample.
    [Theory]
    [InlineData("{\"testAccuracy\": 5.0}", "'testAccuracy' is 5; expected a number in [0, 1]")]
    [InlineData(
        "{\"testAccuracy\": -0.25}", "'testAccuracy' is -0.25; expected a number in [0, 1]")]
    [InlineData(
        "{\"testAccuracy\": \"NaN\"}", "'testAccuracy' is NaN; expected a number in [0, 1]")]
    [InlineData(
        "{\"testCorrect\": 5000}",
        "'testCorrect' is 5000 but 'testTotal' is 1000; expected a whole number from 0 to 1000")]
    [InlineData(
        "{\"testCorrect\": -1}",
        "'testCorrect' is -1 but 'testTotal' is 1000; expected a whole number from 0 to 1000")]
    [InlineData("{\"testTotal\": 0}", "'testTotal' is 0; expected a whole number ≥ 1")]
    [InlineData(
        "{\"testCorrect\": 500, \"testAccuracy\": 0.25}",
        "'testAccuracy' is 0.25 but 'testCorrect' / 'testTotal' is 500/1000 = 0.5; expected them "
            + "to agree")]
    [InlineData(
        "{\"trainingLoss\": -1}", "'trainingLoss' is -1; expected a finite number ≥ 0")]
    [InlineData(
        "{\"testLoss\": \"-Infinity\"}", "'testLoss' is -Infinity; expected a finite number ≥ 0")]
    [InlineData(
        "{\"learningRate\": \"Infinity\"}",
        "'learningRate' is Infinity; expected a finite number ≥ 0")]
    [InlineData(
        "{\"learningRate\": -0.1}", "'learningRate' is -0.1; expected a finite number ≥ 0")]
    [InlineData(
        "{\"trainingSeconds\": -2}", "'trainingSeconds' is -2; expected a finite number ≥ 0")]
    [InlineData(
        "{\"evaluationSeconds\": \"NaN\"}",
        "'evaluationSeconds' is NaN; expected a finite number ≥ 0")]
    [InlineData(
        "{\"validationLoss\": 0.5}",
        "'validationLoss' is 0.5 but the run holds no images out (setting 'validation' is "
            + "\"0\"); expected null")]
    [InlineData(
        "{\"validationTotal\": 100}",
        "'validationTotal' is 100 but the run holds no images out (setting 'validation' is "
            + "\"0\"); expected null")]
    public void A_history_figure_out_of_range_or_at_odds_is_exit_code_1_naming_the_key(
        string changes, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => Set(json["history"]![0]!.AsObject(), changes));

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: {expected}",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    // As above, for a run that holds 100 images out.
    [Theory]
    [InlineData(
        "{\"validationLoss\": null}",
        "'validationLoss' is null but the run holds images out (setting 'validation' is "
            + "\"100\"); expected a number")]
    [InlineData(
        "{\"validationTotal\": 50}",
        "'validationTotal' is 50 but setting 'validation' is \"100\"; expected the same")]
    [InlineData(
        "{\"validationCorrect\": 101}",
        "'validationCorrect' is 101 but 'validationTotal' is 100; expected a whole number from 0 "
            + "to 100")]
    [InlineData(
        "{\"validationAccuracy\": 2}", "'validationAccuracy' is 2; expected a number in [0, 1]")]
    [InlineData(
        "{\"validationLoss\": -0.5}", "'validationLoss' is -0.5; expected a finite number ≥ 0")]
    public void The_validation_figures_agree_with_the_runs_validation_set(
        string changes, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--validation", "100");
        Edit(checkpoint, json => Set(json["history"]![0]!.AsObject(), changes));

        var result = Resume(dir, checkpoint, "--validation", "100");

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: {expected}",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Every_epoch_of_the_history_has_the_same_test_set()
    {
        using var dir = new Commands.TempDirectory();
        Commands.Cli.Run(
            "train", "--epochs", "2", "--hidden", "8", "--checkpoint", dir.File("run"),
            "--out", dir.File("first.json")).AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Edit(checkpoint, json =>
        {
            // Entry 2 alone claims 999 test images, its accuracy consistent with that.
            var entry = json["history"]![1]!.AsObject();
            entry["testTotal"] = 999;
            entry["testAccuracy"] = (double)entry["testCorrect"]!.GetValue<int>() / 999;
        });

        var result = Commands.Cli.Run(
            "train", "--hidden", "8", "--epochs", "3", "--resume", checkpoint,
            "--out", dir.File("m.json"));

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 2: 'testTotal' is 999 but entry 1's is 1000; "
            + "expected the same test set every epoch",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_best_epoch_in_a_run_without_a_validation_set_is_refused()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => json["bestEpoch"] = 1);

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: 'bestEpoch' is 1 but the run holds no images out (setting "
            + "'validation' is \"0\"), so it has no validation loss to be best in; expected null",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("adam", "v", "bias")]
    [InlineData("rmsprop", "square-average", "weights")]
    public void A_negative_average_of_squares_is_named_not_blamed_on_the_learning_rate(
        string optimizer, string buffer, string part)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--optimizer", optimizer);
        Edit(checkpoint, json =>
        {
            var layer = json["optimizer"]!["buffers"]!.AsArray()
                .Single(b => (string)b!["name"]! == buffer)!["layers"]![1]!;
            if (part == "bias")
            {
                layer["bias"]![3] = -0.5;
            }
            else
            {
                layer["weights"]![2]![4] = -0.5;
            }
        });

        var result = Resume(dir, checkpoint, "--optimizer", optimizer);

        var where = part == "bias" ? "bias, value 4" : "weights row 3, value 5";
        Assert.Equal(
            $"error: {checkpoint}: optimizer buffer '{buffer}', layer 2 {where} is -0.5; "
            + "expected a number ≥ 0, as an average of squared gradients is",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    // The embedded sample's 6000 training images in batches of 32 make 188 batches an epoch,
    // and a checkpoint after epoch 1 has taken 188 steps.
    [Theory]
    [InlineData(
        "{\"batch\": 100}",
        "'batch' is 100; expected 188, the last of its epoch, after which every checkpoint is "
            + "saved")]
    [InlineData(
        "{\"batch\": 100, \"batchesPerEpoch\": 100}",
        "'batchesPerEpoch' is 100 but 6000 training images in batches of 32 make 188 (settings "
            + "'trainingImages', 'validation' and 'batchSize')")]
    [InlineData(
        "{\"step\": 187}",
        "'step' is 187 but 1 epoch of 188 batches is 188 steps; expected the same")]
    [InlineData(
        "{\"step\": 376}",
        "'step' is 376 but 1 epoch of 188 batches is 188 steps; expected the same")]
    [InlineData(
        "{\"skipped\": 189}",
        "'skipped' is 189 but this program never skips a step (it stops at a non-finite one); "
            + "expected 0")]
    [InlineData(
        "{\"skipped\": 5}",
        "'skipped' is 5 but this program never skips a step (it stops at a non-finite one); "
            + "expected 0")]
    public void A_position_at_odds_with_itself_or_the_settings_is_refused(
        string changes, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => Set(json, changes));

        var result = Resume(dir, checkpoint);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    // Counts of one in the lines above: a run of one batch an epoch (the embedded sample's
    // 6000 training images in one batch), or a checkpoint that says it trained on one image.
    [Theory]
    [InlineData(
        "6000", "step", "5", "'step' is 5 but 1 epoch of 1 batch is 1 step; expected the same")]
    [InlineData(
        "32",
        "trainingImages",
        "1",
        "'batchesPerEpoch' is 188 but 1 training image in batches of 32 makes 1 (settings "
            + "'trainingImages', 'validation' and 'batchSize')")]
    public void Counts_of_one_in_the_position_checks_are_in_the_singular(
        string batchSize, string key, string value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--batch-size", batchSize);
        Edit(checkpoint, json =>
        {
            if (key == "step")
            {
                json["step"] = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                json["settings"]![key] = value;
            }
        });

        var result = Resume(dir, checkpoint, "--batch-size", batchSize);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_validation_set_as_large_as_the_training_images_is_refused()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => json["settings"]!["validation"] = "6000");

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: setting 'validation' is \"6000\" but 'trainingImages' is "
            + "\"6000\"; expected fewer images held out than there are",
            result.AssertOneErrorLine(1));
    }

    // A run that says --hidden 16 (or tanh) but holds the 784 → 8 → 10 relu network of another
    // would train that network under the wrong description.
    [Theory]
    [InlineData(
        "sizes", "784 → 16 → 10", "--hidden", "16",
        "model is 784 → 8 → 10 but setting 'sizes' is \"784 → 16 → 10\"; expected the same")]
    [InlineData(
        "activation", "tanh", "--activation", "tanh",
        "model: layer 1 has activation 'relu' but setting 'activation' is \"tanh\"; expected "
            + "the same")]
    [InlineData(
        "output", "sigmoid", "--output", "sigmoid",
        "model: layer 2 has activation 'softmax' but setting 'output' is \"sigmoid\"; expected "
            + "the same")]
    public void A_model_other_than_the_settings_describe_is_refused(
        string key, string value, string option, string argument, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            json["settings"]![key] = value;
            if (key == "output")
            {
                // The loss follows the output; keep the settings a run could give, and the
                // model's loss theirs.
                json["settings"]!["loss"] = "quadratic";
                json["model"]!["loss"] = "quadratic";
            }
        });
        string[] loss = key == "output" ? ["--loss", "quadratic"] : [];
        string[] network = key == "sizes" ? ["--hidden", argument] : ["--hidden", "8", option, argument];

        var result = Commands.Cli.Run(
            [
                "train", "--epochs", "2", "--resume", checkpoint, "--out", dir.File("m.json"),
                .. network, "--init", "he", .. loss,
            ]);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("seed", "7", "model: 'seed' is 7 but setting 'seed' is \"1\"; expected the same")]
    [InlineData(
        "loss",
        "cross-entropy",
        "model: 'loss' is 'cross-entropy' but setting 'loss' is \"softmax-cross-entropy\"; "
            + "expected the same")]
    public void A_model_of_another_seed_or_loss_than_the_run_is_refused(
        string key, string value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
            json["model"]![key] = key == "seed" ? JsonValue.Create(7) : JsonValue.Create(value));

        var result = Resume(dir, checkpoint);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    // Hand edits of the numbers of a checkpoint: each is named with its place and what is
    // wrong with it, in the file's own spelling.
    [Theory]
    [InlineData(
        "version",
        "1e0",
        "'version' is 1e0; expected a whole number in digits alone, with no decimal point or "
            + "exponent")]
    [InlineData(
        "version",
        "1.0",
        "'version' is 1.0; expected a whole number in digits alone, with no decimal point or "
            + "exponent")]
    [InlineData("version", "\"1\"", "'version' is the string \"1\"; expected a number")]
    [InlineData("version", "-0", "'version' is -0; " + UnsignedZero)]
    [InlineData("epoch", "-0", "'epoch' is -0; " + UnsignedZero)]
    [InlineData("step", "-0", "'step' is -0; " + UnsignedZero)]
    [InlineData("model.version", "-0", "model: 'version' is -0; " + UnsignedZero)]
    [InlineData("model.seed", "-0", "model: 'seed' is -0; " + UnsignedZero)]
    [InlineData("model.sizes", "-0", "model: 'sizes' entry 1 is -0; " + UnsignedZero)]
    [InlineData(
        "epoch",
        "1e309",
        "'epoch' is 1e309; expected a whole number in digits alone, with no decimal point or "
            + "exponent")]
    [InlineData(
        "epoch",
        "3000000000",
        "'epoch' is 3000000000; expected a whole number from 1 to 2147483647")]
    [InlineData(
        "step",
        "99999999999999999999",
        "'step' is 99999999999999999999; expected a whole number from 0 to 9223372036854775807")]
    [InlineData(
        "optimizer.learningRate",
        "\"0.10\"",
        "optimizer: 'learningRate' is the string \"0.10\"; expected a number")]
    [InlineData(
        "optimizer.learningRate",
        "1e309",
        "optimizer: 'learningRate' is 1e309, beyond float64's range, ±1.7976931348623157E+308")]
    [InlineData(
        "model.version",
        "1.0",
        "model: 'version' is 1.0; expected a whole number in digits alone, with no decimal point "
            + "or exponent")]
    [InlineData(
        "model.seed",
        "1e0",
        "model: 'seed' is 1e0; expected a whole number in digits alone, with no decimal point or "
            + "exponent")]
    [InlineData(
        "model.bias",
        "\"0.10\"",
        "model: layer 2 bias, value 1 is the string \"0.10\"; expected a number")]
    [InlineData(
        "model.bias",
        "1e309",
        "model: layer 2 bias, value 1 is 1e309, beyond float32's range, ±3.4028235E+38")]
    public void A_hand_edited_number_is_named_with_what_is_wrong(
        string key, string value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            var number = JsonNode.Parse(value);
            switch (key)
            {
                case "optimizer.learningRate":
                    json["optimizer"]!["learningRate"] = number;
                    break;
                case "model.bias":
                    json["model"]!["layers"]![1]!["bias"]![0] = number;
                    break;
                case "model.sizes":
                    json["model"]!["sizes"]![0] = number;
                    break;
                case var inModel when inModel.StartsWith("model.", StringComparison.Ordinal):
                    json["model"]![inModel["model.".Length..]] = number;
                    break;
                default:
                    json[key] = number;
                    break;
            }
        });

        var result = Resume(dir, checkpoint);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1E+400")]
    public void A_decimal_setting_beyond_float64s_range_is_named(string value)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => json["settings"]!["learningRate"] = value);

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: setting 'learningRate' is \"{value}\", beyond float64's "
            + "range, ±1.7976931348623157E+308",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_model_that_names_a_class_twice_is_refused()
    {
        // Given a checkpoint whose model names class 3 (Dress) as class 1, Trouser
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json => json["model"]!["classNames"]![3] = "Trouser");

        // When
        var result = Resume(dir, checkpoint);

        // Then
        Assert.Equal(
            $"error: {checkpoint}: model: 'classNames' entry 4 names 'Trouser' again, as entry 2 "
            + "does; expected a different name for each class",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_float32_model_whose_leaky_relu_slope_is_1_in_float32_is_refused()
    {
        // Given a float32 checkpoint whose model's hidden layer says leaky-relu:0.99999999, a
        // slope that float32 rounds to 1 (as an argument, train refuses it up front; the model
        // is read, and refused, before it is compared with the settings' relu)
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
            json["model"]!["layers"]![0]!["activation"] = "leaky-relu:0.99999999");

        // When
        var result = Resume(dir, checkpoint);

        // Then
        Assert.Equal(
            $"error: {checkpoint}: model: layer 1 activation: leaky ReLU slope is 1 in float32, "
            + "where it must be below 1, got '0.99999999'; expected at most 0.99999994",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData(1, "'bestEpoch' is 1 but the lowest validation loss in 'history' is epoch 2's "
        + "(0.25); expected 2")]
    [InlineData(0, "'bestEpoch' is null but the lowest validation loss in 'history' is epoch 2's "
        + "(0.25); expected 2")]
    public void A_best_epoch_other_than_the_lowest_validation_loss_is_refused(
        int bestEpoch, string expected)
    {
        using var dir = new Commands.TempDirectory();
        string[] options = ["--validation", "500", "--early-stop", "3"];
        Commands.Cli.Run(
            [
                "train", "--epochs", "2", "--hidden", "8", .. options,
                "--checkpoint", dir.File("run"), "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Edit(checkpoint, json =>
        {
            json["history"]![0]!["validationLoss"] = 0.5;
            json["history"]![1]!["validationLoss"] = 0.25;
            json["bestEpoch"] = bestEpoch == 0 ? null : bestEpoch;
        });

        var result = Commands.Cli.Run(
            [
                "train", "--epochs", "3", "--hidden", "8", .. options, "--resume", checkpoint,
                "--out", dir.File("m.json"),
            ]);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_best_epoch_in_a_run_that_does_not_stop_early_is_refused()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--validation", "500");
        Edit(checkpoint, json => json["bestEpoch"] = 1);

        var result = Resume(dir, checkpoint, "--validation", "500");

        Assert.Equal(
            $"error: {checkpoint}: 'bestEpoch' is 1 but the run does not stop early (setting "
            + "'earlyStop' is \"0\"); expected null",
            result.AssertOneErrorLine(1));
    }

    // Text replaced in the checkpoint, by text whose escape under test is marked by ^.
    [Theory]
    [InlineData("\"chain\": \"", "\"chain\": \"^\\udfff", "\\udfff in a string, a low "
        + "surrogate with no high surrogate before it")]
    [InlineData("{\"epoch\":1,", "{\"^\\ud800\":0,\"epoch\":1,", "\\ud800 in a key, a high "
        + "surrogate with no low surrogate after it")]
    [InlineData("\"T-shirt/top\"", "\"T-shirt/top^\\uDBFF\"", "\\uDBFF in a string, a high "
        + "surrogate with no low surrogate after it")]
    public void An_unpaired_surrogate_escape_is_named_with_its_line_and_column(
        string find, string replace, string escape)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        var text = File.ReadAllText(checkpoint);
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{find} is not in the checkpoint");
        text = text[..at] + replace.Replace("^", string.Empty, StringComparison.Ordinal)
            + text[(at + find.Length)..];
        File.WriteAllText(checkpoint, text);
        var (line, column) = Where(
            File.ReadAllBytes(checkpoint),
            Encoding.UTF8.GetByteCount(text[..at]) + replace.IndexOf('^'));

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: unpaired surrogate at line {line}, column {column} ({escape}); "
            + "expected a whole character",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void A_buffer_with_one_layer_too_few_is_named_in_the_singular()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--optimizer", "nesterov");
        Edit(checkpoint, json =>
            json["optimizer"]!["buffers"]![0]!["layers"]!.AsArray().RemoveAt(1));

        var result = Resume(dir, checkpoint, "--optimizer", "nesterov");

        Assert.Equal(
            $"error: {checkpoint}: optimizer buffer 'velocity' has 1 layer but the model has 2",
            result.AssertOneErrorLine(1));
    }

    private static void Set(JsonObject entry, string changes)
    {
        foreach (var (key, value) in JsonNode.Parse(changes)!.AsObject())
        {
            entry[key] = value?.DeepClone();
        }
    }

    internal static Commands.CliResult Resume(
        Commands.TempDirectory dir, string checkpoint, params string[] more) =>
        Commands.Cli.Run(
            [
                "train", "--hidden", "8", "--epochs", "2", "--resume", checkpoint,
                "--out", dir.File("m.json"), .. more,
            ]);

    // The checkpoint of a one-epoch run on the embedded sample with these options.
    internal static string Checkpoint(Commands.TempDirectory dir, params string[] options)
    {
        Commands.Cli.Run(
            [
                "train", "--epochs", "1", "--hidden", "8", .. options,
                "--checkpoint", dir.File("run"), "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        return Path.Combine(dir.File("run"), "checkpoint.json");
    }

    private static void Edit(string path, Action<JsonObject> change) =>
        JsonEdit.File(path, change);

    private static int IndexOf(byte[] bytes, string text) =>
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    private static (int Line, int Column) Where(byte[] bytes, int offset)
    {
        var before = bytes.AsSpan(0, offset);
        var start = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, offset - start + 1);
    }
}
