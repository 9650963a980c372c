using System.IO;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A directory moved while a save's content is still being made, before any file of the save
/// exists, takes the whole save with it: every save holds its directories from its first step,
/// the checkpoint's through the directory the run holds.
/// </summary>
[Collection(CheckpointHook.Name)]
public sealed class MovedDuringRenderTests
{
    [LinuxFact]
    public void A_checkpoint_directory_moved_during_the_render_gets_the_whole_checkpoint()
    {
        // Given a run whose checkpoint directory is moved as its save begins
        using var dir = new Commands.TempDirectory();
        var (run, moved) = (dir.File("run"), dir.File("run.moved"));
        var checkpoint = Path.Combine(run, "checkpoint.json");
        var result = MovingAt(checkpoint, run, moved, () => Commands.Cli.Run(
            "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
            "--epochs", "1", "--checkpoint", run, "--out", dir.File("m.json")));

        // Then the run ends as if nothing had changed, its checkpoint whole in the moved one
        result.AssertSucceeded();
        Assert.False(Directory.Exists(run));
        var header = FinAssert.Succeeds(
            CheckpointFile.ReadHeader(Path.Combine(moved, "checkpoint.json")));
        Assert.Equal(1, header.Epoch);
        Assert.Equal(["checkpoint.json"], Names(moved));
        Assert.Contains(
            $"checkpoint written to {checkpoint}, in what was the directory {run} as the save "
            + "began (moved or replaced during it)",
            result.OutLines);
    }

    [LinuxTheory]
    [InlineData("model")]
    [InlineData("model and plot beside it")]
    [InlineData("model, plot elsewhere")]
    [InlineData("plot, model elsewhere")]
    public void An_output_directory_moved_during_the_render_gets_its_files_whole(string save)
    {
        // Given a run whose model (and plot) directory is moved as the final save begins
        using var dir = new Commands.TempDirectory();
        var (od, pd, moved) = (dir.File("od"), dir.File("pd"), dir.File("moved"));
        Directory.CreateDirectory(od);
        Directory.CreateDirectory(pd);
        var model = Path.Combine(save.StartsWith("plot") ? pd : od, "m.json");
        var plot = Path.Combine(save.Contains("elsewhere") && save != "plot, model elsewhere"
            ? pd
            : od, "p.png");
        var paths = save == "model" ? model : $"{model}, {plot}";
        var result = MovingAt(paths, od, moved, () => Commands.Cli.Run(
        [
            "train", "--data", TinyData.Write(dir.File("data")), "--hidden", "4",
            "--epochs", "1", "--out", model, .. save == "model" ? [] : new[] { "--plot", plot },
        ]));

        // Then both files are written, each in its own directory, the moved one included
        result.AssertSucceeded();
        Assert.False(Directory.Exists(od));
        string[] inMoved = save switch
        {
            "model" or "model, plot elsewhere" => ["m.json"],
            "model and plot beside it" => ["m.json", "p.png"],
            _ => ["p.png"],
        };
        string[] inPlace = save switch
        {
            "model, plot elsewhere" => ["p.png"],
            "plot, model elsewhere" => ["m.json"],
            _ => [],
        };
        Assert.Equal(inMoved, Names(moved));
        Assert.Equal(inPlace, Names(pd));

        // And the lines say where each went: the one in the moved directory, into what was
        // that directory as the save began
        var into = $", in what was the directory {od} as the save began (moved or replaced "
            + "during it)";
        Assert.Contains(
            $"model written to {model}{(model.StartsWith(od) ? into : string.Empty)}",
            result.OutLines);
        if (save != "model")
        {
            Assert.Contains(
                $"plot written to {plot}{(plot.StartsWith(od) ? into : string.Empty)}",
                result.OutLines);
        }
    }

    [LinuxFact]
    public void A_sample_directory_moved_during_the_compression_gets_all_four_files()
    {
        // Given make-sample, whose output directory is moved as its save begins
        using var dir = new Commands.TempDirectory();
        var full = TinyData.Write(
            dir.File("full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass);
        var (sample, moved) = (dir.File("sample"), dir.File("sample.moved"));
        var first = Path.Combine(sample, DataSets.StandardNames[0] + ".gz");
        var result = MovingAt(first, sample, moved, () => Commands.Cli.Run(
            "make-sample", "--data", full, "--out", sample), prefix: true);

        // Then the four files are in the moved directory
        result.AssertSucceeded();
        Assert.False(Directory.Exists(sample));
        Assert.Equal(4, Names(moved).Length);
    }

    // Runs command, moving directory to moved as the save of paths begins (or of paths and
    // more, with prefix), before its content is made.
    private static CliResult MovingAt(
        string paths, string directory, string moved, System.Func<CliResult> command,
        bool prefix = false)
    {
        AtomicFile.Saving = saving =>
        {
            var ours = prefix
                ? saving.StartsWith(paths, System.StringComparison.Ordinal)
                : saving == paths;
            if (ours)
            {
                Directory.Move(directory, moved);
            }
        };
        try
        {
            return command();
        }
        finally
        {
            AtomicFile.Saving = null;
        }
    }

    private static string[] Names(string directory) => SaveWindowTests.Names(directory);
}
