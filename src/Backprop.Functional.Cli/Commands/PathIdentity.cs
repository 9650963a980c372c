using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Whether two paths name the same file, with symbolic links followed: <c>here/m.json</c>
/// and <c>m.json</c> are one file when <c>here</c> links to <c>.</c>, although
/// <see cref="Path.GetFullPath(string)"/> gives two different strings for them.
/// </summary>
/// <remarks>
/// A path stands for the entries it can reach: the directory entry it names, found by following
/// every link among its directories (what a write by rename replaces, whether or not the file
/// exists yet), and, when that entry is a symbolic link, each entry along the chain of links
/// from it (what a read of the path opens at the end). Two paths are the same file when they
/// share one of these entries, which is the case for the same file reached through different
/// links, for a file that does not exist yet in a directory reached two ways, and for a link
/// and the file it leads to. Names are compared as the file system's: exactly on Linux,
/// ignoring case elsewhere, where file systems mostly do. Links are followed as the kernel
/// follows them (a link's target is taken from the directory the link is in, and ".." in it
/// from where the link leads), up to 40, after which the path is taken as it stands.
/// </remarks>
internal static class PathIdentity
{
    // As Linux's limit on the links followed in one lookup (ELOOP after it).
    private const int MaxLinks = 40;

    private static readonly StringComparer Comparer = OperatingSystem.IsLinux()
        ? StringComparer.Ordinal
        : StringComparer.OrdinalIgnoreCase;

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> name the same file.</summary>
    public static bool Same(string a, string b) =>
        Entries(a).Intersect(Entries(b), Comparer).Any();

    /// <summary>
    /// The entries <paramref name="path"/> reaches: the directory entry it names, with the
    /// links among its directories followed, then those along the chain of links from it.
    /// </summary>
    internal static IReadOnlyList<string> Entries(string path)
    {
        var entries = new List<string>();
        var entry = Resolve(path);
        while (entry is not null && entries.Count <= MaxLinks && !entries.Contains(entry, Comparer))
        {
            entries.Add(entry);
            entry = LinkTarget(entry) is { } target
                ? Resolve(Path.Combine(Path.GetDirectoryName(entry) ?? entry, target))
                : null;
        }

        return entries;
    }

    // The full path of the entry that path names, every link among its directories followed
    // (the entry itself is not), as far as they exist; what does not exist is kept as given.
    // Null when the path cannot be made full, or its links loop.
    private static string? Resolve(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            return null;
        }

        // GetFullPath has removed "." and "..", as the runtime does before any file call.
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var names = Names(full[root.Length..]);
        if (names.Length == 0)
        {
            return full;
        }

        var pending = new Stack<string>();
        Push(pending, names[..^1]);
        var directory = root;
        var followed = 0;
        while (pending.TryPop(out var name))
        {
            if (name == "..")
            {
                directory = Path.GetDirectoryName(directory) ?? directory;
                continue;
            }

            var next = Path.Join(directory, name);
            if (name == "." || LinkTarget(next) is not { } target)
            {
                directory = name == "." ? directory : next;
                continue;
            }

            if (++followed > MaxLinks)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                directory = Path.GetPathRoot(target) ?? directory;
                target = target[directory.Length..];
            }

            Push(pending, Names(target));
        }

        return Path.Join(directory, names[^1]);
    }

    // The names in a relative path: separators of either kind, and the empty names of a
    // doubled or trailing separator, are dropped.
    private static string[] Names(string relative) =>
        relative.Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar],
            StringSplitOptions.RemoveEmptyEntries);

    // Puts names on the stack so that the first is taken first.
    private static void Push(Stack<string> pending, IEnumerable<string> names)
    {
        foreach (var name in names.Reverse())
        {
            pending.Push(name);
        }
    }

    // What the symbolic link at path holds, as it holds it; null when path is not a link or
    // cannot be examined.
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
