using System.IO;
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
    /// <summary>
    /// Throws unless <paramref name="path"/> can name a file to write: not a directory, in a
    /// directory that exists (with no file on the way to it) and that can be written to.
    /// </summary>
    public static void CheckFile(string option, string path)
    {
        if (Directory.Exists(path))
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
        if (File.Exists(Path.TrimEndingDirectorySeparator(path)))
        {
            throw CommandFailure.Usage($"{option} must name a directory, got '{path}'");
        }

        CheckNoFileAbove(option, "a directory", path);
    }

    // A file where a directory of the path should be: without this check it would be taken
    // for a directory that does not exist.
    private static void CheckNoFileAbove(string option, string what, string path)
    {
        if (FileAbove(path) is { } file)
        {
            throw CommandFailure.Usage(
                $"{option} names {what} under '{file}', which is a file, not a directory, got "
                + $"'{path}'");
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
