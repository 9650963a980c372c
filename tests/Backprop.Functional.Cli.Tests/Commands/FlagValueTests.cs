using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An on/off option (<c>--json</c>, <c>--debug</c>) takes no value. The parser would read
/// <c>--json=true</c> or <c>--json false</c> as a setting and leave <c>--json=yes</c> over as a
/// stray word "unrecognized command or argument 'yes'", naming no option; each is refused with
/// one line naming the option and the value, exit code 2, and nothing written.
/// </summary>
public sealed class FlagValueTests
{
    [Theory]
    [InlineData("--json=", "--json takes no value, got ''")]
    [InlineData("--json:", "--json takes no value, got ''")]
    [InlineData("--json=yes", "--json takes no value, got 'yes'")]
    [InlineData("--json=true", "--json takes no value, got 'true'")]
    [InlineData("--json:false", "--json takes no value, got 'false'")]
    [InlineData("--json|true", "--json takes no value, got 'true'")]
    [InlineData("--json|false", "--json takes no value, got 'false'")]
    [InlineData("--debug=1", "--debug takes no value, got '1'")]
    public void A_flag_given_a_value_is_refused_naming_it(string flag, string reason)
    {
        using var dir = new TempDirectory();
        string[] train = ["train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json")];

        var result = Cli.Run([.. train, .. flag.Split('|')]);

        Assert.Equal($"error: {reason}", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    // The help and version options take none either: the help or version would hide that the
    // value was not understood.
    [Theory]
    [InlineData("train|--help=foo", "--help takes no value, got 'foo'")]
    [InlineData("train|-h=1", "-h takes no value, got '1'")]
    [InlineData("train|--help:x", "--help takes no value, got 'x'")]
    [InlineData("train|-?=1", "-? takes no value, got '1'")]
    [InlineData("--help=x", "--help takes no value, got 'x'")]
    [InlineData("--version=1", "--version takes no value, got '1'")]
    [InlineData("train|--help=", "--help takes no value, got ''")]
    [InlineData("--version=", "--version takes no value, got ''")]
    public void A_help_or_version_option_given_a_value_is_refused(string args, string expected)
    {
        var result = Cli.Run(args.Split('|'));

        Assert.Equal($"error: {expected}", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    // Nor does a short help option with more joined to it, which the parser would read as the
    // help followed by bundled options (`-hx`): it is the unknown word it is.
    [Theory]
    [InlineData("train|-hx", "-hx")]
    [InlineData("train|-h1", "-h1")]
    [InlineData("train|-h ", "-h ")]
    [InlineData("evaluate|-?x", "-?x")]
    [InlineData("-hV", "-hV")]
    [InlineData("train|--data|/home/x|-hx", "-hx")]
    public void A_short_help_option_with_more_joined_is_an_unknown_word(string args, string word)
    {
        var result = Cli.Run(args.Split('|'));

        Assert.Equal(
            $"error: unrecognized command or argument '{word}'", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public void A_flag_alone_is_on_and_a_word_after_the_end_of_options_is_no_flag()
    {
        using var dir = new TempDirectory();
        string[] train = ["train", "--epochs", "1", "--hidden", "4", "--out", dir.File("m.json")];

        var on = Cli.Run([.. train, "--json"]);
        var after = Cli.Run([.. train, "--", "--json=x"]);

        on.AssertSucceeded();
        Assert.Equal("train", on.Json().Text("command"));
        Assert.Equal(
            "error: unrecognized command or argument '--json=x'", after.AssertOneErrorLine(2));
    }
}
