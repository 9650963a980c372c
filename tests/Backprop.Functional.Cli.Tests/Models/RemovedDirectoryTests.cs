using System;
using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A directory to save in that is removed after the command checked it, before the save or
/// during it: the error says that the directory does not exist, naming it, rather than the
/// runtime's "Could not find a part of the path" or "Could not find file" with the path of a
/// temporary file, and the files written together are all left as they were.
/// </summary>
[Collection(WrittenHook.Name)]
public sealed class RemovedDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Model => _temp.File("model.json");

    private string Plots => _temp.File("plots");

    private string Plot => Path.Combine(Plots, "plot.png");

    public void Dispose()
    {
        AtomicFile.Written = null;
        _temp.Dispose();
    }

    [Fact]
    public void A_group_with_a_file_in_a_removed_directory_writes_nothing()
    {
        // Given a model from an earlier run, and no directory for the plot
        File.WriteAllText(Model, "old");

        // When
        var message = FinAssert.Fails(AtomicFile.WriteAll((Model, [1]), (Plot, [2])));

        // Then
        Assert.Equal($"cannot write {Plot}: the directory {Plots} does not exist", message);
        Assert.Equal("old", File.ReadAllText(Model));
        Assert.Equal([Model], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_directory_is_named_as_the_path_given_names_it(bool file)
    {
        // Given the plot's path relative to the current directory, through "x/..", and no
        // directory there or a file in its place
        var given = Path.Combine(
            Path.GetRelativePath(Environment.CurrentDirectory, _temp.Path), "x", "..", "plots");
        if (file)
        {
            File.WriteAllText(Plots, "not a directory");
        }

        // When
        var message = FinAssert.Fails(
            AtomicFile.WriteAll((Model, [1]), (Path.Combine(given, "plot.png"), [2])));

        // Then
        Assert.False(Path.IsPathRooted(given));
        Assert.Equal(
            $"cannot write {Path.Combine(given, "plot.png")}: "
            + (file
                ? $"{given} is a file now, not a directory"
                : $"the directory {given} does not exist"),
            message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_directory_replaced_by_a_file_is_named_as_a_file(int written)
    {
        // Given a model from an earlier run and a plot directory that is a file, from the
        // start or once the first or both temporary files are written
        File.WriteAllText(Model, "old");
        Directory.CreateDirectory(Plots);
        var count = 0;
        void Replace()
        {
            Directory.Delete(Plots, recursive: true);
            File.WriteAllText(Plots, "x");
        }

        if (written == 0)
        {
            Replace();
        }

        AtomicFile.Written = temporary =>
        {
            if (temporary.StartsWith(_temp.Path, StringComparison.Ordinal)
                && ++count == written)
            {
                Replace();
            }
        };

        // When
        var message = FinAssert.Fails(AtomicFile.WriteAll((Model, [1]), (Plot, [2])));

        // Then
        Assert.Equal($"cannot write {Plot}: {Plots} is a file now, not a directory", message);
        Assert.Equal("old", File.ReadAllText(Model));
        Assert.Equal("x", File.ReadAllText(Plots));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_directory_removed_during_a_group_write_is_named_and_nothing_is_replaced(
        int written)
    {
        // Given a model from an earlier run and a directory for the plot, which is removed
        // with what it holds once the model's temporary file is written (before the plot's is
        // made) or once both are (before either is renamed into place)
        File.WriteAllText(Model, "old");
        Directory.CreateDirectory(Plots);
        var count = 0;
        AtomicFile.Written = temporary =>
        {
            if (temporary.StartsWith(_temp.Path, StringComparison.Ordinal)
                && ++count == written)
            {
                Directory.Delete(Plots, recursive: true);
            }
        };

        // When
        var message = FinAssert.Fails(AtomicFile.WriteAll((Model, [1]), (Plot, [2])));

        // Then
        Assert.Equal($"cannot write {Plot}: the directory {Plots} does not exist", message);
        Assert.Equal("old", File.ReadAllText(Model));
        Assert.Equal([Model], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void A_directory_removed_during_a_write_is_named()
    {
        var model = Path.Combine(Plots, "model.json");
        Directory.CreateDirectory(Plots);
        AtomicFile.Written = temporary =>
        {
            if (temporary.StartsWith(Plots, StringComparison.Ordinal))
            {
                Directory.Delete(Plots, recursive: true);
            }
        };

        var message = FinAssert.Fails(AtomicFile.Write(model, [1]));

        Assert.Equal($"cannot write {model}: the directory {Plots} does not exist", message);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }
}
