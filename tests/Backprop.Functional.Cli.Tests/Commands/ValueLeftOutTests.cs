using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Shell;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// An option that takes a value, given last with nothing after it, is refused in the command's
/// own words, as one that took another option's name is: every such option of every command
/// (the ones every command has among them), with exit code 2 and nothing written.
/// </summary>
public sealed class ValueLeftOutTests
{
    /// <summary>The command tree, its actions bound to a context that writes nowhere.</summary>
    public static RootCommand Tree() =>
        BackpropCommand.Create(new CliContext(
            TextWriter.Null, TextWriter.Null, new Dictionary<string, string?>(), false, false));

    /// <summary>Each command with each of its options that needs a value.</summary>
    public static TheoryData<string, string> OptionsWithValues()
    {
        var root = Tree();
        var data = new TheoryData<string, string>();
        foreach (var command in root.Subcommands)
        {
            var options = command.Options.Concat(root.Options.Where(o => o.Recursive));
            foreach (var option in options.Where(o => o.Arity.MinimumNumberOfValues > 0))
            {
                data.Add(command.Name, option.Name);
            }
        }

        return data;
    }

    [Fact]
    public void Every_command_has_options_that_need_a_value()
    {
        var pairs = OptionsWithValues().Select(row => ((string)row[0], (string)row[1])).ToList();

        Assert.Contains(("train", "--epochs"), pairs);
        Assert.Contains(("train", "--backend"), pairs);
        Assert.Contains(("evaluate", "--model"), pairs);
        Assert.Contains(("make-sample", "--out"), pairs);
    }

    [Theory]
    [MemberData(nameof(OptionsWithValues))]
    public void An_option_given_last_without_its_value_says_so(string command, string option)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run(command, option);

        Assert.Equal($"error: {option} needs a value, got none", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("0|--index")]
    [InlineData("3|--index|0|--index")]
    public void A_repeated_index_given_last_without_its_value_says_so(string indices)
    {
        // Given predict's --index, which may be given many times, once more at the end
        using var dir = new TempDirectory();

        var result = Cli.Run(
            ["predict", "--model", dir.File("m.json"), "--index", .. indices.Split('|')]);

        Assert.Equal("error: --index needs a value, got none", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }
}
