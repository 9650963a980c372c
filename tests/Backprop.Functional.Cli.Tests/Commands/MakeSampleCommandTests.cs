using System;
using System.IO;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

public sealed class MakeSampleCommandTests
{
    [Fact]
    public void Make_sample_writes_the_four_sample_files()
    {
        // Given a full set with enough images of each class for the sample rule
        using var dir = new TempDirectory();
        var full = TinyData.Write(
            dir.File("full"), SampleBuilder.TrainPerClass + 5, SampleBuilder.TestPerClass + 5);
        var sample = dir.File("sample");

        // When
        var result = Cli.Run("make-sample", "--data", full, "--out", sample);

        // Then
        result.AssertSucceeded();
        Assert.Equal(4, result.OutLines.Length);
        Assert.All(
            DataSets.StandardNames,
            name => Assert.True(File.Exists(Path.Combine(sample, name + ".gz"))));
    }

    [Fact]
    public void Make_sample_from_a_directory_that_does_not_exist_fails_with_exit_code_1()
    {
        using var dir = new TempDirectory();
        var sample = dir.File("sample");

        var result = Cli.Run("make-sample", "--data", dir.File("absent"), "--out", sample);

        result.AssertOneErrorLine(1);
        Assert.False(Directory.Exists(sample));
    }

    private const StringComparison Ordinal = StringComparison.Ordinal;

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Make_sample_help_describes_the_command_and_its_options(string help)
    {
        var result = Cli.Run("make-sample", help);

        result.AssertSucceeded();
        var lines = result.OutLines;
        Assert.Equal("Description:", lines[0]);
        Assert.Equal(
            "Rebuild the embedded sample from the full data set: the first 600 training and 100 "
            + "test images of each class, for copying over "
            + "src/Backprop.Functional.Cli/Data/Sample (a maintenance command, not listed by "
            + "'backprop --help').",
            lines[1]);
        Assert.Contains(lines, l => l.EndsWith(" make-sample [options]", Ordinal));
        Assert.Contains(lines, l => l.StartsWith("--data <DIR> (REQUIRED) ", Ordinal));
        Assert.Contains(lines, l => l.StartsWith("--out <DIR> (REQUIRED) ", Ordinal));
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Make_sample_is_hidden_from_the_help()
    {
        var result = Cli.Run("--help");

        result.AssertSucceeded();
        Assert.DoesNotContain("make-sample", result.Out);
    }
}
