using System;
using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Every number on the command line is read by one rule: no spaces around it and no '+' sign;
/// a whole number is digits alone, and one past the largest value says so and gives that
/// value. A refused number is one line naming the option and the value, exit code 2, and
/// nothing written.
/// </summary>
public sealed class NumberArgumentTests
{
    private const string Positive = "must be a positive whole number";
    private const string Seed = "must be a whole number from 0 to 18446744073709551615";
    private const string Sizes = "must be a comma list of positive whole numbers";
    private const string Unit = "must be a number in [0, 1)";
    private const string NoSign = "; numbers take no '+' sign";
    private const string NoSpaces = "; numbers take no spaces around them";

    // The command and the options it needs before the option under test, which is appended
    // with its value; "OUT" stands for the model file of train, "MODEL" for an absent model.
    [Theory]
    [InlineData("train|--out|OUT", "--epochs", Positive)]
    [InlineData("train|--out|OUT", "--batch-size", Positive)]
    [InlineData("train|--out|OUT", "--warmup", "must be a whole number ≥ 0")]
    [InlineData("train|--out|OUT|--schedule|step", "--decay-every", Positive)]
    [InlineData("train|--out|OUT", "--validation", Positive)]
    [InlineData("train|--out|OUT|--validation|100", "--early-stop", Positive)]
    [InlineData("train|--out|OUT", "--seed", Seed)]
    [InlineData("predict|--model|MODEL", "--index", "must be a whole number ≥ 0")]
    [InlineData("predict|--model|MODEL|--index|0", "--top", Positive)]
    [InlineData("gradcheck", "--samples", Positive)]
    [InlineData("gradcheck", "--max-parameters", Positive)]
    [InlineData("gradcheck", "--seed", Seed)]
    public void Every_whole_number_option_refuses_a_plus_sign_and_spaces(
        string arguments, string option, string reason)
    {
        // The line says which of the two the value has.
        foreach (var (value, rule) in new[]
        {
            ("+5", NoSign), (" 5", NoSpaces), ("5 ", NoSpaces), ("\t5", NoSpaces), ("+0", NoSign),
        })
        {
            var result = Run(arguments, option, value);

            Assert.Equal(
                $"error: {option} {reason}, got '{value.Replace("\t", @"\t")}'{rule}",
                result);
        }
    }

    [Theory]
    [InlineData("train|--out|OUT")]
    [InlineData("gradcheck")]
    public void A_layer_size_refuses_a_plus_sign_though_the_list_may_have_spaces(
        string arguments)
    {
        // Spaces around the items of the comma list are allowed ("256, 128"); a sign is not.
        foreach (var (value, rule) in new[]
        {
            ("+5", NoSign), ("8,+4", NoSign), ("8, +4", NoSign), ("-5", string.Empty),
        })
        {
            var result = Run(arguments, "--hidden", value);

            Assert.Equal($"error: --hidden {Sizes}, got '{value}'{rule}", result);
        }
    }

    [Theory]
    [InlineData("train|--out|OUT", "--epochs")]
    [InlineData("train|--out|OUT", "--batch-size")]
    [InlineData("train|--out|OUT", "--warmup")]
    [InlineData("train|--out|OUT|--schedule|step", "--decay-every")]
    [InlineData("train|--out|OUT", "--validation")]
    [InlineData("train|--out|OUT|--validation|100", "--early-stop")]
    [InlineData("predict|--model|MODEL", "--index")]
    [InlineData("predict|--model|MODEL|--index|0", "--top")]
    [InlineData("gradcheck", "--samples")]
    [InlineData("gradcheck", "--max-parameters")]
    public void A_whole_number_past_the_largest_says_it_is_too_large_and_gives_the_maximum(
        string arguments, string option)
    {
        foreach (var value in new[] { "2147483648", "99999999999999999999999999", "02147483648" })
        {
            var result = Run(arguments, option, value);

            Assert.Equal(
                $"error: {option} is too large: the maximum is 2147483647, got '{value}'",
                result);
        }
    }

    [Theory]
    [InlineData("train|--out|OUT")]
    [InlineData("gradcheck")]
    public void A_seed_or_a_layer_size_past_the_largest_says_so_too(string arguments)
    {
        var seed = Run(arguments, "--seed", "18446744073709551616");
        var hidden = Run(arguments, "--hidden", "8, 2147483648");

        Assert.Equal(
            "error: --seed is too large: the maximum is 18446744073709551615, got "
            + "'18446744073709551616'",
            seed);
        Assert.Equal(
            "error: --hidden has a size too large: the maximum is 2147483647, got "
            + "'8, 2147483648'",
            hidden);
    }

    [Theory]
    [InlineData("train|--out|OUT", "0")]
    [InlineData("train|--out|OUT", "4,0")]
    [InlineData("train|--out|OUT", "0,8")]
    [InlineData("train|--out|OUT", "000")]
    [InlineData("train|--out|OUT", "8, 00")]
    [InlineData("train|--out|OUT", "0, 2147483648")]
    [InlineData("gradcheck", "0")]
    [InlineData("gradcheck", "4,0")]
    public void A_layer_size_of_0_is_not_a_positive_whole_number_and_not_too_large(
        string arguments, string value)
    {
        // All digits, but 0: the list is malformed wherever it stands, whatever else is in it.
        var result = Run(arguments, "--hidden", value);

        Assert.Equal($"error: --hidden {Sizes}, got '{value}'", result);
    }

