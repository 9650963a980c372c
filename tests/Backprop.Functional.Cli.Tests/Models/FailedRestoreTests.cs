using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A group write whose later file fails to be renamed into place puts back the files renamed
/// before it; when that fails too, its error says what was left, rather than let the caller
/// say that none of the files was written.
/// </summary>
[Collection(WrittenHook.Name)]
public sealed class FailedRestoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Model => _temp.File("m.json");

    private string Plot => _temp.File("p.png");

    public void Dispose()
    {
        AtomicFile.Written = null;
        AtomicFile.Restoring = null;
        _temp.Dispose();
    }

    [LinuxFact]
    public void A_link_to_a_directory_replaced_by_a_group_write_that_fails_is_put_back()
    {
        // Given a model target that is a link to a directory, and a plot that cannot be
        // renamed into place (a directory stands there)
        Directory.CreateDirectory(_temp.File("elsewhere"));
        Directory.CreateSymbolicLink(Model, "elsewhere");
        Directory.CreateDirectory(Plot);

        // When both are written together
        var result = AtomicFile.WriteAll((Model, "new"u8.ToArray()), (Plot, "png"u8.ToArray()));

        // Then the write fails and the link is as it was, still leading to its directory
        Assert.True(result.IsFail);
        Assert.Equal("elsewhere", Cli.Data.PosixPaths.ReadLink(Model));
        Assert.True(Directory.Exists(Model));
        Assert.Equal(
            ["elsewhere", "m.json", "p.png"],
            Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    [LinuxFact]
    public void A_link_to_a_directory_replaced_by_a_group_write_leaves_no_kept_copy()
    {
        // Given a model target that is a link to a directory
        Directory.CreateDirectory(_temp.File("elsewhere"));
        Directory.CreateSymbolicLink(Model, "elsewhere");

        // When it is written together with a plot
        var result = AtomicFile.WriteAll((Model, "new"u8.ToArray()), (Plot, "png"u8.ToArray()));

        // Then the link is replaced by the file, as a link to a file is, and nothing is left
        Assert.True(result.IsSucc);
        Assert.Equal("new", File.ReadAllText(Model));
        Assert.Equal(
            ["elsewhere", "m.json", "p.png"],
            Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void The_error_says_what_a_failed_restore_left(bool modelExisted, bool restoreFails)
    {
        // Given a model (from an earlier run, or none), and a plot whose rename fails as a
        // directory is put at its path once both temporary files are written
        if (modelExisted)
        {
            File.WriteAllText(Model, "old");
        }

        FailPlotRename();
        AtomicFile.Restoring = full =>
        {
            if (restoreFails && full == Model)
            {
                throw new IOException("Input/output error");
            }
        };

        // When
        var result = AtomicFile.WriteAll((Model, "new"u8.ToArray()), (Plot, [1]));

        // Then the error names what was left: nothing, the new model (with the old one kept
        // under a hidden name), or the new model where there was none
        var message = FinAssert.Fails(result);
        var code = result.Match(Succ: _ => 0, Fail: e => e.Code);
        var failed = $"cannot write {Plot}: it is a directory";
        var hidden = Directory.GetFiles(_temp.Path, ".backprop-*").ToArray();
        switch ((modelExisted, restoreFails))
        {
            case (_, false):
                Assert.Equal(failed, message);
                Assert.NotEqual(AtomicFile.PartlyWritten, code);
                Assert.Equal(modelExisted, File.Exists(Model));
                Assert.Empty(hidden);
                if (modelExisted)
                {
                    Assert.Equal("old", File.ReadAllText(Model));
                }

                break;
            case (true, true):
                Assert.Equal(
                    $"{failed}; {Model} was replaced and could not be put back; the file it "
                    + $"replaced is {Assert.Single(hidden)}",
                    message);
                Assert.Equal(AtomicFile.PartlyWritten, code);
                Assert.Equal("new", File.ReadAllText(Model));
                Assert.Equal("old", File.ReadAllText(hidden[0]));
                break;
            case (false, true):
                Assert.Equal(
                    $"{failed}; {Model} was written and could not be removed again", message);
                Assert.Equal(AtomicFile.PartlyWritten, code);
                Assert.Equal("new", File.ReadAllText(Model));
                Assert.Empty(hidden);
                break;
        }
    }

    [Fact]
    public void Train_does_not_say_neither_was_written_when_the_model_was_left()
    {
        // Given a run whose plot cannot be renamed into place, nor its model removed again
        FailPlotRename();
        AtomicFile.Restoring = full =>
        {
            if (full == Model)
            {
                throw new IOException("Input/output error");
            }
        };

        // When
        var result = Commands.Cli.Run(
            "train", "--data", Commands.TinyData.Write(_temp.File("data")), "--hidden", "4",
            "--epochs", "1", "--out", Model, "--plot", Plot);

        // Then its one line says what was left
        Assert.Equal(
            $"error: cannot write {Plot}: it is a directory; {Model} was written and could not "
            + "be removed again",
            result.AssertOneErrorLine(1));
        Assert.True(File.Exists(Model));
    }

    // Puts a directory at the plot's path once the second temporary file of a write here is
    // on disk, so that the plot's rename fails after the model's.
    private void FailPlotRename()
    {
        var written = 0;
        AtomicFile.Written = temporary =>
        {
            if (Path.GetDirectoryName(temporary) == _temp.Path && ++written == 2)
            {
                Directory.CreateDirectory(Plot);
            }
        };
    }
}
