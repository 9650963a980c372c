using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Linq;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// The root <c>backprop</c> command: parses the arguments, runs the chosen command, and turns
/// every failure into one <c>error:</c> line on stderr and an exit code.
/// </summary>
internal static class BackpropCommand
{
    /// <summary>The flag that adds stack traces to errors, for developers.</summary>
    public const string DebugFlag = "--debug";

    /// <summary>Parses and runs <paramref name="args"/> in <paramref name="context"/>.</summary>
    /// <returns>0 on success, 2 for bad arguments, 1 for bad files and failed runs.</returns>
    public static int Run(string[] args, CliContext context)
    {
        var debug = args.Contains(DebugFlag, StringComparer.Ordinal);
        try
        {
            var backend = OptionFactory.Backend();
            var root = Create(context, backend, args);
            var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
            IReadOnlyList<string> words = args;
            var parse = root.Parse(words, configuration);

            // `--out=` is the empty value, as `--out ''` is, which the parser would drop. Each
            // parse may find the command, and so its options, further on than the last.
            while (CommandLineRoot.WithEmptyValues(parse, words) is { } split)
            {
                words = split;
                parse = root.Parse(words, configuration);
            }

            // An on/off option given a value is refused first, the help option's included
            // (`--help=foo`, `--help=`), which would otherwise show the help.
            if (CommandLineRoot.FlagWithValue(parse, args) is { } flagged)
            {
                throw CommandFailure.Usage(flagged);
            }

            // A help option anywhere asks for help, even where an option before it would take
            // it as its value (`train --epochs --help`).
            if (HelpWord(root, words) is { } help)
            {
                return Help(root, words, help, configuration, context);
            }

            // Short options bundle, so the parser reads a help option with more joined to it
            // (`-hx`, `-h1`, `-?x`, `-h ` with a space) as the help: it is refused as the word
            // it is.
            if (parse.Action is HiddenCommandHelp
                && OptionWords(words).FirstOrDefault(word => !HelpNames(root).Contains(word)
                    && HelpNames(root).Any(name => name.Length == 2 && name[0] == '-'
                        && word.StartsWith(name, StringComparison.Ordinal))) is { } joined)
            {
                throw CommandFailure.Usage($"unrecognized command or argument '{joined}'");
            }

            if (!OnlyInforms(root, parse) && UndecodablePaths.CurrentDirectoryUndecodable())
            {
                throw CommandFailure.Usage(UndecodablePaths.CurrentDirectoryMessage);
            }

            // The parser lets a stray word through beside --version, which would then print
            // the version and succeed (`backprop --version extra`), and refuses a command or an
            // option beside it without naming it (`backprop --version train`).
            if (AsksVersion(root, parse) && FirstBesideVersion(root, words) is { } other)
            {
                throw CommandFailure.Usage("--version option cannot be combined with other "
                    + $"arguments; got '{other}'");
            }

            if (parse.Errors.Count > 0)
            {
                // An option's own error says more than the stray token it leaves behind
                // (`--epochs --out X` takes "--out" as the number, and X is left over), and the
                // error of an option given says more than that of a required one it swallowed
                // (`make-sample --out --data` takes "--data" as the directory).
                var error = parse.Errors.FirstOrDefault(e => e.SymbolResult is
                        OptionResult { IdentifierToken: not null }
                        or ArgumentResult { Parent: OptionResult { IdentifierToken: not null } })
                    ?? parse.Errors.FirstOrDefault(e => e.SymbolResult is
                        OptionResult or ArgumentResult)
                    ?? parse.Errors[0];
                var message = ValueLeftOut(error) ?? GivenAgain(error) ?? Sentence(error.Message);
                return Fail(context, ExitCode.Usage, message, null);
            }

            // The parser lets an option given again without its value through when it is last
            // on the line (`--hidden 8 --hidden`, `--index 0 --index`), keeping the values.
            if (Repeated(parse) is { } repeated)
            {
                return Fail(context, ExitCode.Usage, repeated, null);
            }

            // A relative path needs the current directory, which may have been removed.
            if (!OnlyInforms(root, parse)
                && RelativePaths.WhereCurrentDirectoryRemoved(parse) is { } relative)
            {
                throw CommandFailure.Usage(relative);
            }

            UseBackend(parse.GetValue(backend));

            return parse.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CommandFailure failure)
        {
            return Fail(context, failure.ExitCode, failure.Message, debug ? failure : null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(context, ExitCode.Failure, ExceptionMessage.Of(e), debug ? e : null);
        }
    }

    /// <summary>
    /// "NAME needs a value, got none" when <paramref name="error"/> is that of an option given
    /// last, or before nothing it could take, without the value it needs (<c>--epochs</c> at
    /// the end of the line): the parser's own words for it are not in the command's style.
    /// Null for every other error.
    /// </summary>
    private static string? ValueLeftOut(ParseError error) =>
        OptionOf(error) is { IdentifierToken: not null, Tokens.Count: 0 } option
            && option.Option.Arity.MinimumNumberOfValues > 0
                ? $"{option.Option.Name} needs a value, got none"
                : null;

    /// <summary>
    /// "option 'NAME' was given N times; give it once" when <paramref name="error"/> is that of
    /// an option with a value given more than once (<c>--hidden 8 --hidden 16</c>), in the words
    /// of the on/off options (<see cref="OptionFactory.Flag"/>): the parser counts the values
    /// instead ("expects a single argument but 2 were provided"), which reads wrong for
    /// <c>--hidden 8 --hidden</c>. Null for every other error.
    /// </summary>
    private static string? GivenAgain(ParseError error) =>
        OptionOf(error) is { } option && GivenTooOften(option) ? GivenTimes(option) : null;

    // "option 'NAME' was given N times; give it once" for the first option of the command or
    // of those above it that was given too often, "NAME needs a value, got none" for one
    // given without its value; null when there is none.
    private static string? Repeated(ParseResult parse)
    {
        for (var command = parse.CommandResult; command != null;
            command = command.Parent as CommandResult)
        {
            foreach (var option in command.Children.OfType<OptionResult>())
            {
                if (GivenTooOften(option))
                {
                    return GivenTimes(option);
                }

                // An option of many values (predict's --index) given once more than it has
                // values: the last one was left without its value.
                if (option.Option.Arity.MinimumNumberOfValues > 0
                    && option.Tokens.Count < option.IdentifierTokenCount)
                {
                    return $"{option.Option.Name} needs a value, got none";
                }
            }
        }

        return null;
    }

    // An option of one value at most (predict's --index may come many times) given again.
    private static bool GivenTooOften(OptionResult option) =>
        option.IdentifierTokenCount > 1 && option.Option.Arity.MaximumNumberOfValues <= 1;

    private static string GivenTimes(OptionResult option) =>
        $"option '{option.Option.Name}' was given {option.IdentifierTokenCount} times; give it once";

    // The option an error is about, itself or through its argument; null for other errors.
    private static OptionResult? OptionOf(ParseError error) => error.SymbolResult switch
    {
        OptionResult o => o,
        ArgumentResult { Parent: OptionResult o } => o,
        _ => null,
    };

    /// <summary>The command tree, with the actions bound to <paramref name="context"/>.</summary>
    public static RootCommand Create(CliContext context) =>
        Create(context, OptionFactory.Backend(), []);

    /// <summary>
    /// The command tree with <paramref name="backend"/> as its --backend, for parsing
    /// <paramref name="words"/>, the arguments as given.
    /// </summary>
    public static RootCommand Create(
        CliContext context, Option<Backend?> backend, IReadOnlyList<string> words)
    {
        var root = new CommandLineRoot(
            "Train, evaluate and inspect dense neural networks on IDX image data such as "
            + "Fashion-MNIST. Run 'backprop train' to train on the built-in sample.",
            words)
        {
            OptionFactory.Flag(
                DebugFlag,
                "Show the stack trace with an error (for developers).",
                recursive: true),
            backend,
            TrainCommand.Create(context),
            EvaluateCommand.Create(context),
            PredictCommand.Create(context),
            GradCheckCommand.Create(context),
            MakeSampleCommand.Create(context),
        };
        root.SetAction(NoCommand);
        UndecodablePaths.RefuseIn(root);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HiddenCommandHelp((SynchronousCommandLineAction)help.Action!);
        return root;
    }

    // Whether the command line only asks for the version, which names no file (help is
    // answered before this is asked).
    private static bool OnlyInforms(RootCommand root, ParseResult parse) =>
        AsksVersion(root, parse);

    // The first word before `--` that is a name of the help option (-h, --help, -?, /h, /?),
    // as typed; null when there is none. A value joined to its option (`--out=-h`) is no such
    // word, and nor is /h or /? as the next word after an option that takes a value
    // (`--out /h`, `--data /?`): a path there, as any other word that does not start with '-'
    // is, where the names that start with '-' still ask for help (`--epochs --help`).
    private static string? HelpWord(RootCommand root, IReadOnlyList<string> words)
    {
        var (names, valued) = (HelpNames(root), ValueOptionNames(root));
        var options = OptionWords(words).ToList();
        return options
            .Where((word, i) => names.Contains(word)
                && !(word.StartsWith('/') && i > 0 && valued.Contains(options[i - 1])))
            .FirstOrDefault();
    }

    // The names of every option, of any command, that takes a value.
    private static HashSet<string> ValueOptionNames(Command command) =>
        command.Options
            .Where(o => o is not (Option<bool> or HelpOption or VersionOption))
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(command.Subcommands.SelectMany(ValueOptionNames))
            .ToHashSet(StringComparer.Ordinal);

    // The words before `--`, where an option may stand.
    private static IEnumerable<string> OptionWords(IReadOnlyList<string> words) =>
        words.TakeWhile(word => word != "--");

    private static HashSet<string> HelpNames(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        return help.Aliases.Prepend(help.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The help of the command that <paramref name="words"/> name, asked for by
    /// <paramref name="help"/>: the options beside it, with or without their values and valid
    /// or not, are not looked at, so that <c>--help</c> shows the help wherever it stands
    /// (<c>train --epochs --help</c> as <c>train --help --epochs</c>, <c>--version --help</c>
    /// as <c>--help --version</c>). A word that is neither a command, an option nor an
    /// option's value is refused, as is a value given to an on/off option: the help would
    /// hide that it was not understood (<c>backprop -h extra</c>).
    /// </summary>
    private static int Help(
        RootCommand root,
        IReadOnlyList<string> words,
        string help,
        ParserConfiguration configuration,
        CliContext context)
    {
        var names = HelpNames(root);
        var options = OptionWords(words).ToList();
        var others = options.Where(word => !names.Contains(word))
            .Concat(words.Skip(options.Count))
            .ToList();
        var parse = root.Parse(others, configuration);
        if (CommandLineRoot.FlagWithValue(parse, others) is { } flagged)
        {
            throw CommandFailure.Usage(flagged);
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            throw CommandFailure.Usage(
                $"{help} takes no arguments, got '{parse.UnmatchedTokens[0]}'");
        }

        var path = new List<string>();
        for (var command = parse.CommandResult; command.Parent is CommandResult above;
            command = above)
        {
            path.Insert(0, command.Command.Name);
        }

        return root.Parse([.. path, help], configuration).Invoke(new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        });
    }

    // The first word that is neither a name of the version option nor `--`, or null.
    private static string? FirstBesideVersion(RootCommand root, IReadOnlyList<string> words)
    {
        var version = root.Options.OfType<VersionOption>().Single();
        var names = version.Aliases.Prepend(version.Name).Append("--")
            .ToHashSet(StringComparer.Ordinal);
        return words.FirstOrDefault(word => !names.Contains(word));
    }

    private static bool AsksVersion(RootCommand root, ParseResult parse) =>
        root.Options.OfType<VersionOption>().Any(version => parse.GetResult(version) is not null);

    // --backend for this process: an explicit choice, or the default taken when the library
    // loaded (OpenBLAS where it loads). Asking for OpenBLAS where it is missing is an error.
    private static void UseBackend(Backend? backend)
    {
        if (backend is { } chosen)
        {
            try
            {
                Backends.Use(chosen);
            }
            catch (InvalidOperationException e)
            {
                throw CommandFailure.Usage($"--backend openblas: {e.Message}");
            }
        }
    }

    private static int NoCommand(ParseResult parse) =>
        throw CommandFailure.Usage("no command given; run 'backprop --help' to list the commands");

    // One line: "error: " and the message, whose control characters (a line break in a path,
    // say) are shown as escapes, so that it stays one line and shows what was given; the
    // trace, escaped likewise, only with --debug.
    private static int Fail(CliContext context, int exitCode, string message, Exception? trace)
    {
        var line = Printable.Line(message).Trim();
        context.Error.WriteLine($"error: {line}");
        if (trace is not null)
        {
            foreach (var traceLine in DebugTrace.Lines(trace))
            {
                context.Error.WriteLine(traceLine);
            }
        }

        context.Error.Flush();
        return exitCode;
    }

    // System.CommandLine's messages start with a capital and end with a full stop; ours do not.
    private static string Sentence(string message)
    {
        var text = message.Trim().TrimEnd('.');
        return text.Length > 0 && char.IsUpper(text[0])
            ? char.ToLowerInvariant(text[0]) + text[1..]
            : text;
    }

    // System.CommandLine writes nothing for --help of a hidden command. make-sample is hidden
    // only from the list of commands, so its own --help is written with it shown meanwhile.
    private sealed class HiddenCommandHelp(SynchronousCommandLineAction help)
        : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => help.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var command = parseResult.CommandResult.Command;
            var hidden = command.Hidden;
            command.Hidden = false;
            try
            {
                return help.Invoke(parseResult);
            }
            finally
            {
                command.Hidden = hidden;
            }
        }
    }
}
