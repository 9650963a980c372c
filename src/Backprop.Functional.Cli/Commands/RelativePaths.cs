using System.CommandLine;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Refuses a relative path when the current directory has been removed (see
/// <see cref="CurrentDirectory"/>): there is no directory left for it to be relative to, and
/// the runtime's "Unable to find the specified file" would name no file. A command whose paths
/// are all absolute (or that names none) runs there as anywhere.
/// </summary>
internal static class RelativePaths
{
    /// <summary>
    /// When the current directory has been removed, the refusal of the first option of the
    /// chosen command that names a file or a directory (those whose help name is FILE or DIR)
    /// with a relative path, as given or by default, as "NAME names a path relative to the
    /// current directory, which no longer exists, got 'PATH'; give an absolute path or run
    /// from another directory"; else null.
    /// </summary>
    public static string? WhereCurrentDirectoryRemoved(ParseResult parse)
    {
        var paths = parse.CommandResult.Command.Options
            .OfType<Option<string?>>()
            .Where(option => option.HelpName is "FILE" or "DIR");
        foreach (var option in paths)
        {
            if (parse.GetValue(option) is { } path && !Path.IsPathRooted(path)
                && CurrentDirectory.Removed())
            {
                return $"{option.Name} names a path relative to the current directory, which no "
                    + $"longer exists, got '{path}'; give an absolute path or run from another "
                    + "directory";
            }
        }

        return null;
    }
}
