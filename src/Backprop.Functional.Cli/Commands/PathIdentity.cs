using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Whether two paths name the same file, with symbolic links followed: <c>here/m.json</c>
/// and <c>m.json</c> are one file when <c>here</c> links to <c>.</c>, although
/// <see cref="Path.GetFullPath(string)"/> gives two different strings for them.
/// </summary>
/// <remarks>
/// <para>
/// A path stands for the entries it can reach: the directory entry it names, found by following
/// every link among its directories (what a write by rename replaces, whether or not the file
/// exists yet), each entry along the chain of links from it when it is a symbolic link, and
/// the file a read of the path opens at the end. Two paths are the same file when they share
/// one of these entries, which is the case for the same file reached through different links,
/// for a file that does not exist yet in a directory reached two ways, and for a link and the
/// file it leads to.
/// </para>
/// <para>
/// On Linux the kernel resolves the paths, through realpath(3) (see <see cref="PosixPaths"/>):
/// ".." after a link is taken from where the link leads, as every file call takes it, never
/// removed as text as <see cref="Path.GetFullPath(string)"/> removes it (<c>sub/../f</c>, with
/// <c>sub</c> a link to <c>far/a</c>, is <c>far/f</c>). A relative path is taken from the
/// current directory, and what does not exist yet is kept as given after the part that does.
/// Elsewhere the links are followed here as the kernel would, names compared ignoring case.
/// </para>
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
    /// links among its directories followed, then those along the chain of links from it, and
    /// the file it opens at the end.
    /// </summary>
    internal static IReadOnlyList<string> Entries(string path) =>
        PosixPaths.Available ? KernelEntries(path) : TextualEntries(path);

    // Entries as the kernel resolves them: Entry(path), the chain of links from it (each
    // link's target taken from the link's directory), and realpath(path) when it resolves.
    private static List<string> KernelEntries(string path)
    {
        var entries = new List<string>();
        var entry = KernelEntry(path);
        while (entry is not null && entries.Count <= MaxLinks && !entries.Contains(entry, Comparer))
        {
            entries.Add(entry);
            entry = PosixPaths.ReadLink(entry) is { } target
                ? KernelEntry(target.StartsWith('/')
                    ? target
                    : DirectoryPart(entry) + "/" + target)
                : null;
        }

        if (PosixPaths.RealPath(path, out _) is { } final && !entries.Contains(final, Comparer))
        {
            entries.Add(final);
        }

        return entries;
    }

    // The entry that path names, every link among its directories followed by the kernel (the
    // last name's own link is not): realpath of the directory part and the last name. A path
    // that ends in ".", ".." or a separator names the directory it resolves to. Where the
    // directory part does not resolve, the longest part of it that does is resolved and the
    // rest kept as given, with its "." and ".." taken as text: nothing after a name that is
    // not there can be a link.
    private static string? KernelEntry(string path)
    {
        if (path.Length == 0 || path.Contains('\0'))
        {
            return null;
        }

        var name = path[(path.LastIndexOf('/') + 1)..];
        if (name is "" or "." or "..")
        {
            return PosixPaths.RealPath(path, out _) ?? Textual(path);
        }

        var directory = DirectoryPart(path);
        return PosixPaths.RealPath(directory, out _) is { } real
            ? Join(real, name)
            : Textual(path);
    }

    // The path up to its last name, without the separators before that name: "." for a bare
    // name, "/" for a name at the root.
    private static string DirectoryPart(string path)
    {
        var end = path.LastIndexOf('/');
        if (end < 0)
        {
            return ".";
        }

        var directory = path[..end].TrimEnd('/');
        return directory.Length == 0 ? "/" : directory;
    }

    private static string Join(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : directory + "/" + name;

    // The longest leading part of path that the kernel resolves, resolved, and the rest of the
    // names after it, with "." and ".." removed as text from there on.
    private static string? Textual(string path)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var rooted = path.StartsWith('/');
        for (var count = names.Length - 1; count >= 0; count--)
        {
            var head = string.Join('/', names[..count]);
            var start = rooted ? "/" + head : (count == 0 ? "." : head);
            if (PosixPaths.RealPath(start, out _) is not { } real)
            {
                continue;
            }

            var resolved = new List<string>(real.Split('/', StringSplitOptions.RemoveEmptyEntries));
            foreach (var name in names[count..])
            {
                if (name == "..")
                {
                    if (resolved.Count > 0)
                    {
                        resolved.RemoveAt(resolved.Count - 1);
                    }
                }
                else if (name != ".")
                {
                    resolved.Add(name);
                }
            }

            return "/" + string.Join('/', resolved);
        }

        return null;
    }

    // Entries as the links are followed here, where realpath(3) is not called.
    private static List<string> TextualEntries(string path)
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
