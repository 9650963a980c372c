using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Tasks;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>Named pipes, sockets and devices where the commands expect regular files.</summary>
public static class SpecialFiles
{
    /// <summary>Makes a named pipe (FIFO) at <paramref name="path"/> with mkfifo(1).</summary>
    public static void MakeFifo(string path)
    {
        var start = new ProcessStartInfo("mkfifo") { ArgumentList = { path } };
        using var mkfifo = Process.Start(start)!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>A Unix domain socket bound to <paramref name="path"/>.</summary>
    public static Socket MakeSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>
    /// What <paramref name="act"/> returns, failing the test if it takes over 20 seconds, as
    /// opening a named pipe to read would (it waits for a writer).
    /// </summary>
    public static T WithinSeconds<T>(Func<T> act)
    {
        var task = Task.Run(act);
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "still waiting after 20 seconds");
        return task.Result;
    }
}

/// <summary>A test that needs a Unix file system: named pipes, sockets, /dev/zero.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs a Unix file system (named pipes, sockets, /dev/zero)";
        }
    }
}

/// <summary>A theory that needs a Unix file system.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs a Unix file system (named pipes, sockets, /dev/zero)";
        }
    }
}

/// <summary>
/// A theory that needs Linux: its /proc and /dev/full, or the command's own calls into libc.
/// </summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (/proc, /dev/full, libc)";
        }
    }
}

/// <summary>A test that needs Linux, as <see cref="LinuxTheoryAttribute"/>.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (/proc, /dev/full, libc)";
        }
    }
}
