using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Linq;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// The root command of one run, which keeps the words of the command line it parses, so that
/// an option's parser can tell a value joined to its option (<c>--out=--json</c> or
/// <c>--out:--json</c>) from one given as the next word (<c>--out --json</c>): the parser
/// splits the joined word into the same two tokens. An empty value so joined
/// (<c>--out=</c>) is given to the parser as its own word (see <see cref="WithEmptyValues"/>).
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
    /// The words to parse again when <paramref name="parse"/>, the parse of
    /// <paramref name="words"/>, met an option of its command joined to an empty value
    /// (<c>--out=</c>, <c>--hidden:</c>): the same words with each such one split into the
    /// option and an empty word, as <c>--out ''</c> gives them. Null when there is none.
    /// </summary>
    /// <remarks>
    /// The parser splits <c>--out=x</c> into the option and its value, but drops an empty
    /// value, leaving the option alone: it then took the next word as its value
    /// (<c>--out= m.json</c>) or found it missing, and <c>--hidden=</c>, which should mean no
    /// hidden layer, gave the default. Words after <c>--</c> are not options and stay.
    /// </remarks>
    public static IReadOnlyList<string>? WithEmptyValues(
        ParseResult parse, IReadOnlyList<string> words)
    {
        var names = InScope(parse.CommandResult)
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .ToHashSet(StringComparer.Ordinal);
        var end = words.ToList().IndexOf("--");
        var given = end < 0 ? words : words.Take(end).ToList();
        if (!given.Any(word => EmptyJoined(word, names)))
        {
            return null;
        }

        return given
            .SelectMany(word => EmptyJoined(word, names)
                ? new[] { word[..^1], string.Empty }
                : [word])
            .Concat(words.Skip(given.Count))
            .ToList();
    }

    /// <summary>
    /// The options that <paramref name="command"/> takes: its own, and those of the commands
    /// above it that every command below has (<c>--debug</c>, <c>--backend</c>, the help).
    /// </summary>
    public static IEnumerable<Option> InScope(CommandResult command)
    {
        var options = new List<Option>(command.Command.Options);
        for (var at = command.Parent; at is CommandResult above; at = above.Parent)
        {
            options.AddRange(above.Command.Options.Where(o => o.Recursive));
        }

        return options;
    }

    /// <summary>
    /// The error for an on/off option given a value, joined (<c>--json=yes</c>,
    /// <c>--json:</c>) or as the next word (<c>--json true</c>), which the parser would take
    /// as true/false or leave over as a stray word; null when there is none. The help and
    /// version options take no value either (<c>--help=foo</c>, <c>-h=1</c>,
    /// <c>--version=1</c>), which the parser would let through.
    /// </summary>
    public static string? FlagWithValue(ParseResult parse, IReadOnlyList<string> words)
    {
        var flags = InScope(parse.CommandResult)
            .Where(o => o is Option<bool> or HelpOption or VersionOption)
            .ToList();
        var end = words.ToList().IndexOf("--");
        foreach (var word in end < 0 ? words : words.Take(end))
        {
            var at = word.IndexOfAny(['=', ':']);
            if (at > 0 && flags.Any(f => f.Aliases.Prepend(f.Name).Contains(word[..at])))
            {
                return $"{word[..at]} takes no value, got '{word[(at + 1)..]}'";
            }
        }

        return flags
            .Select(f => parse.GetResult(f))
            .OfType<OptionResult>()
            .Where(r => r.Tokens.Count > 0)
            .Select(r => $"{r.IdentifierToken?.Value ?? r.Option.Name} takes no value, got "
                + $"'{r.Tokens[0].Value}'")
            .FirstOrDefault();
    }

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

    // Whether the word is an option's name with '=' or ':' and nothing after: the parser
    // splits a word at the first of the two, and no option's name holds either.
    private static bool EmptyJoined(string word, ISet<string> names) =>
        word.IndexOfAny(['=', ':']) is var at && at > 0 && at == word.Length - 1
        && names.Contains(word[..at]);
}
