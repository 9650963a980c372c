using System;
using System.IO;
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
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The target, in a directory that exists; a file there is replaced.</param>
    /// <param name="content">The whole new content of the file.</param>
    public static Fin<Unit> Write(string path, ReadOnlySpan<byte> content)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            return Error.New($"cannot write {path}: {e.Message}");
        }

        var directory = Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(directory))
        {
            return Error.New($"cannot write {path}: the directory {directory} does not exist");
        }

        // Hidden and unique, so that two writers never share one and a listing hides it.
        var temporary = Path.Combine(
            directory, $".{Path.GetFileName(full)}.{Path.GetRandomFileName()}.tmp");
        try
        {
            using (var stream = new FileStream(
                temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return Error.New(Directory.Exists(full)
                ? $"cannot write {path}: it is a directory"
                : $"cannot write {path}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

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
