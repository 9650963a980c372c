using System.IO;
using System.Linq;
using System.Threading;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A stop signal during a save waits for it: <see cref="AtomicFile.WaitForWrites"/> returns
/// only once the file is in place and its temporary file gone, so nothing is left behind.
/// </summary>
[Collection(WrittenHook.Name)]
public sealed class AtomicFileStopTests
{
    [Fact]
    public void Waiting_for_writes_returns_only_after_the_rename()
    {
        using var dir = new TempDirectory();
        var target = dir.File("model.json");
        File.WriteAllText(target, "old");
        string? waited = null;
        var waiter = new Thread(() => waited = AtomicFile.WaitForWrites());
        var returnedInside = true;
        AtomicFile.Written = temporary =>
        {
            if (Path.GetDirectoryName(temporary) != dir.Path)
            {
                return;
            }

            // The signal arrives here: the bytes are on disk, the rename not yet done.
            waiter.Start();
            returnedInside = waiter.Join(300);
        };
        try
        {
            FinAssert.Succeeds(AtomicFile.Write(target, "new"u8));
        }
        finally
        {
            AtomicFile.Written = null;
        }

        waiter.Join();
        Assert.False(returnedInside);
        Assert.Equal(target, waited);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["model.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
