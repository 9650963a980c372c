using System;
using System.IO;
using System.Linq;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Why a file cannot be saved in a directory that makes no new files. Every save makes a new
/// file beside its target and renames it into place, and the kernel's own file systems
/// (/proc, /sys and their kin) make no files on request, even where the target exists. The
/// runtime words their refusals as for something else: "Could not find file" on /proc, which
/// names the target as if it were missing, and "Access to the path is denied" on /sys, even
/// to root.
/// </summary>
internal static class NewFileRefusal
{
    /// <summary>
    /// The kernel's own file systems, as statfs(2) names them: their files stand for the
    /// kernel's state, and none of them makes a regular file on request.
    /// </summary>
    internal static readonly string[] KernelFileSystems =
    [
        "proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "configfs",
        "devpts", "pstore", "bpf",
    ];

    /// <summary>
    /// The reason to give when making a new file in <paramref name="directory"/> failed with
    /// <paramref name="e"/>, if the directory is one that makes no new files: "no new file
    /// can be made in DIRECTORY (a proc file system); the file is saved as a new file there,
    /// renamed into place". That is so when the directory exists and the new file is still
    /// not found, or when it lies on one of the kernel's file systems. Null otherwise, and
    /// for a directory that is not there.
    /// </summary>
    /// <param name="directory">The directory, as the file system reaches it.</param>
    /// <param name="e">What making the file threw.</param>
    /// <param name="named">The directory as the line names it: as the user gave it.</param>
    public static string? In(string? directory, Exception e, string named)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        var system = FileSystem(directory);
        if (e is not (FileNotFoundException or DirectoryNotFoundException)
            && !KernelFileSystems.Contains(system))
        {
            return null;
        }

        var kind = system is null ? string.Empty : $" (a {system} file system)";
        return Shell.Printable.Line(
            $"no new file can be made in {named}{kind}; the file is saved as a new file "
            + "there, renamed into place");
    }

    /// <summary>
    /// The type of the file system that holds <paramref name="directory"/> ("proc", "sysfs",
    /// "ext4"), as statfs(2) gives it through the runtime, links followed; null when it cannot
    /// be told.
    /// </summary>
    internal static string? FileSystem(string directory)
    {
        try
        {
            var format = new DriveInfo(directory).DriveFormat;
            return string.IsNullOrWhiteSpace(format) ? null : format;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or ArgumentException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
