using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A help option anywhere before <c>--</c> shows the command's help, even where an option
/// before it would take it as its value: <c>train --epochs --help</c> answers as
/// <c>train --help --epochs</c> does, for every option with a value of every command and of
/// the top level, and <c>--version --help</c> as <c>--help --version</c>.
/// </summary>
public sealed class HelpAnywhereTests
{
    private const string Epochs = "--epochs must be a positive whole number, got ";

    /// <summary>
    /// Each command (the top level as the empty word) with each of its options that needs a
    /// value.
    /// </summary>
    public static TheoryData<string, string> OptionsWithValues()
    {
        var data = new TheoryData<string, string>();
        var root = ValueLeftOutTests.Tree();
        foreach (var option in root.Options.Where(o => o.Arity.MinimumNumberOfValues > 0))
        {
            data.Add(string.Empty, option.Name);
        }

        foreach (var row in ValueLeftOutTests.OptionsWithValues())
        {
            data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OptionsWithValues))]
    public void Help_after_an_option_that_needs_a_value_shows_the_help(
        string command, string option)
    {
        var expected = Cli.Run(Words(command, "--help"));

        foreach (var help in new[] { "--help", "-h", "-?" })
        {
            var after = Cli.Run(Words(command, option, help));
            var before = Cli.Run(Words(command, help, option));

            Assert.Equal((0, expected.Out, string.Empty), (after.ExitCode, after.Out, after.Error));
            Assert.Equal(
                (0, expected.Out, string.Empty), (before.ExitCode, before.Out, before.Error));
        }

        Assert.StartsWith("Description:", expected.Out, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help|--version")]
    [InlineData("--version|--help")]
    [InlineData("--version|-h")]
    [InlineData("-h|--version")]
    public void Help_beside_version_shows_the_help_in_either_order(string args)
    {
        var result = Cli.Run(args.Split('|'));

        result.AssertSucceeded();
        Assert.Equal(Cli.Run("--help").Out, result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void A_help_word_joined_to_its_option_is_the_option_s_value()
    {
        // --out=-h names a file '-h'; the help is not asked for, and the number is refused.
        var result = Cli.Run("train", "--out=-h", "--epochs", "zero");

        Assert.Equal(
            "error: --epochs must be a positive whole number, got 'zero'",
            result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    // /h and /? are names of the help option, and paths on Unix too: as the next word after an
    // option that takes a value, one is that value, as any word that does not start with '-'
    // is. (Each case fails before it would write a file.)
    [Theory]
    [InlineData("train|--out|/h|--epochs|0", 2, Epochs + "'0'")]
    [InlineData("train|--epochs|/?", 2, Epochs + "'/?'")]
    [InlineData("train|--data|/h", 1, "data directory /h does not exist")]
    [InlineData("train|--resume|/?", 1, "/?: no such checkpoint file")]
    [InlineData("evaluate|--model|/?", 1, "/?: no such model file")]
    [InlineData("gradcheck|--model|/h", 1, "/h: no such model file")]
    public void A_slash_help_name_after_an_option_that_needs_a_value_is_its_value(
        string args, int code, string expected)
    {
        var result = Cli.Run(args.Split('|'));

        Assert.Equal($"error: {expected}", result.AssertOneErrorLine(code));
        Assert.Equal(string.Empty, result.Out);
    }

    // Anywhere else, as a word of its own or after an on/off option, one shows the help.
    [Theory]
    [InlineData("", "/h")]
    [InlineData("", "/?")]
    [InlineData("train", "/h")]
    [InlineData("train", "--json|/?")]
    [InlineData("train", "--epochs|3|/h")]
    [InlineData("evaluate", "/?|--model|m.json")]
    public void A_slash_help_name_that_is_no_option_s_value_shows_the_help(
        string command, string rest)
    {
        var result = Cli.Run(Words(command, rest.Split('|')));

        result.AssertSucceeded();
        Assert.Equal(Cli.Run(Words(command, "--help")).Out, result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void A_flag_given_a_value_beside_help_is_refused_naming_the_flag()
    {
        var result = Cli.Run("train", "--json=yes", "--help");

        Assert.Equal("error: --json takes no value, got 'yes'", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    private static string[] Words(string command, params string[] rest) =>
        command.Length == 0 ? rest : [command, .. rest];
}