    [Theory]
    [InlineData("evaluate --model m.json --json --json", "--json", 2)]
    [InlineData("train --json --epochs 1 --json --json", "--json", 3)]
    [InlineData("--debug train --debug", "--debug", 2)]
    [InlineData("gradcheck --debug --debug", "--debug", 2)]
    public void A_flag_given_twice_is_refused_as_an_option_with_a_value_is(
        string line, string flag, int times)
    {
        var result = Cli.Run(line.Split(' '));

        Assert.Equal(
            $"error: option '{flag}' was given {times} times; give it once",
            result.AssertOneErrorLine(2));
    }

    [Theory]
    [InlineData("train|--out|OUT", "0|--hidden|8")]
    [InlineData("train|--out|OUT", "8|--hidden|8")]
    [InlineData("train|--out|OUT", "16,8|--hidden|0")]
    [InlineData("gradcheck", "8|--hidden|4")]
    [InlineData("train|--out|OUT", "8|--hidden")]
    [InlineData("gradcheck", "8|--hidden")]
    public void A_hidden_list_given_twice_is_refused_as_every_option_given_twice_is(
        string arguments, string values)
    {
        var hidden = Run(arguments, "--hidden", values);
        var seed = Run(arguments, "--seed", "1|--seed|2");
        var thrice = Run(arguments, "--seed", "1|--seed|2|--seed|3");

        Assert.Equal("error: option '--hidden' was given 2 times; give it once", hidden);
        Assert.Equal("error: option '--seed' was given 2 times; give it once", seed);
        Assert.Equal("error: option '--seed' was given 3 times; give it once", thrice);
    }

    [Theory]
    [InlineData("train|--out|OUT", "--learning-rate", "must be a finite number > 0")]
    [InlineData("train|--out|OUT|--optimizer|momentum", "--momentum", Unit)]
    [InlineData("train|--out|OUT|--optimizer|adam", "--beta2", Unit)]
    [InlineData("train|--out|OUT", "--weight-decay", "must be a finite number ≥ 0")]
    [InlineData("train|--out|OUT", "--l2", "must be a finite number ≥ 0")]
    [InlineData("train|--out|OUT", "--clip-norm", "must be a finite number > 0")]
    [InlineData("train|--out|OUT", "--dropout", Unit)]
    [InlineData("train|--out|OUT|--schedule|step", "--decay-factor", "must be a number in (0, 1]")]
    [InlineData("gradcheck", "--tolerance", "must be a finite number > 0")]
    public void Every_decimal_option_refuses_spaces_around_the_number_and_a_plus_sign(
        string arguments, string option, string reason)
    {
        // The line says which of the two the value has, the spaces first.
        foreach (var (value, rule) in new[]
        {
            (" 0.1", NoSpaces), ("0.1 ", NoSpaces), ("\t0.1", NoSpaces), ("0.1\n", NoSpaces),
            ("+0.1", NoSign), (" +1e-1", NoSpaces),
        })
        {
            var result = Run(arguments, option, value);

            var shown = value.Replace("\t", @"\t").Replace("\n", @"\n");
            Assert.Equal($"error: {option} {reason}, got '{shown}'{rule}", result);
        }
    }

    // Spaces after the slope end the whole value, and are ignored around it as around every
    // name (TrainCommandTests); after the colon they are inside it.
    [Theory]
    [InlineData(" 0.1", NoSpaces)]
    [InlineData("+0.1", NoSign)]
    [InlineData("0.1 x", "")]
    public void A_leaky_relu_slope_follows_the_same_rule(string slope, string rule)
    {
        var result = Run("train|--out|OUT", "--activation", $"leaky-relu:{slope}");

        Assert.Equal(
            $"error: --activation: leaky ReLU slope must be a number in [0, 1), got '{slope}'"
            + rule,
            result);
    }

    [Fact]
    public void Numbers_written_by_the_rule_are_taken()
    {
        // Leading zeros, a leading point, an exponent with a sign and the largest seed: none
        // of them is refused.
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));

        var result = Cli.Run(
            "train", "--data", data, "--hidden", " 2 ", "--epochs", "01", "--batch-size", "016",
            "--learning-rate", ".5", "--l2", "1E-4", "--clip-norm", "1e+1",
            "--seed", "18446744073709551615", "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    // The value may be several tokens, split at '|'.
    private static string Run(string arguments, string option, string value)
    {
        using var dir = new TempDirectory();
        var args = arguments
            .Replace("OUT", dir.File("m.json"))
            .Replace("MODEL", dir.File("absent.json"))
            .Split('|');

        var result = Cli.Run([.. args, option, .. value.Split('|')]);

        var line = result.AssertOneErrorLine(2);
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        return line;
    }
}
