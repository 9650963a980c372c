using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// An open descriptor of a directory, and the path that reaches the directory through it,
/// wherever the directory is moved meanwhile: a write whose files are all made, renamed and
/// removed by that path stays in the one directory from its first byte to its last rename.
/// </summary>
/// <remarks>
/// LIMITATION: the path is /proc/self/fd/N, so only Linux with /proc mounted has one
/// (<see cref="Through"/> null elsewhere), and a write there goes by the directory's own path,
/// which a directory moved during the write can split; see
/// docs/limitations.md#a-directory-moved-during-a-save.
/// </remarks>
internal partial class DirectoryHandle : SafeHandleMinusOneIsInvalid
{
    // open(2), as Linux defines its flags on every architecture .NET runs on. Not blocking, so
    // that a named pipe put in the directory's place does not wait for a writer; closed on
    // exec, so that no child keeps it.
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    /// <summary>Takes over <paramref name="descriptor"/>, closed on disposal.</summary>
    protected DirectoryHandle(int descriptor)
        : base(ownsHandle: true)
    {
        SetHandle(descriptor);
        var through = $"/proc/self/fd/{descriptor}";
        Through = Directory.Exists(through) ? through : null;
    }

    /// <summary>
    /// The path that reaches the directory through the descriptor, /proc/self/fd/N; null where
    /// there is none (no /proc), or when what was opened is not a directory.
    /// </summary>
    public string? Through { get; }

    /// <summary>
    /// <paramref name="directory"/> held open, or null where it cannot be (not Linux, a
    /// directory that cannot be opened for reading) or has no path through its descriptor.
    /// </summary>
    public static DirectoryHandle? Open(string directory)
    {
        if (Descriptor(directory) is not { } descriptor)
        {
            return null;
        }

        var handle = new DirectoryHandle(descriptor);
        if (handle.Through is null)
        {
            handle.Dispose();
            return null;
        }

        return handle;
    }

    /// <summary>
    /// A new descriptor of <paramref name="directory"/>, open for reading; null where open(2)
    /// is not called (not Linux) or fails.
    /// </summary>
    protected static int? Descriptor(string directory)
    {
        if (!OperatingSystem.IsLinux() || directory.Contains('\0'))
        {
            return null;
        }

        try
        {
            var descriptor = OpenPath(directory, ReadOnly | NonBlocking | CloseOnExec, 0);
            return descriptor < 0 ? null : descriptor;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Closes a descriptor that <see cref="Descriptor"/> gave.</summary>
    protected static void CloseDescriptor(int descriptor) => Close(descriptor);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [LibraryImport(
        "libc",
        EntryPoint = "open",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenPath(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
