using System.IO;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using Backprop.Functional.Cli.Tests.Data;
using Backprop.Functional.Cli.Tests.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// The --out directory that make-sample made and saved nothing in, as when its save fails or
/// a stop signal ends it first, is removed on the way out, if still empty and still the one
/// made; one that was there before is left.
/// </summary>
[Collection(WrittenHook.Name)]
public sealed class MakeSampleLeftoverTests
{
    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_failed_save_removes_only_the_empty_directory_make_sample_made(bool existed)
    {
        // Given a sample whose save fails once its first file is on disk
        using var dir = new TempDirectory();
        var full = TinyData.Write(
            dir.File("full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass);
        var sample = dir.File("sample");
        if (existed)
        {
            Directory.CreateDirectory(sample);
        }

        AtomicFile.Written = temporary =>
        {
            if (Path.GetDirectoryName(temporary) == sample)
            {
                throw new IOException("No space left on device");
            }
        };
        CliResult result;
        try
        {
            result = Cli.Run("make-sample", "--data", full, "--out", sample);
        }
        finally
        {
            AtomicFile.Written = null;
        }

        // Then it fails, and the directory is gone only if it made it
        Assert.StartsWith($"error: cannot write {sample}", result.AssertOneErrorLine(1));
        Assert.Equal(existed, Directory.Exists(sample));
    }
}
