using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Why a save must not replace a symbolic link that leads into the kernel's own file systems.
/// A save renames a new file over its target, so a link there is replaced, not written
/// through: right for a link the user made, wrong for one such as /dev/stdout, which leads to
/// /proc/self/fd/1 and stands for whatever the process's output is. Replacing that link with a
/// model file breaks it for every later program, so such a link is refused before any work.
/// </summary>
/// <remarks>
/// Linux only, where the links are read with readlink(2) and resolved with realpath(3); the
/// file system of a place is the one statfs(2) names through the runtime.
/// </remarks>
internal static class KernelLink
{
    // As many links as the kernel follows in one lookup before it gives up (ELOOP).
    private const int MostLinks = 40;

    // The kernel's own file systems, as NewFileRefusal lists them, and devtmpfs, where /dev's
    // device nodes and links such as /dev/stdout live.
    private static readonly string[] KernelFileSystems =
        [.. NewFileRefusal.KernelFileSystems, "devtmpfs"];

    /// <summary>
    /// Null unless <paramref name="path"/> is a symbolic link that leads onto one of the
    /// kernel's file systems, at the first step, at a later link of its chain, or where it
    /// finally resolves; then why it cannot be saved over, to follow "cannot write PATH: ":
    /// "it is a symbolic link to /proc/self/fd/1, on a proc file system; …", with ", which
    /// leads to PLACE" before the file system when the first step is not there yet.
    /// </summary>
    public static string? Reason(string path)
    {
        if (!PosixPaths.Available || !PosixPaths.IsLink(path)
            || PosixPaths.ReadLink(path) is not { } first)
        {
            return null;
        }

        var current = path;
        for (var step = 0; step < MostLinks; step++)
        {
            if (PosixPaths.ReadLink(current) is not { } target)
            {
                break;
            }

            // A relative target is taken from the link's own directory, as the kernel takes it.
            var next = Path.IsPathRooted(target)
                ? target
                : Path.Combine(Path.GetDirectoryName(current) ?? string.Empty, target);
            if (KernelFileSystem(DirectoryOf(next)) is { } system)
            {
                return Refusal(first, step == 0 ? null : next, system);
            }

            current = next;
        }

        // Where the chain ends, every link followed, is a place of its own: a file mounted
        // there can be on another file system than the directory that holds it.
        if (PosixPaths.RealPath(path, out _) is { } final
            && KernelFileSystem(final) is { } finalSystem)
        {
            return Refusal(first, final, finalSystem);
        }

        return null;
    }

    private static string Refusal(string first, string? place, string system) =>
        Shell.Printable.Line(
            $"it is a symbolic link to {first}"
            + (place is null ? string.Empty : $", which leads to {place}")
            + $", on a {system} file system; saving replaces the link with a new file rather "
            + "than writing where it leads");

    // The directory that holds the last name of a path, as given: "." for a bare name, the
    // root for the root.
    private static string DirectoryOf(string path) => Path.GetDirectoryName(path) switch
    {
        null => path,
        "" => ".",
        var directory => directory,
    };

    // The kernel's file system that holds the place, or null when it is on another one or
    // cannot be told.
    private static string? KernelFileSystem(string place) =>
        NewFileRefusal.FileSystem(place) is { } system && KernelFileSystems.Contains(system)
            ? system
            : null;
}
