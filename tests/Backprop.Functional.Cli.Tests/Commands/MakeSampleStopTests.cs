using System.IO;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Data;
using Backprop.Functional.Cli.Tests.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>A stop signal before make-sample's save removes the empty --out it made.</summary>
[Collection(Checkpoints.CheckpointHook.Name)]
public sealed class MakeSampleStopTests
{
    [LinuxFact]
    public void A_stop_before_the_save_removes_the_empty_directory_make_sample_made()
    {
        // Given make-sample, stopped as its save begins, before any file of it exists (the
        // handler runs on the save's own thread here, so it does not wait for the save)
        using var dir = new TempDirectory();
        var full = TinyData.Write(
            dir.File("full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass);
        var sample = dir.File("sample");
        var existed = true;
        AtomicFile.Saving = _ =>
        {
            using var error = new StringWriter();
            new StopSignals.Handler(error).Stop();
            existed = Directory.Exists(sample);
        };
        try
        {
            Cli.Run("make-sample", "--data", full, "--out", sample);
        }
        finally
        {
            AtomicFile.Saving = null;
        }

        // Then the directory it made is gone
        Assert.False(existed);
        Assert.False(Directory.Exists(sample));
    }
}
