using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Checks the paths that commands write to before any work is done, so that a run is not
/// wasted on a file it cannot write. Each problem is a <see cref="CommandFailure.Usage"/>
/// (exit code 2) that names the option and the path as given.
/// </summary>
internal static class OutputPaths
{
    /// <summary>What a directory made where --data reads a file does, to follow "; ".</summary>
    public const string BreaksData =
        "a directory there would break every later read of --data";

    /// <summary>
    /// Throws unless <paramref name="path"/> can name a file to write: not a directory, in a
    /// directory that exists (with no file on the way to it) and that can be written to.
    /// </summary>
    public static void CheckFile(string option, string path)
    {
        // A last part of '.' or '..' names a directory: 'x.json/.' is the directory x.json,
        // which .NET would shorten to the file x.json.
        if (Directory.Exists(path) || Path.GetFileName(path) is "." or "..")
        {
            throw CommandFailure.Usage($"{option} must name a file, got '{path}'");
        }

        CheckNoFileAbove(option, "a file", path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw CommandFailure.Usage(
                $"{option} names a file in a directory that does not exist, got '{path}'");
        }

        AtomicFile.CheckWritable(path)
            .IfFail(e => throw CommandFailure.Usage($"{option}: {e.Message}"));
    }

    /// <summary>
    /// Throws when <paramref name="path"/>, a directory to write into, is a file or lies under
    /// one, so it could neither be used nor be made.
    /// </summary>
    public static void CheckDirectory(string option, string path)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(path);
        if (File.Exists(trimmed))
        {
            // A file, a named pipe, a device or a link that leads to nothing is no directory
            // and cannot be made one; the message says which.
            var what = FileKind.Of(trimmed) ?? "a file";
            throw CommandFailure.Usage(
                $"{option} must name a directory, got '{path}', which is {what}");
        }

        CheckNoFileAbove(option, "a directory", path);
    }

    /// <summary>
    /// Throws unless the files named <paramref name="names"/> can be written into
    /// <paramref name="path"/>, a directory that is made (with the directories above it) if it
    /// is not there: as <see cref="CheckDirectory"/>, and then each file must be writable where
    /// the directory exists, or the first directory to be made must be creatable in the
    /// nearest one that exists. Nothing is left behind.
    /// </summary>
    public static void CheckDirectoryFor(string option, string path, IEnumerable<string> names)
    {
        CheckDirectory(option, path);
        if (Directory.Exists(path))
        {
            foreach (var file in names.Select(name => Path.Combine(path, name)))
            {
                if (Directory.Exists(file))
                {
                    throw CommandFailure.Usage($"{option}: cannot write {file}: it is a directory");
                }

                AtomicFile.CheckWritable(file)
                    .IfFail(e => throw CommandFailure.Usage($"{option}: {e.Message}"));
            }

            return;
        }

        // The first directory to be made, probed as a file in the one above it that exists.
        var first = Path.GetFullPath(path);
        while (Path.GetDirectoryName(first) is { } above && !Directory.Exists(above))
        {
            first = above;
        }

        AtomicFile.CheckWritable(first)
            .IfFail(e => throw CommandFailure.Usage($"{option}: {e.Message}"));
    }

    /// <summary>
    /// The files that reading <paramref name="directory"/> as <c>--data</c> may open, each as
    /// "a data file of --data" with its path: the four IDX files under their plain and .gz
    /// names, and the list of class names, whether they are there or not.
    /// </summary>
    public static IEnumerable<(string What, string Path)> DataFiles(string directory) =>
        DataSets.StandardNames
            .SelectMany(name => new[] { name, name + ".gz" })
            .Append(ClassNames.FileName)
            .Select(name => ("a data file of --data", Path.Combine(directory, name)));

    /// <summary>
    /// Throws when one of <paramref name="outputs"/> names the same file as one of
    /// <paramref name="inputs"/> (see <see cref="PathIdentity.Same"/>: with symbolic links
    /// followed, whether the files exist yet or not), as "WHAT names OTHER, 'PATH'; writing
    /// there would replace it", WHAT and OTHER being the first items of the pairs and PATH the
    /// input's path: an output written there would lose the input. For outputs that are
    /// directories to be made, <paramref name="consequence"/> says what instead follows the
    /// semicolon.
    /// </summary>
    public static void CheckNoOverlap(
        IEnumerable<(string What, string Path)> outputs,
        IEnumerable<(string What, string Path)> inputs,
        string consequence = "writing there would replace it")
    {
        var read = inputs.ToList();
        foreach (var (what, path) in outputs)
        {
            foreach (var (other, otherPath) in read)
            {
                if (PathIdentity.Same(path, otherPath))
                {
                    throw CommandFailure.Usage(
                        $"{what} names {other}, '{otherPath}'; {consequence}");
                }
            }
        }
    }

    // A file where a directory of the path should be: without this check it would be taken
    // for a directory that does not exist. A named pipe or a device is named as what it is.
    private static void CheckNoFileAbove(string option, string what, string path)
    {
        if (FileAbove(path) is { } file)
        {
            throw CommandFailure.Usage(
                $"{option} names {what} under '{file}', which is "
                + $"{FileKind.Of(file) ?? "a file"}, not a directory, got '{path}'");
        }
    }

    // The nearest ancestor of the path, as it was given, that exists, when that is a file.
    private static string? FileAbove(string path)
    {
        for (var above = Path.GetDirectoryName(path);
            !string.IsNullOrEmpty(above);
            above = Path.GetDirectoryName(above))
        {
            if (File.Exists(above))
            {
                return above;
            }

            if (Directory.Exists(above))
            {
                return null;
            }
        }

        return null;
    }
}
