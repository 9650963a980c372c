using System;
using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Every bad argument ends the same way: exit code 2, one line on stderr that starts with
/// "error:" and names the option and the value, nothing on stdout, and no file written.
/// </summary>
public sealed class BadArgumentTests
{
    [Theory]
    [InlineData("--epochs|0", "--epochs", "'0'")]
    [InlineData("--epochs|-3", "--epochs", "'-3'")]
    [InlineData("--epochs|ten", "--epochs", "'ten'")]
    [InlineData("--epochs|2.5", "--epochs", "'2.5'")]
    [InlineData("--batch-size|0", "--batch-size", "'0'")]
    [InlineData("--learning-rate|0", "--learning-rate", "'0'")]
    [InlineData("--learning-rate|-0.5", "--learning-rate", "'-0.5'")]
    [InlineData("--learning-rate|NaN", "--learning-rate", "'NaN'")]
    [InlineData("--learning-rate|Infinity", "--learning-rate", "'Infinity'")]
    [InlineData("--learning-rate|1e999", "--learning-rate", "'1e999'")]
    [InlineData("--learning-rate|1e-50", "--learning-rate is 0 in float32", "'1e-50'")]
    [InlineData("--optimizer|adam|--learning-rate|1e-46", "is 0 in float32", "'1e-46'")]
    [InlineData("--hidden|a", "--hidden", "'a'")]
    [InlineData("--hidden|0", "--hidden", "'0'")]
    [InlineData("--hidden|16,,8", "--hidden", "'16,,8'")]
    [InlineData("--hidden|-5", "--hidden", "'-5'")]
    [InlineData("--hidden|16;8", "--hidden", "'16;8'")]
    [InlineData("--activation|swish", "--activation", "'swish'")]
    [InlineData("--output|soft-max", "--output", "'soft-max'")]
    [InlineData("--loss|hinge", "--loss", "'hinge'")]
    [InlineData("--init|zeros", "--init", "'zeros'")]
    [InlineData("--precision|float16", "--precision", "'float16'")]
    [InlineData("--seed|-1", "--seed", "'-1'")]
    [InlineData("--optimizer|lbfgs", "--optimizer", "'lbfgs'")]
    [InlineData("--optimizer|adam|--learning-rate|0", "--learning-rate", "'0'")]
    [InlineData("--optimizer|adam|--learning-rate|-1e-3", "--learning-rate", "'-1e-3'")]
    [InlineData("--optimizer|adam|--learning-rate|Infinity", "--learning-rate", "'Infinity'")]
    [InlineData("--optimizer|momentum|--momentum|1", "--momentum", "'1'")]
    [InlineData("--optimizer|nesterov|--momentum|-0.1", "--momentum", "'-0.1'")]
    [InlineData("--optimizer|adam|--momentum|NaN", "--momentum", "'NaN'")]
    [InlineData("--optimizer|adam|--beta2|1", "--beta2", "'1'")]
    [InlineData("--optimizer|rmsprop|--beta2|-0.5", "--beta2", "'-0.5'")]
    [InlineData("--weight-decay|-0.01", "--weight-decay", "'-0.01'")]
    [InlineData("--weight-decay|NaN", "--weight-decay", "'NaN'")]
    [InlineData("--l2|-1", "--l2", "'-1'")]
    [InlineData("--dropout|1", "--dropout", "'1'")]
    [InlineData("--dropout|-0.2", "--dropout", "'-0.2'")]
    [InlineData("--dropout|1.5", "--dropout", "'1.5'")]
    [InlineData("--clip-norm|0", "--clip-norm", "'0'")]
    [InlineData("--clip-norm|-3", "--clip-norm", "'-3'")]
    [InlineData("--schedule|linear", "--schedule", "'linear'")]
    [InlineData("--schedule|step|--decay-factor|0", "--decay-factor", "'0'")]
    [InlineData("--schedule|step|--decay-factor|1.5", "--decay-factor", "'1.5'")]
    [InlineData("--schedule|step|--decay-every|0", "--decay-every", "'0'")]
    [InlineData("--warmup|-1", "--warmup", "'-1'")]
    [InlineData("--validation|0", "--validation", "'0'")]
    [InlineData("--validation|-5", "--validation", "'-5'")]
    [InlineData("--validation|6000", "--validation", "'6000'")]
    [InlineData("--validation|60000", "--validation", "'60000'")]
    [InlineData("--validation|100|--early-stop|0", "--early-stop", "'0'")]
    [InlineData("--early-stop|3", "--early-stop 3 needs --validation N", "")]
    [InlineData("--momentum|0.5", "--momentum 0.5 does not apply to --optimizer sgd", "")]
    [InlineData("--optimizer|momentum|--beta2|0.9", "--beta2 0.9 does not apply", "momentum")]
    [InlineData("--decay-every|2", "--decay-every 2 does not apply to --schedule constant", "")]
    [InlineData("--schedule|cosine|--decay-factor|0.5", "--decay-factor 0.5", "cosine")]
    [InlineData("--data|", "--data must name a directory", "''")]
    [InlineData("--epochs|--seed|5", "--epochs needs a value, got the option", "'--seed'")]
    [InlineData("--frobnicate", "'--frobnicate'", "")]
    [InlineData("--epochs", "--epochs", "")]
    [InlineData("--output|sigmoid", "--loss softmax-cross-entropy", "--output sigmoid")]
    public void Train_rejects_a_bad_value_naming_the_option_and_the_value(
        string arguments, string option, string value)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(["train", "--out", dir.File("m.json"), .. arguments.Split('|')]);

