using System;
using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A number in range as a double that float32 cannot hold in range (∞ past its largest number,
/// 1 just below 1, 0 below its smallest positive number) is refused up front under float32,
/// as a bad argument naming the option, the precision and the value as typed, instead of a run
/// that diverges at its first step or silently trains with 1 or 0; float64 takes it.
/// </summary>
public sealed class Float32LimitTests
{
    private const string Infinite = "is ∞ in float32, past its largest number";
    private const string One = "is 1 in float32, where it must be below 1";
    private const string Zero = "is 0 in float32, where it must be > 0";
    private const string AtMostLargest = "give at most 3.4028235E+38 or --precision float64";
    private const string AtMostBelowOne = "give at most 0.99999994 or --precision float64";
    private const string AtLeastSmallest = "give at least 1E-45 or --precision float64";

    [Theory]
    [InlineData("--learning-rate|1e39", "--learning-rate", Infinite, "1e39", AtMostLargest)]
    [InlineData("--learning-rate|3.5E+38", "--learning-rate", Infinite, "3.5E+38", AtMostLargest)]
    [InlineData("--weight-decay|1e39", "--weight-decay", Infinite, "1e39", AtMostLargest)]
    [InlineData("--l2|1e39", "--l2", Infinite, "1e39", AtMostLargest)]
    [InlineData("--clip-norm|1e39", "--clip-norm", Infinite, "1e39", AtMostLargest)]
    [InlineData(
        "--optimizer|adam|--beta2|0.99999999999", "--beta2", One, "0.99999999999", AtMostBelowOne)]
    [InlineData(
        "--optimizer|rmsprop|--beta2|.99999999", "--beta2", One, ".99999999", AtMostBelowOne)]
    [InlineData(
        "--optimizer|adam|--momentum|0.99999999999",
        "--momentum",
        One,
        "0.99999999999",
        AtMostBelowOne)]
    [InlineData(
        "--optimizer|momentum|--momentum|0.99999999999",
        "--momentum",
        One,
        "0.99999999999",
        AtMostBelowOne)]
    [InlineData(
        "--optimizer|nesterov|--momentum|9.9999999999e-1",
        "--momentum",
        One,
        "9.9999999999e-1",
        AtMostBelowOne)]
    [InlineData("--clip-norm|1e-50", "--clip-norm", Zero, "1e-50", AtLeastSmallest)]
    [InlineData(
        "--schedule|step|--decay-factor|1e-50", "--decay-factor", Zero, "1e-50", AtLeastSmallest)]
    [InlineData(
        "--schedule|exponential|--decay-factor|5e-46",
        "--decay-factor",
        Zero,
        "5e-46",
        AtLeastSmallest)]
    public void A_value_float32_cannot_hold_is_a_bad_argument(
        string arguments, string option, string fault, string given, string remedy)
    {
        var line = Refused(arguments);

        Assert.Equal($"error: {option} {fault}, got '{given}'; {remedy}", line);
    }

    // Float32's largest number below 1 is 1 − 2⁻²⁴ = 0.999999940395355224609375, 0.99999994 at
    // its shortest. The network rounds the slope, a double, to float: from 1 − 2⁻²⁵, half-way
    // between the two, up it is 1 (a tie goes to 1, whose last bit is even), the identity.
    // 0.9999999701976776 is the shortest decimal of the double 1 − 2⁻²⁵ itself, and
    // 0.9999999701976775 that of the double just below it, the largest slope that float32
    // holds below 1.
    [Theory]
    [InlineData("--activation|leaky-relu:0.99999999999", "--activation", "0.99999999999")]
    [InlineData("--activation|leaky-relu:0.99999999", "--activation", "0.99999999")]
    [InlineData(
        "--activation|leaky-relu:0.9999999701976776", "--activation", "0.9999999701976776")]
    [InlineData(
        "--output|Leaky-ReLU:.999999999|--loss|quadratic", "--output", ".999999999")]
    public void A_leaky_relu_slope_that_is_1_in_float32_is_a_bad_argument(
        string arguments, string option, string slope)
    {
        var line = Refused(arguments);

        Assert.Equal(
            $"error: {option}: leaky ReLU slope {One}, got '{slope}'; {AtMostBelowOne}", line);
    }

    [Theory]
    [InlineData("--activation|leaky-relu:0.99999994")]
    [InlineData("--activation|leaky-relu:0.9999999701976775")]
    [InlineData("--output|leaky-relu:0.9999999701976775|--loss|quadratic")]
    public void The_largest_leaky_relu_slopes_below_1_in_float32_train_and_evaluate(
        string arguments)
    {
        // The two largest slopes that float32 holds below 1 (see above): train takes them, and
        // the model it writes reads back in evaluate.
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var train = Cli.Run(
            [
                "train", "--data", data, "--epochs", "1", "--hidden", "2", "--out",
                dir.File("m.json"), .. arguments.Split('|'),
            ]);
        var evaluate = Cli.Run("evaluate", "--model", dir.File("m.json"), "--data", data);

        train.AssertSucceeded();
        evaluate.AssertSucceeded();
        Assert.Equal(string.Empty, evaluate.Error);
    }

    [Fact]
    public void The_first_option_float32_cannot_hold_is_the_one_named()
    {
        var line = Refused("--optimizer|adam|--beta2|0.99999999999|--learning-rate|1e39");

        Assert.Equal(
            $"error: --learning-rate {Infinite}, got '1e39'; {AtMostLargest}", line);
    }

    [Theory]
    [InlineData("--hidden|2|--optimizer|adam|--beta2|0.99999994|--momentum|0.99999996")]
    [InlineData("--hidden|2|--clip-norm|1E-45|--learning-rate|3.4028235E+38")]
    [InlineData("--hidden|2|--weight-decay|1e-50|--l2|1e-50")]
    [InlineData("--hidden|2|--dropout|0.99999999999")]
    [InlineData("--hidden||--activation|leaky-relu:0.99999999999")]
    public void Values_float32_holds_in_range_or_does_not_use_are_taken(string arguments)
    {
        // At the very edges (just below 1, the least positive number, the largest); a λ of 0
        // is allowed; the dropout rate is drawn in float64; with no hidden layer --activation
        // is not used.
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var result = Cli.Run(
            [
                "train", "--data", data, "--epochs", "1", "--out", dir.File("m.json"),
                .. arguments.Split('|'),
            ]);

        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("--optimizer|adam|--beta2|0.99999999999")]
    [InlineData("--optimizer|momentum|--momentum|0.99999999999")]
    [InlineData("--clip-norm|1e39|--l2|1e39")]
    [InlineData("--schedule|step|--decay-factor|1e-50")]
    [InlineData("--activation|leaky-relu:0.99999999999")]
    public void The_same_values_train_in_float64(string arguments)
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var result = Cli.Run(
            [
                "train", "--data", data, "--epochs", "1", "--hidden", "2", "--precision",
                "float64", "--out", dir.File("m.json"), .. arguments.Split('|'),
            ]);

        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    // Runs train with the arguments under float32 (the default) and returns its one error
    // line, after checking exit code 2, nothing on stdout and nothing written.
    private static string Refused(string arguments)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(
            ["train", "--out", dir.File("m.json"), .. arguments.Split('|')]);

        var line = result.AssertOneErrorLine(2);
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        return line;
    }
}
