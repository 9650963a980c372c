using System;
using System.IO;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// A current directory that has been removed (the command run from a shell whose directory
/// another one deleted): the runtime can no longer tell its path, so every relative path, the
/// default <c>model.json</c> among them, fails with "Unable to find the specified file", which
/// names no file. A command given a relative path there is refused before it starts (see
/// <see cref="Commands.RelativePaths"/>), and one met after the directory went while the
/// command ran is said to be relative to a directory that no longer exists.
/// </summary>
internal static class CurrentDirectory
{
    /// <summary>What has gone, for a message about a path that needed it.</summary>
    public const string Gone = "the current directory no longer exists";

    /// <summary>
    /// Whether the current directory has been removed: asking for its path fails with ENOENT,
    /// which the runtime throws as a <see cref="FileNotFoundException"/> that names no file.
    /// </summary>
    public static bool Removed()
    {
        try
        {
            _ = Environment.CurrentDirectory;
            return false;
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is the failure to find the current directory's path, as
    /// the runtime throws it for a relative path once the directory has been removed.
    /// </summary>
    public static bool IsRemoval(Exception e) =>
        e is FileNotFoundException { FileName: null } && Removed();
}
