using System;
using System.IO;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// What kind of file a path names, told without opening it: opening a named pipe (FIFO) waits
/// for the other end, a device such as /dev/zero never ends, and a file renamed over a device
/// replaces it, so the commands read data files, classes.txt, models and checkpoints only from
/// regular files, and write only where a regular file or nothing is.
/// </summary>
/// <remarks>
/// .NET does not tell these apart: <see cref="File.GetAttributes(string)"/> says Normal for a
/// regular file, a FIFO, /dev/zero and a socket alike, and
/// <see cref="FileSystemInfo.UnixFileMode"/> holds only the permission bits. On Unix the type
/// therefore comes from stat(2), asked as the runtime itself asks it
/// (<see cref="PosixPaths.TypeBits"/>): SystemNative_Stat in the runtime's libSystem.Native,
/// whose result has one layout on every Unix (the mode at byte 4, with POSIX's type bits,
/// values the runtime keeps fixed for managed callers). If that call cannot be made, the path
/// is taken for a regular file, as before, rather than refused.
/// </remarks>
internal static class FileKind
{
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Socket = 0xC000;

    // What Of says of a regular file.
    private const string RegularFile = "a file";

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (or a link to one), does not exist or
    /// cannot be examined; otherwise what it is, to follow "PATH is": "a directory", or "a named
    /// pipe (FIFO), not a regular file", "a character device, not a regular file", and so on, or
    /// what <see cref="BrokenLink"/> says of a symbolic link that leads to nothing.
    /// </summary>
    public static string? NotRegular(string path) => Of(path) switch
    {
        null or RegularFile => null,
        "a directory" => "a directory",
        var kind when BrokenLink(path) is not null => kind,
        var kind => $"{kind}, not a regular file",
    };

    /// <summary>
    /// What <paramref name="path"/> is, to follow "PATH is": "a directory", "a file" (a regular
    /// file, or one that cannot be examined further), "a named pipe (FIFO)", "a character
    /// device", "a block device", "a socket", "a special file", or what
    /// <see cref="BrokenLink"/> says of a symbolic link that leads to nothing; null when it does
    /// not exist.
    /// </summary>
    public static string? Of(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            return "a directory";
        }

        if (!File.Exists(path))
        {
            return null;
        }

        if (BrokenLink(path) is { } broken)
        {
            return broken;
        }

        // A path that cannot be examined is taken for a regular file, as before the check.
        return PosixPaths.TypeBits(path, follow: true) switch
        {
            null or Regular => RegularFile,
            Directory => "a directory",
            Fifo => "a named pipe (FIFO)",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Socket => "a socket",
            _ => "a special file",
        };
    }

    /// <summary>
    /// Null unless <paramref name="path"/> is a symbolic link that leads to nothing, which .NET
    /// takes for a file that exists but cannot be opened; then what it is, to follow "PATH is":
    /// "a dangling symbolic link to 'TARGET'" (TARGET as the link holds it) when what it names,
    /// at the end of any chain of links, does not exist, or "a symbolic link in a loop" when
    /// following it never ends. Writing to such a path replaces the link itself.
    /// </summary>
    /// <remarks>
    /// On Linux the kernel decides: the path is a link by lstat(2), and leads to nothing when
    /// realpath(3) fails with ENOENT (or ENOTDIR, a file on the way) or ELOOP. .NET's own
    /// resolution removes ".." from a link's target as text, before following the link it
    /// comes after, and so takes <c>sub/../model.json</c>, with <c>sub</c> a link to
    /// <c>far/a</c>, for a dangling link when <c>far/model.json</c> is there.
    /// </remarks>
    public static string? BrokenLink(string path)
    {
        if (PosixPaths.Available)
        {
            if (!PosixPaths.IsLink(path) || PosixPaths.RealPath(path, out var error) is not null)
            {
                return null;
            }

            return error switch
            {
                PosixPaths.TooManyLinks => "a symbolic link in a loop",
                PosixPaths.NoEntry or PosixPaths.NotDirectory =>
                    $"a dangling symbolic link to '{PosixPaths.ReadLink(path)}'",
                _ => null,
            };
        }

        try
        {
            var link = new FileInfo(path);
            if (link.LinkTarget is not { } target)
            {
                return null;
            }

            var final = link.ResolveLinkTarget(returnFinalTarget: true);
            return final is null || final.Exists || System.IO.Directory.Exists(final.FullName)
                ? null
                : $"a dangling symbolic link to '{target}'";
        }
        catch (IOException) when (new FileInfo(path).LinkTarget is not null)
        {
            // The runtime gives up after 40 links, as the kernel does (ELOOP).
            return "a symbolic link in a loop";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the file system refuses to look <paramref name="path"/> up because its name is
    /// too long (ENAMETOOLONG: a name in it, or the whole path, is longer than it allows), as
    /// opposed to the path being absent, which .NET's existence checks do not tell apart.
    /// </summary>
    public static bool NameTooLong(string path)
    {
        try
        {
            File.GetAttributes(path);
            return false;
        }
        catch (PathTooLongException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
