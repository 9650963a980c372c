using System;
using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

public sealed class HelpAndDataTests
{
    [Fact]
    public void Help_lists_the_commands()
    {
        var result = Cli.Run("--help");

        result.AssertSucceeded();
        Assert.Contains("train", result.Out);
        Assert.Contains("evaluate", result.Out);
        Assert.Contains("predict", result.Out);
        Assert.Contains("gradcheck", result.Out);
    }

    [Fact]
    public void The_command_has_the_library_s_version()
    {
        // --version prints the program's informational version, so it must be the library's.
        static string Version(System.Type type) =>
            System.Reflection.CustomAttributeExtensions
                .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(
                    type.Assembly)!.InformationalVersion.Split('+')[0];

        Assert.Equal(
            Version(typeof(Functional.Network)),
            Version(typeof(Backprop.Functional.Cli.Commands.BackpropCommand)));
        Assert.NotEqual("1.0.0", Version(typeof(Backprop.Functional.Cli.Commands.BackpropCommand)));
    }

    [Theory]
    [InlineData("--version|extra", "cannot be combined with other arguments; got 'extra'")]
    [InlineData("extra|--version", "cannot be combined with other arguments; got 'extra'")]
    [InlineData("--version|train", "cannot be combined with other arguments; got 'train'")]
    [InlineData(
        "--version|--backend|managed", "cannot be combined with other arguments; got '--backend'")]
    public void Version_with_anything_else_is_refused(string args, string named)
    {
        var result = Cli.Run(args.Split('|'));

        Assert.Contains(named, result.AssertOneErrorLine(2));
    }

    // The help clears the parse errors, so the stray word's error needs its own check.
    [Theory]
    [InlineData("-h|extra", "-h", "extra")]
    [InlineData("--help|extra", "--help", "extra")]
    [InlineData("extra|--help", "--help", "extra")]
    [InlineData("-?|extra", "-?", "extra")]
    [InlineData("train|--help|extra", "--help", "extra")]
    [InlineData("train|extra|-h", "-h", "extra")]
    [InlineData("train|--epochs|3|--help|extra", "--help", "extra")]
    [InlineData("evaluate|-h|model.json", "-h", "model.json")]
    [InlineData("train|--frobnicate|--help", "--help", "--frobnicate")]
    [InlineData("make-sample|--help|--|x", "--help", "x")]
    public void Help_with_a_stray_word_is_refused_naming_the_word(
        string args, string help, string word)
    {
        var result = Cli.Run(args.Split('|'));

        Assert.Equal(
            $"error: {help} takes no arguments, got '{word}'", result.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, result.Out);
    }

    [Theory]
    [InlineData("train|--epochs|3|--help")]
    [InlineData("train|--epochs|0|-h")]
    [InlineData("evaluate|--model|absent.json|--help")]
    public void Help_beside_options_of_the_command_still_answers(string args)
    {
        var result = Cli.Run(args.Split('|'));

        result.AssertSucceeded();
        Assert.StartsWith("Description:", result.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Train_help_gives_every_option_with_its_default()
    {
        var result = Cli.Run("train", "--help");

        result.AssertSucceeded();
        foreach (var option in new[]
        {
            "--data", "--hidden", "--activation", "--output", "--loss", "--init", "--epochs",
            "--batch-size", "--learning-rate", "--seed", "--precision", "--out", "--plot", "--json",
            "--debug",
        })
        {
            Assert.Contains(option, result.Out);
        }

        Assert.Contains("[default: model.json]", result.Out);
        Assert.Contains("[default: 128]", result.Out);
        Assert.Contains("Defaults to float32.", result.Out);
        Assert.Contains(
            "Defaults to he for relu and leaky-relu hidden layers, glorot-uniform", result.Out);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict")]
    [InlineData("gradcheck")]
    public void Json_help_of_a_report_command_says_the_json_replaces_the_report(string command)
    {
        var result = Cli.Run(command, "--help");

        result.AssertSucceeded();
        var line = Assert.Single(
            result.OutLines, l => l.StartsWith("--json", StringComparison.Ordinal));
        Assert.Matches(@"^--json\s+Print one JSON object on stdout instead of the report\.$", line);
    }

    [Fact]
    public void Json_help_of_train_says_the_lines_for_people_go_to_stderr()
    {
        var result = Cli.Run("train", "--help");

        result.AssertSucceeded();
        var line = Assert.Single(
            result.OutLines, l => l.StartsWith("--json", StringComparison.Ordinal));
        Assert.Matches(
            @"^--json\s+Print one JSON object on stdout at the end; the lines for people go to "
            + @"stderr\.$",
            line);
    }

    [Fact]
    public void A_data_directory_that_does_not_exist_fails_with_exit_code_1()
    {
        using var dir = new TempDirectory();
        var data = dir.File("absent");

        var result = Cli.Run("train", "--data", data, "--out", dir.File("m.json"));

        Assert.Equal($"error: data directory {data} does not exist", result.AssertOneErrorLine(1));
        Assert.Empty(dir.Files);
    }

    [Fact]
    public void A_data_directory_with_a_broken_file_fails_with_exit_code_1_naming_the_file()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("tiny"));
        var labels = Path.Combine(data, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(labels, [1, 2, 3]);

        var result = Cli.Run("train", "--data", data, "--out", dir.File("m.json"));

        Assert.Contains(labels, result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }
}
