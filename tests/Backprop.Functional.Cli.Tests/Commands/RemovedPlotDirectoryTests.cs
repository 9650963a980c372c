using System;
using System.IO;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// The directory of --plot removed while train runs: the model and the plot are written
/// together or not at all, so neither is, and the one error line says so in the command's
/// words, naming the directory that has gone and both files.
/// </summary>
[Collection(WrittenHook.Name)]
public sealed class RemovedPlotDirectoryTests
{
    [Fact]
    public void A_plot_directory_removed_during_training_fails_the_run_naming_it()
    {
        // Given a run whose plot goes in a directory that is removed once its first checkpoint
        // is saved, after the command checked the directory and before the end
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var plots = dir.File("plots");
        Directory.CreateDirectory(plots);
        var (model, plot) = (dir.File("m.json"), Path.Combine(plots, "p.png"));
        var checkpoints = dir.File("ck");
        AtomicFile.Written = temporary =>
        {
            if (temporary.StartsWith(checkpoints, StringComparison.Ordinal)
                && Directory.Exists(plots))
            {
                Directory.Delete(plots);
            }
        };

        // When
        CliResult result;
        try
        {
            result = Cli.Run(
                "train", "--data", data, "--hidden", "4", "--epochs", "2", "--out", model,
                "--plot", plot, "--checkpoint", checkpoints);
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then the run fails as a file it cannot write fails it, and no model is written
        Assert.Equal(
            $"error: cannot write {plot}: the directory {plots} does not exist; neither {model} "
            + $"nor {plot} was written",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(model));
        Assert.True(File.Exists(Path.Combine(checkpoints, "checkpoint.json")));
    }
}
