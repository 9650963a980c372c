using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Replaces a file all at once: the new bytes go to a temporary file in the same directory,
/// are flushed to disk, and the temporary file is then renamed over the target. A reader sees
/// the old file or the new one, never a mixture, and a failure leaves the old file as it was
/// and no temporary file behind.
/// </summary>
/// <remarks>
/// The temporary file's name is hidden and of a fixed length (<see cref="Temporary"/>), not
/// made from the target's, so that any name the file system takes can be written, up to its
/// limit (255 bytes on Linux's file systems). A symbolic link at the target is replaced by the
/// file, whether or not it leads anywhere; its target is left alone. A link into the kernel's
/// own file systems, such as /dev/stdout, is refused instead (see <see cref="KernelLink"/>).
/// Each write holds its directory open (<see cref="DirectoryHandle"/>) and makes, renames and
/// removes its files through it, so that a directory moved away during the write, and another
/// put in its place, takes the whole write with it rather than keep half of it; a
/// <see cref="Save"/> holds its directories from its first step, before its content is made.
/// Writes hold one lock from the first byte to the last rename (from the first step of a
/// <see cref="Save"/>), so that <see cref="WaitForWrites"/>, called when the process is told to
/// stop, lets a save finish rather than leave its temporary file behind.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>
    /// The code of an error from <see cref="WriteAll"/> after which a file of the group was
    /// left written, as its message says: the group is not "none written".
    /// </summary>
    public const int PartlyWritten = 0x0B7A;

    private static readonly object Gate = new();

    /// <summary>
    /// Called with the temporary file's path once its bytes are on disk, before the rename;
    /// for tests that look at a write in progress. Null otherwise.
    /// </summary>
    internal static Action<string>? Written { get; set; }

    /// <summary>
    /// Called with the paths of a <see cref="Save"/> as it begins, before its content is made;
    /// for tests that stop a save in progress. Null otherwise.
    /// </summary>
    internal static Action<string>? Saving { get; set; }

    /// <summary>
    /// Whether a stop signal's handler has begun, so that no write may begin: by default the
    /// process's handler's (<see cref="StopSignals.Current"/>); tests set another. Asked under
    /// the lock as each outermost write begins.
    /// </summary>
    internal static Func<bool> StopBegun { get; set; } = StopSignals.Stopping;

    /// <summary>
    /// Called with the target of a group write's file as it is put back after a later file of
    /// the group failed; for tests, which make it fail by throwing an <see cref="IOException"/>.
    /// Null otherwise.
    /// </summary>
    internal static Action<string>? Restoring { get; set; }

    // The target of the write under way, or null; read without the lock by WaitForWrites.
    private static volatile string? writing;

    // The directories the save under way took hold of as it began, by their full paths, or
    // null outside a save; used under the lock only.
    private static Dictionary<string, DirectoryHandle>? holding;

    // The directories that the last outermost write held and that their paths no longer led to
    // when it ended (moved or replaced during it), by full path, with the targets' directories
    // as the targets name them; empty when none was, or the write was not a Save.
    private static Dictionary<string, string> moved = [];

    // Why the last write that finished failed (null when it did not), and the targets of the
    // last that did not.
    private static string? failure;
    private static string? lastWritten;

    /// <summary>
    /// The targets of the last write of this process that succeeded, as the write named them
    /// (several joined by ", "), or null when none has; set by tests, to start afresh.
    /// </summary>
    public static string? LastWritten
    {
        get
        {
            lock (Gate)
            {
                return lastWritten;
            }
        }

        internal set
        {
            lock (Gate)
            {
                lastWritten = value;
            }
        }
    }

    /// <summary>
    /// Why the last write of this process to finish failed, its error line without "error: ";
    /// null when it succeeded, or none has finished.
    /// </summary>
    public static string? LastFailure
    {
        get
        {
            lock (Gate)
            {
                return failure;
            }
        }
    }

    /// <summary>
    /// Returns once no write is in progress: a write under way finishes first, whole, with its
    /// temporary file renamed or deleted. For a signal handler that is about to let the process
    /// end.
    /// </summary>
    /// <returns>The path of the write it waited for, or null when none was under way.</returns>
    public static string? WaitForWrites()
    {
        var waited = writing;
        lock (Gate)
        {
        }

        return waited;
    }

    /// <summary>
    /// Runs <paramref name="save"/>, which makes the content of <paramref name="targets"/> and
    /// writes it with this class, as one write: a stop signal from its first step to its last
    /// waits for all of it (<see cref="WaitForWrites"/>), not only for the bytes going to disk.
    /// The targets' directories are held from its first step (<see cref="DirectoryHandle"/>), so
    /// that a directory moved while the content is made, before any file of the save exists,
    /// takes the whole save with it too.
    /// </summary>
    /// <param name="targets">The files the save writes, which the <c>stopped:</c> line
    /// names.</param>
    /// <param name="save">Makes the content and writes it.</param>
    /// <param name="held">The first target's directory, held open already (the checkpoint
    /// directory a run holds), for the save to go through; null to open it as the save
    /// begins.</param>
    public static Fin<Unit> Save(
        IReadOnlyList<string> targets, Func<Fin<Unit>> save, DirectoryHandle? held = null)
    {
        var paths = string.Join(", ", targets);
        lock (Gate)
        {
            if (!StopBegunFirst())
            {
                var outer = Begin(paths);
                var (before, opened) = (holding, Hold(targets, held));
                try
                {
                    Saving?.Invoke(paths);
                    var result = save();
                    moved = outer is null && result.IsSucc ? MovedSince(targets) : moved;
                    return End(outer, paths, result);
                }
                finally
                {
                    holding = before;
                    opened.ForEach(h => h.Dispose());
                    writing = outer;
                }
            }
        }

        return NotBegun();
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The target, in a directory that exists; a file there is replaced.</param>
    /// <param name="content">The whole new content of the file.</param>
    public static Fin<Unit> Write(string path, ReadOnlySpan<byte> content)
    {
        lock (Gate)
        {
            if (!StopBegunFirst())
            {
                var outer = Begin(path);
                try
                {
                    return End(outer, path, WriteAlone(path, content));
                }
                finally
                {
                    writing = outer;
                }
            }
        }

        return NotBegun();
    }

    /// <summary>
    /// Writes several files so that either all of them are replaced or none is: every content
    /// goes to its temporary file first, and only when all are written are they renamed.
    /// </summary>
    /// <returns>Unit, or the error of the file that failed; its code is
    /// <see cref="PartlyWritten"/> when a file renamed before it could not be put back.</returns>
    public static Fin<Unit> WriteAll(params (string Path, byte[] Content)[] files)
    {
        lock (Gate)
        {
            if (!StopBegunFirst())
            {
                var paths = string.Join(", ", files.Select(f => f.Path));
                var outer = Begin(paths);
                try
                {
                    return End(outer, paths, WriteAllAlone(files));
                }
                finally
                {
                    writing = outer;
                }
            }
        }

        return NotBegun();
    }

    // Under the lock: whether a stop signal's handler began before this write, which is then
    // not to begin. A write within a save under way goes on: the stop waits for all of it.
    private static bool StopBegunFirst() => writing is null && StopBegun();

    // A write that a stop came before: it waits for the process to end, as the command does
    // after its last file (StopSignals.Finish), so that nothing is written after the stopped:
    // line is made; with no handler stopping the process (a test's), it fails instead.
    private static Fin<Unit> NotBegun()
    {
        StopSignals.Finish();
        return Error.New("a stop signal came before it began");
    }

    // A write begins: under the lock, it is the one under way, and, if it is the outermost,
    // counts as failed until it ends.
    private static string? Begin(string paths)
    {
        var outer = writing;
        writing = paths;
        if (outer is null)
        {
            failure = "it did not finish";
            moved = [];
        }

        return outer;
    }

    // The outermost write ends: its outcome is what a stop that waited for it reports.
    private static Fin<Unit> End(string? outer, string paths, Fin<Unit> result)
    {
        if (outer is null)
        {
            failure = result.Match(Succ: _ => (string?)null, Fail: e => e.Message);
            lastWritten = result.IsSucc ? paths : lastWritten;
        }

        return result;
    }

    /// <summary>
    /// For a line that says the last write is done: ", in what was the directory o as the save
    /// began (moved or replaced during it)" when a directory of its targets (of
    /// <paramref name="target"/> alone, when given) was moved or replaced during it; empty
    /// otherwise.
    /// </summary>
    public static string MovedClause(string? target = null)
    {
        lock (Gate)
        {
            var names = moved
                .Where(d => target is null || DirectoryOf(target) == d.Key)
                .Select(d => d.Value)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return names.Count == 0
                ? string.Empty
                : $", in what was {string.Join(" and ", names)} as the save began (moved or "
                    + "replaced during it)";
        }
    }

    // Under the lock, at the end of a save: the directories it holds that their paths no
    // longer lead to, each with its name as the targets give it.
    private static Dictionary<string, string> MovedSince(IReadOnlyList<string> targets) =>
        (holding ?? []).Where(held => PosixPaths.Identity(held.Value) is not { } identity
                || PosixPaths.Identity(held.Key) != identity)
            .ToDictionary(
                held => held.Key,
                held => Named(targets.First(t => DirectoryOf(t) == held.Key)),
                StringComparer.Ordinal);

    // The directory of a target as the target names it.
    private static string Named(string target) =>
        Path.GetDirectoryName(target) is { Length: > 0 } directory
            ? $"the directory {directory}"
            : "the current directory";

    // Holds the directory of each target for the save that begins: held for the first, when
    // given, and one opened here for each other directory (null where none can be), for the
    // writes of the save to find (Holding); returns those opened, for the save to close.
    private static List<DirectoryHandle> Hold(IReadOnlyList<string> targets, DirectoryHandle? held)
    {
        var opened = new List<DirectoryHandle>();
        holding = new Dictionary<string, DirectoryHandle>(holding ?? [], StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            if (DirectoryOf(targets[i]) is not { } directory || holding.ContainsKey(directory))
            {
                continue;
            }

            var handle = i == 0 && held?.Through is not null
                ? held
                : DirectoryHandle.Open(directory);
            if (handle is not null)
            {
                holding[directory] = handle;
                opened.AddRange(handle == held ? [] : [handle]);
            }
        }

        return opened;
    }

    // The full path of the directory of path, or null when it cannot be made (a relative path
    // once the current directory is removed, say): the write says why.
    private static string? DirectoryOf(string path)
    {
        try
        {
            return Path.GetDirectoryName(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            return null;
        }
    }

    // The handle the save under way took of directory as it began, or null when there is none.
    private static DirectoryHandle? Holding(string directory) =>
        holding is { } all && all.TryGetValue(directory, out var handle) ? handle : null;

    private static Fin<Unit> WriteAlone(string path, ReadOnlySpan<byte> content)
    {
        if (Place(path, out var full, out var directory) is { } missing)
        {
            return missing;
        }

        if (Special(path, full) is { } special)
        {
            return special;
        }

        using var opened = Holding(directory) is null ? DirectoryHandle.Open(directory) : null;
        var through = (Holding(directory) ?? opened)?.Through ?? directory;
        var (hidden, target) = (Temporary(through, ".tmp"), Beside(through, full));
        var made = false;
        try
        {
            using (var stream = new FileStream(
                hidden, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                made = true;
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            Written?.Invoke(Beside(directory, hidden));
            File.Move(hidden, target, overwrite: true);
            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(hidden);
            return Error.New(Directory.Exists(target)
                ? $"cannot write {path}: it is a directory"
                : $"cannot write {path}: {Reason(e, hidden, target, full, path, made)}");
        }
    }

    /// <summary>
    /// Whether a file can be written at <paramref name="path"/> now: a temporary file is created
    /// in its directory and deleted again, so that a run that would fail to save its results
    /// fails before the work, not after it.
    /// </summary>
    public static Fin<Unit> CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Special(path, full) is { } special)
        {
            return special;
        }

        var directory = Path.GetDirectoryName(full) ?? full;
        var probe = Temporary(directory, ".tmp");
        var made = false;
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                made = true;
            }

            File.Delete(probe);

            // A file already there must be replaceable too: an immutable or read-only one is
            // found here, opened for writing and left as it was, not after the run. A link
            // that leads to nothing has nothing to open: the rename replaces the link.
            if (File.Exists(full) && Data.FileKind.BrokenLink(full) is null)
            {
                using (new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                }
            }

            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(probe);
            return Error.New(
                $"cannot write {path}: {Reason(e, probe, full, full, path, made)}");
        }
    }

    private static Fin<Unit> WriteAllAlone((string Path, byte[] Content)[] files)
    {
        var fulls = new string[files.Length];
        var directories = new string[files.Length];
        for (var i = 0; i < files.Length; i++)
        {
            if (Place(files[i].Path, out fulls[i], out directories[i]) is { } missing)
            {
                return missing;
            }
        }

        if (files.Select((f, i) => Special(f.Path, fulls[i]))
            .FirstOrDefault(e => e is not null) is { } special)
        {
            return special;
        }

        var handles = directories
            .Select(d => Holding(d) is null ? DirectoryHandle.Open(d) : null)
            .ToArray();
        try
        {
            var throughs = handles
                .Select((h, i) => (Holding(directories[i]) ?? h)?.Through ?? directories[i])
                .ToArray();
            return WriteAllThrough(files, fulls, directories, throughs);
        }
        finally
        {
            System.Array.ForEach(handles, h => h?.Dispose());
        }
    }

    // The group write, each file's calls going through its directory's path in throughs.
    private static Fin<Unit> WriteAllThrough(
        (string Path, byte[] Content)[] files,
        string[] fulls,
        string[] directories,
        string[] throughs)
    {
        var written = new List<(string Temporary, string Target, string Full)>();
        for (var i = 0; i < files.Length; i++)
        {
            var (path, content, full) = (files[i].Path, files[i].Content, fulls[i]);
            var (temporary, target) = (Temporary(throughs[i], ".tmp"), Beside(throughs[i], full));
            var made = false;
            try
            {
                using var stream = new FileStream(
                    temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                made = true;
                stream.Write(content);
                stream.Flush(flushToDisk: true);
                written.Add((temporary, target, full));
                Written?.Invoke(Beside(directories[i], temporary));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                written.ForEach(w => TryDelete(w.Temporary));
                return Error.New(
                    $"cannot write {path}: {Reason(e, temporary, target, full, path, made)}");
            }
        }

        // Each file that is replaced is first kept under a hidden name, so that a rename that
        // fails part-way can put back the ones before it: all or none, as promised. A symbolic
        // link is kept as a link (to the same target), not as a copy of what it leads to, and
        // so is one that leads to a directory, which File.Exists does not see.
        var placed = new List<(string Target, string Full, string Path, string? Kept)>();
        for (var k = 0; k < written.Count; k++)
        {
            var (temporary, target, full) = written[k];
            string? kept = null;
            try
            {
                if (File.Exists(target) || Data.PosixPaths.IsLink(target))
                {
                    kept = Temporary(Path.GetDirectoryName(target) ?? target, ".old");
                    if (new FileInfo(target).LinkTarget is { } link)
                    {
                        File.CreateSymbolicLink(kept, link);
                    }
                    else
                    {
                        File.Copy(target, kept);
                    }
                }

                File.Move(temporary, target, overwrite: true);
                placed.Add((target, full, files[k].Path, kept));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (kept is not null)
                {
                    TryDelete(kept);
                }

                var left = placed
                    .Select(p => Restore(p.Target, p.Full, p.Path, p.Kept))
                    .Where(l => l is not null)
                    .ToList();
                written.Skip(k).ToList().ForEach(w => TryDelete(w.Temporary));
                var message = Directory.Exists(target)
                    ? $"cannot write {files[k].Path}: it is a directory"
                    : $"cannot write {files[k].Path}: "
                        + Reason(e, temporary, target, full, files[k].Path);
                return left.Count == 0
                    ? Error.New(message)
                    : Error.New(PartlyWritten, $"{message}; {string.Join("; ", left)}");
            }
        }

        placed.ForEach(p =>
        {
            if (p.Kept is not null)
            {
                TryDelete(p.Kept);
            }
        });
        return unit;
    }

    // The absolute path of a file to write and its directory, or why it cannot be written
    // there: the directory does not exist (removed since the command checked it, say), or the
    // path cannot be made absolute (a relative one, once the current directory is removed).
    private static Error? Place(string path, out string full, out string directory)
    {
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            (full, directory) = (path, path);
            return Error.New($"cannot write {path}: {Shell.ExceptionMessage.Of(e)}");
        }

        // A directory the save under way holds is reached through its handle, wherever it is.
        directory = Path.GetDirectoryName(full) ?? full;
        return Holding(directory) is not null || Directory.Exists(directory)
            ? null
            : Error.New($"cannot write {path}: {NoDirectory(directory, path)}");
    }

    // What stands where the directory of the file at path should be, directory as the file
    // system reaches it: nothing, or a file put in its place.
    private static string NoDirectory(string directory, string path) =>
        File.Exists(directory)
            ? $"{DirectoryAsGiven(path)} is a file now, not a directory"
            : $"{Shell.Printable.Line(Named(path))} does not exist";

    // The directory of the file at path, spelt as path spells it (in one line), as every line
    // names a path as it was given: "run" for run/checkpoint.json, "." for a bare name.
    private static string DirectoryAsGiven(string path) =>
        Shell.Printable.Line(Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".");

    /// <summary>
    /// A new name for a temporary file in <paramref name="directory"/>, ending in
    /// <paramref name="suffix"/>: hidden (it starts with a dot), unique, so that two writers
    /// never share one, and 26 bytes long whatever the target's name, so that a target whose
    /// name is as long as the file system allows can still be written.
    /// </summary>
    internal static string Temporary(string directory, string suffix) =>
        Path.Combine(directory, $".backprop-{Path.GetRandomFileName()}{suffix}");

    // A device, named pipe or socket under the target's name is refused before anything opens
    // it: opening a pipe to write waits for a reader, the backup of a device such as /dev/zero
    // never ends, and the rename would put a regular file in the device's place. A link that
    // leads to nothing is no such thing: it is replaced, as any link is, unless it leads into
    // the kernel's own file systems, as /dev/stdout does (see KernelLink).
    private static Error? Special(string path, string full)
    {
        var kind = Data.FileKind.NotRegular(full);
        if (kind is not (null or "a directory") && Data.FileKind.BrokenLink(full) is null)
        {
            return Error.New($"cannot write {path}: it is {kind}");
        }

        return KernelLink.Reason(full) is { } link
            ? Error.New($"cannot write {path}: {link}")
            : null;
    }

    // Puts back the file a failed group write replaced, or removes the one it created: null
    // when done, else what was left, in words, naming the file by path, as it was given.
    private static string? Restore(string target, string full, string path, string? kept)
    {
        try
        {
            Restoring?.Invoke(full);
            if (kept is null)
            {
                File.Delete(target);
            }
            else if (Data.PosixPaths.IsLink(kept))
            {
                if (!Data.PosixPaths.Rename(kept, target))
                {
                    throw new IOException("the link could not be renamed back");
                }
            }
            else
            {
                File.Move(kept, target, overwrite: true);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The kept copy stays under its hidden name beside the target: not lost.
            var printable = Shell.Printable.Line(path);
            return kept is null
                ? $"{printable} was written and could not be removed again"
                : $"{printable} was replaced and could not be put back; the file it replaced is "
                    + Shell.Printable.Line(Beside(Path.GetDirectoryName(path) ?? path, kept));
        }
    }

    /// <summary>
    /// What went wrong, from <paramref name="e"/>'s message, with the temporary file's name
    /// replaced by the file's own, and without the runtime's trailing " : 'PATH'" (the caller's
    /// line names the file already), on one line (control characters escaped); "file name too
    /// long" when the file system finds a name in the path too long, as the runtime's message
    /// would repeat the whole path, and "the directory DIR does not exist" when the file's
    /// directory has gone.
    /// </summary>
    internal static string Reason(Exception e, string temporary, string full) =>
        Reason(e, temporary, full, full, full);

    // As Reason(e, temporary, full), for a failure while the file at temporary was being made
    // (made false) or after, in a write whose calls went to temporary and then target, through
    // its held directory (/proc/self/fd/N), for the file at full, given as path: a directory
    // that makes no new file is said to be one (see NewFileRefusal.In), and one removed during
    // the write and made again is said to be so (see Removed).
    private static string Reason(
        Exception e, string temporary, string target, string full, string path, bool made) =>
        Removed(e, target, full, path)
        ?? (made
            ? null
            : NewFileRefusal.In(Path.GetDirectoryName(full), e, DirectoryAsGiven(path)))
        ?? Reason(e, temporary, target, full, path);

    // Every path in the line is named as path names it, the file as the caller gave it.
    private static string Reason(
        Exception e, string temporary, string target, string full, string path)
    {
        if (e is PathTooLongException)
        {
            return "file name too long";
        }

        // The directory removed while the file was written (or since the command checked it):
        // the runtime's words would be "Could not find a part of the path" or, for the rename
        // of a temporary file removed with it, "Could not find file".
        if (e is FileNotFoundException or DirectoryNotFoundException
            && Path.GetDirectoryName(full) is { } directory && !Directory.Exists(directory))
        {
            return NoDirectory(directory, path);
        }

        if (Removed(e, target, full, path) is { } removed)
        {
            return removed;
        }

        var message = e.Message;
        foreach (var named in new[] { temporary, target, full })
        {
            var suffix = $" : '{named}'";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return Shell.Printable.Line(message
            .Replace(temporary, path, StringComparison.Ordinal)
            .Replace(target, path, StringComparison.Ordinal)
            .Replace(full, path, StringComparison.Ordinal));
    }

    // A write through its held directory that finds a file or directory missing, where the
    // path names another directory now: the one held was removed during the write, and another
    // put in its place. Null otherwise (what stands there when it is not a directory is told
    // by NoDirectory).
    private static string? Removed(Exception e, string target, string full, string path)
    {
        if (target == full
            || e is not (FileNotFoundException or DirectoryNotFoundException)
            || Path.GetDirectoryName(full) is not { } directory
            || !Directory.Exists(directory)
            || Path.GetDirectoryName(target) is not { } through
            || Data.PosixPaths.Identity(directory) is not { } now
            || now == Data.PosixPaths.Identity(through))
        {
            return null;
        }

        return $"{Shell.Printable.Line(Named(path))} was removed during the write, and another "
            + "put in its place";
    }

    // The file of path's name (a temporary file's, or a target's) in directory.
    private static string Beside(string directory, string path) =>
        Path.Combine(directory, Path.GetFileName(path));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done: the write has failed already and says so.
        }
    }
}