        var line = result.AssertOneErrorLine(2);
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains(value, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(dir.Files);
    }

    [Theory]
    [InlineData(
        "--activation|leaky-relu:NaN",
        "--activation: leaky ReLU slope must be a number in [0, 1), got 'NaN'")]
    [InlineData(
        "--output|Leaky-ReLU:Infinity",
        "--output: leaky ReLU slope must be a number in [0, 1), got 'Infinity'")]
    [InlineData(
        "--activation|LEAKY-RELU:1E0",
        "--activation: leaky ReLU slope must be a number in [0, 1), got '1E0'")]
    [InlineData(
        "--learning-rate|1E-50",
        "--learning-rate is 0 in float32, which would leave every weight as it is, got '1E-50'; "
            + "give a larger rate or --precision float64")]
    [InlineData(
        "--momentum|5e-1",
        "--momentum 5e-1 does not apply to --optimizer sgd: it is μ for momentum and nesterov, "
            + "β₁ for adam and adamw")]
    [InlineData(
        "--optimizer|momentum|--beta2|.90",
        "--beta2 .90 does not apply to --optimizer momentum: it is β₂ for adam and adamw, "
            + "ρ for rmsprop")]
    [InlineData(
        "--decay-factor|5E-1",
        "--decay-factor 5E-1 does not apply to --schedule constant: it shapes the step and "
            + "exponential schedules")]
    [InlineData(
        "--decay-every|02",
        "--decay-every 02 does not apply to --schedule constant: it shapes the step and "
            + "exponential schedules")]
    [InlineData(
        "--early-stop|03",
        "--early-stop 03 needs --validation N: the patience counts epochs without a lower "
            + "validation loss")]
    [InlineData(
        "--validation|06000",
        "--validation must be less than the 6000 training images, got '06000'")]
    public void Train_echoes_a_value_as_it_was_typed_whatever_the_culture(
        string arguments, string expected)
    {
        // A comma culture would print 0.5 as "0,5" if a message formatted the number itself.
        using var dir = new TempDirectory();
        using var culture = Models.Cultures.Use("de-DE");

        var result = Cli.Run(["train", "--out", dir.File("m.json"), .. arguments.Split('|')]);

        Assert.Equal($"error: {expected}", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(dir.Files);
    }

    [Fact]
    public void A_learning_rate_that_is_0_only_in_float32_trains_in_float64()
    {
        // 1e-50 is far below float32's least positive value (about 1.4e-45) and far above
        // float64's: the check is about the precision, not the number.
        using var dir = new TempDirectory();

        var result = Cli.Run(
            "train", "--epochs", "1", "--precision", "float64", "--learning-rate", "1e-50",
            "--out", dir.File("m.json"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["m.json"], dir.Files);
    }

    [Theory]
    [InlineData("--out")]
    [InlineData("--plot")]
    public void Train_rejects_a_file_in_a_directory_that_does_not_exist(string option)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "missing", "file");

        var result = Cli.Run("train", "--epochs", "1", option, path);

        var line = result.AssertOneErrorLine(2);
        Assert.Contains(
            $"{option} names a file in a directory that does not exist, got '{path}'", line);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    // Each names what stands where the directory should be, not "a file" for all.
    [Data.UnixTheory]
    [InlineData("train", "--checkpoint")]
    [InlineData("make-sample|--data|absent", "--out")]
    public void A_directory_option_naming_a_named_pipe_says_it_is_one(string command, string option)
    {
        using var dir = new TempDirectory();
        var fifo = dir.File("fifo");
        Data.SpecialFiles.MakeFifo(fifo);

        var result = Data.SpecialFiles.WithinSeconds(
            () => Cli.Run([.. command.Split('|'), option, fifo]));

        Assert.Equal(
            $"error: {option} must name a directory, got '{fifo}', which is a named pipe (FIFO)",
            result.AssertOneErrorLine(2));
        Assert.Equal(["fifo"], dir.Files);
    }

    [Fact]
    public void Train_rejects_a_checkpoint_directory_that_is_a_file_or_cannot_be_made()
    {
        using var dir = new TempDirectory();
        var file = dir.File("file");
        File.WriteAllText(file, "not a directory");
        var missing = Path.Combine(dir.Path, "missing", "run");

        var onFile = Cli.Run("train", "--checkpoint", file, "--out", dir.File("m.json"));
        var inMissing = Cli.Run("train", "--checkpoint", missing, "--out", dir.File("m.json"));

        Assert.Equal(
            $"error: --checkpoint must name a directory, got '{file}', which is a file",
            onFile.AssertOneErrorLine(2));
        Assert.Equal(
            "error: --checkpoint names a directory inside one that does not exist, got "
            + $"'{missing}'",
            inMissing.AssertOneErrorLine(2));
        Assert.Equal(["file"], dir.Files);
        Assert.Empty(Directory.GetDirectories(dir.Path));
    }

    [Fact]
    public void Train_rejects_an_out_that_is_a_directory()
    {
        using var dir = new TempDirectory();

        var line = Cli.Run("train", "--out", dir.Path).AssertOneErrorLine(2);

        Assert.Equal($"error: --out must name a file, got '{dir.Path}'", line);
    }

    [Theory]
    [InlineData("", "no command given")]
    [InlineData("frobnicate", "'frobnicate'")]
    [InlineData("evaluate", "--model")]
    [InlineData("predict|--model|m.json", "--index")]
    [InlineData("predict|--model|m.json|--index|-1", "--index must be a whole number ≥ 0")]
    [InlineData("predict|--model|m.json|--index|0|--top|0", "--top")]
    [InlineData("gradcheck|--samples|0", "--samples must be a positive whole number, got '0'")]
    [InlineData("gradcheck|--tolerance|-1", "--tolerance")]
    [InlineData("gradcheck|--model|m.json|--hidden|8", "--hidden")]
    [InlineData("make-sample|--out|x", "--data")]
    public void Every_command_rejects_bad_arguments_with_one_line_and_exit_code_2(
        string arguments, string expected)
    {
        var args = arguments.Length == 0 ? [] : arguments.Split('|');

        var result = Cli.Run(args);

        var line = result.AssertOneErrorLine(2);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }
}
