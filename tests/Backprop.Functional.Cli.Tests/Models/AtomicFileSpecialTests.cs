using System.IO;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// Writing over a device or a named pipe is refused by every way of writing, before anything is
/// opened; the device (reached through a link, so that a failure would replace only the link)
/// and the pipe stay as they were.
/// </summary>
public sealed class AtomicFileSpecialTests
{
    [UnixFact]
    public void A_link_to_a_device_is_neither_written_nor_replaced()
    {
        using var dir = new TempDirectory();
        var target = dir.File("null.json");
        File.CreateSymbolicLink(target, "/dev/null");

        var single = AtomicFile.Write(target, [1, 2, 3]);
        var both = AtomicFile.WriteAll((dir.File("other.json"), [4]), (target, [5]));
        var check = AtomicFile.CheckWritable(target);

        var expected = $"cannot write {target}: it is a character device, not a regular file";
        Assert.Equal(expected, single.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, both.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, check.Match(_ => "writable", e => e.Message));
        Assert.Equal("/dev/null", new FileInfo(target).LinkTarget);
        Assert.False(File.Exists(dir.File("other.json")));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [UnixFact]
    public void A_named_pipe_is_refused_without_waiting_for_a_reader()
    {
        using var dir = new TempDirectory();
        var target = dir.File("fifo.json");
        SpecialFiles.MakeFifo(target);

        var single = SpecialFiles.WithinSeconds(() => AtomicFile.Write(target, [1]));
        var check = SpecialFiles.WithinSeconds(() => AtomicFile.CheckWritable(target));

        var expected = $"cannot write {target}: it is a named pipe (FIFO), not a regular file";
        Assert.Equal(expected, single.Match(_ => "written", e => e.Message));
        Assert.Equal(expected, check.Match(_ => "writable", e => e.Message));
        Assert.Equal("a named pipe (FIFO), not a regular file", FileKind.NotRegular(target));
    }
}
