using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Paths resolved by the kernel, on Linux, rather than by .NET, whose
/// <see cref="System.IO.Path.GetFullPath(string)"/> removes ".." as text: for <c>sub/../f</c>
/// with <c>sub</c> a link to <c>far/a</c>, it gives <c>./f</c>, where the kernel, which
/// follows <c>sub</c> first, opens <c>far/f</c>. Each call reports "not available" (null, or
/// false) rather than throwing when libc cannot be called.
/// </summary>
internal static partial class PosixPaths
{
    /// <summary>errno for a path (or a link's target) that does not exist.</summary>
    public const int NoEntry = 2;

    /// <summary>errno for a name on the way that is not a directory.</summary>
    public const int NotDirectory = 20;

    /// <summary>errno for more links than the kernel follows in one lookup (a loop).</summary>
    public const int TooManyLinks = 40;

    private const int TypeMask = 0xF000;
    private const int SymbolicLink = 0xA000;

    /// <summary>Whether the calls here are made: on Linux, where libc has them.</summary>
    public static bool Available => OperatingSystem.IsLinux();

    /// <summary>
    /// The canonical absolute path of what <paramref name="path"/> names, every link followed
    /// and "." and ".." taken where the kernel takes them, as realpath(3) gives it; null when it
    /// does not resolve, with the errno in <paramref name="error"/> (0 when the call could not
    /// be made at all).
    /// </summary>
    public static string? RealPath(string path, out int error)
    {
        error = 0;
        if (!Available || path.Length == 0 || path.Contains('\0'))
        {
            return null;
        }

        try
        {
            var resolved = NativeRealPath(path, nint.Zero);
            if (resolved == nint.Zero)
            {
                error = Marshal.GetLastPInvokeError();
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                Free(resolved);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> itself, not what it leads to, is a symbolic link, as
    /// lstat(2) tells; false when it cannot be examined.
    /// </summary>
    public static bool IsLink(string path) =>
        Available && TypeBits(path, follow: false) == SymbolicLink;

    /// <summary>
    /// The file-type bits of the mode (S_IFMT of <c>st_mode</c>) of what <paramref name="path"/>
    /// names, from stat(2) with <paramref name="follow"/> (links followed) or lstat(2) without;
    /// null when the path cannot be examined or the runtime's calls cannot be made. The calls
    /// are the runtime's own (SystemNative_Stat and SystemNative_LStat in libSystem.Native),
    /// whose result has one layout on every Unix, with POSIX's type bits.
    /// </summary>
    public static int? TypeBits(string path, bool follow)
    {
        if (OperatingSystem.IsWindows() || path.Length == 0 || path.Contains('\0'))
        {
            return null;
        }

        try
        {
            var found = follow ? Stat(path, out var status) : LStat(path, out status);
            return found == 0 ? status.Mode & TypeMask : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The device and inode of what <paramref name="path"/> leads to, links followed, from the
    /// runtime's stat(2) as in <see cref="TypeBits"/>; null when it cannot be examined.
    /// </summary>
    public static (long Device, long Inode)? Identity(string path) => Identity(path, follow: true);

    /// <summary>
    /// The device and inode of what <paramref name="path"/> names, from stat(2) with
    /// <paramref name="follow"/> (links followed) or lstat(2) without (a link is itself);
    /// null when it cannot be examined.
    /// </summary>
    public static (long Device, long Inode)? Identity(string path, bool follow)
    {
        if (OperatingSystem.IsWindows() || path.Length == 0 || path.Contains('\0'))
        {
            return null;
        }

        try
        {
            var found = follow ? Stat(path, out var status) : LStat(path, out status);
            return found == 0 ? (status.Device, status.Inode) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The device and inode of the file open on <paramref name="descriptor"/>, from the
    /// runtime's fstat(2); null when it cannot be examined.
    /// </summary>
    public static (long Device, long Inode)? Identity(SafeHandle descriptor)
    {
        if (OperatingSystem.IsWindows() || descriptor.IsInvalid)
        {
            return null;
        }

        try
        {
            return FStat(descriptor, out var status) == 0 ? (status.Device, status.Inode) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// What the symbolic link at <paramref name="path"/> holds, as it holds it, read with
    /// readlink(2) (the path is not made full first); null when it is not a link.
    /// </summary>
    public static string? ReadLink(string path)
    {
        if (!Available || path.Length == 0 || path.Contains('\0'))
        {
            return null;
        }

        try
        {
            var buffer = new byte[4096];
            var length = NativeReadLink(path, buffer, buffer.Length);
            return length < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes the directory <paramref name="path"/> names with rmdir(2), which removes only an
    /// empty directory, never a file or a symbolic link (nor where it leads); false when it was
    /// not removed, or cannot be here (not Linux).
    /// </summary>
    public static bool RemoveEmptyDirectory(string path)
    {
        if (!Available || path.Length == 0 || path.Contains('\0'))
        {
            return false;
        }

        try
        {
            return NativeRemoveDirectory(path) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Renames <paramref name="source"/> over <paramref name="target"/> with rename(2), which
    /// moves a symbolic link as itself, whatever it leads to (File.Move refuses a link to a
    /// directory); false when it fails, or cannot be called here (not Linux).
    /// </summary>
    public static bool Rename(string source, string target)
    {
        if (!Available || source.Contains('\0') || target.Contains('\0'))
        {
            return false;
        }

        try
        {
            return NativeRename(source, target) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(
        "libc",
        EntryPoint = "rename",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeRename(string source, string target);

    [LibraryImport(
        "libc",
        EntryPoint = "rmdir",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeRemoveDirectory(string path);

    [LibraryImport(
        "libc",
        EntryPoint = "realpath",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint NativeRealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport(
        "libc",
        EntryPoint = "readlink",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint NativeReadLink(string path, byte[] buffer, nint size);

    [LibraryImport(
        "libSystem.Native",
        EntryPoint = "SystemNative_Stat",
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    [LibraryImport(
        "libSystem.Native",
        EntryPoint = "SystemNative_LStat",
        StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, out FileStatus status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_FStat")]
    private static partial int FStat(SafeHandle descriptor, out FileStatus status);

    // The runtime's FileStatus (pal_io.h, 120 bytes in .NET 10), up to the inode; the size
    // leaves room to spare for the fields not read here.
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
        public long AccessTime;
        public long AccessTimeNanoseconds;
        public long ModifyTime;
        public long ModifyTimeNanoseconds;
        public long ChangeTime;
        public long ChangeTimeNanoseconds;
        public long BirthTime;
        public long BirthTimeNanoseconds;
        public long Device;
        public long SpecialDevice;
        public long Inode;
    }
}
