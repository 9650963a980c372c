using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Linq;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// The root command of one run, which keeps the words of the command line it parses, so that
/// an option's parser can tell a value joined to its option (<c>--out=--json</c> or
/// <c>--out:--json</c>) from one given as the next word (<c>--out --json</c>): the parser
/// splits the joined word into the same two tokens.
/// </summary>
/// <param name="description">What the program does, for the help.</param>
/// <param name="words">The arguments as given, after the program's name.</param>
internal sealed class CommandLineRoot(string description, IReadOnlyList<string> words)
    : RootCommand(description)
{
    /// <summary>
    /// Whether <paramref name="value"/> was given in one word with <paramref name="option"/>,
    /// after an '=' or a ':' (the parser splits such a word at the first of the two; no name
    /// of an option holds either).
    /// </summary>
    public bool Joined(Option option, string value) =>
        option.Aliases.Prepend(option.Name).Any(name =>
            words.Contains($"{name}={value}", StringComparer.Ordinal)
            || words.Contains($"{name}:{value}", StringComparer.Ordinal));

    /// <summary>
    /// The root of the parse that <paramref name="result"/> belongs to, when it is one of
    /// these; null otherwise.
    /// </summary>
    public static CommandLineRoot? Of(SymbolResult result)
    {
        var top = result;
        while (top.Parent is { } parent)
        {
            top = parent;
        }

        return (top as CommandResult)?.Command as CommandLineRoot;
    }
}
