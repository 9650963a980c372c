using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.IO;
using System.Linq;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Refuses a path argument whose bytes are not UTF-8. The runtime decodes the command line as
/// UTF-8 and puts U+FFFD, the replacement character, in place of every byte that is not, so
/// such a path names another file than the one given: <c>--out $'o\xfe.json'</c> would write
/// <c>o\xEF\xBF\xBD.json</c> (and replace a file of that name), and <c>--model $'m\xff.json'</c>
/// would not find the file that is there. A path with U+FFFD in it is therefore a bad argument,
/// for every option that names a file or a directory.
/// </summary>
/// <remarks>
/// A name that holds U+FFFD itself, written as valid UTF-8, cannot be told apart from one
/// that was decoded so, and is refused too; such names are made by tools that hit bytes that
/// were not UTF-8 in the first place.
/// </remarks>
internal static class UndecodablePaths
{
    /// <summary>What the runtime puts in place of a byte that is not UTF-8.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>The one line that refuses to run in a directory whose path is not UTF-8.</summary>
    public const string CurrentDirectoryMessage =
        "the current directory's path is not valid UTF-8, so paths relative to it cannot be "
        + "named; run from another directory";

    /// <summary>
    /// Whether the current directory's path, as the runtime decoded it, holds U+FFFD: a byte of
    /// it was not UTF-8, so every relative path would be taken from another directory (the
    /// one of the decoded name, where <c>model.json</c> of <c>cd $'bad\xff'</c> would replace
    /// <c>bad\xEF\xBF\xBD/model.json</c>). False when the directory cannot be told (it has
    /// been removed, say), which <see cref="RelativePaths"/> meets instead.
    /// </summary>
    public static bool CurrentDirectoryUndecodable()
    {
        try
        {
            return Environment.CurrentDirectory.Contains(Replacement);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Adds the check to every option of <paramref name="root"/> and of the commands under it
    /// that names a file or a directory (those whose help name is FILE or DIR): a value with
    /// U+FFFD in it is the parse error "NAME: the path is not valid UTF-8 and cannot be named,
    /// got 'TOKEN'".
    /// </summary>
    public static void RefuseIn(Command root)
    {
        foreach (var command in WithSubcommands(root))
        {
            foreach (var option in command.Options.Where(o => o.HelpName is "FILE" or "DIR"))
            {
                option.Validators.Add(result => Check(option.Name, result));
            }
        }
    }

    private static void Check(string name, OptionResult result)
    {
        if (result.Tokens is [.., var last] && last.Value.Contains(Replacement))
        {
            result.AddError(
                $"{name}: the path is not valid UTF-8 and cannot be named, got '{last.Value}'");
        }
    }

    private static IEnumerable<Command> WithSubcommands(Command command) =>
        command.Subcommands.SelectMany(WithSubcommands).Prepend(command);
}
