using System.IO;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A path whose bytes are not UTF-8 reaches the program with U+FFFD in place of each such byte
/// (as <c>$'o\xfe.json'</c> becomes "o\uFFFD.json"), and so names another file than the one
/// meant: every path option refuses it, with exit code 2, before anything is read or written.
/// </summary>
public sealed class UndecodablePathTests
{
    [Theory]
    [MemberData(nameof(PathOptions.Every), MemberType = typeof(PathOptions))]
    public void A_path_that_is_not_UTF_8_is_refused_by_every_path_option(
        string arguments, string option)
    {
        using var dir = new TempDirectory();
        foreach (var value in new[]
        {
            dir.File("o\uFFFD.json"),
            Path.Combine(dir.Path, "\uFFFD", "model.json"),
        })
        {
            var args = PathOptions.Arguments(arguments, dir);

            var result = Cli.Run([.. args, option, value]);

            Assert.Equal(
                $"error: {option}: the path is not valid UTF-8 and cannot be named, got '{value}'",
                result.AssertOneErrorLine(2));
            Assert.Equal(string.Empty, result.Out);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }

    [Fact]
    public void The_file_of_the_decoded_name_is_neither_written_nor_read()
    {
        // Given files under the names that o\xfe.json and m\xff.json decode to
        using var dir = new TempDirectory();
        var decoded = dir.File("o\uFFFD.json");
        File.WriteAllText(decoded, "someone else's file");

        // When
        var train = Cli.Run("train", "--epochs", "1", "--hidden", "4", "--out", decoded);
        var evaluate = Cli.Run("evaluate", "--model", decoded);

        // Then
        Assert.Equal(
            $"error: --out: the path is not valid UTF-8 and cannot be named, got '{decoded}'",
            train.AssertOneErrorLine(2));
        Assert.Equal(
            $"error: --model: the path is not valid UTF-8 and cannot be named, got '{decoded}'",
            evaluate.AssertOneErrorLine(2));
        Assert.Equal("someone else's file", File.ReadAllText(decoded));
        Assert.Equal(["o\uFFFD.json"], dir.Files);
    }

    [Fact]
    public void Other_characters_beyond_ASCII_are_paths_like_any_other()
    {
        using var dir = new TempDirectory();
        var path = dir.File("modèle-ü-η-模型.json");

        Cli.Run("train", "--epochs", "1", "--hidden", "4", "--out", path).AssertSucceeded();

        Assert.Equal(["modèle-ü-η-模型.json"], dir.Files);
    }
}
