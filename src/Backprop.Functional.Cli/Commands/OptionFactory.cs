using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Running;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// The options the commands share, each with its own parser. A value that does not parse
/// becomes a parse error naming the option and the value, which the shell turns into one
/// <c>error:</c> line and exit code 2.
/// </summary>
/// <remarks>
/// Every number is read by one rule, <see cref="WholeNumber{T}"/> or
/// <see cref="FiniteNumber"/>: in the invariant culture, with nothing around it (no spaces)
/// and no '+' sign, and a refusal says which of the two a value has. A whole number is ASCII
/// digits alone; a decimal may start with '-' and have a decimal point and an exponent (1e-3,
/// 1E+3). A value that is itself the name of one of the
/// command's options, as in <c>--out --json</c>, is refused as a missing value, unless it is
/// joined to its option in one word (<c>--out=--json</c>), which says that it is the value.
/// </remarks>
internal static class OptionFactory
{
    // The decimals of the rule: a '-' sign (a '+' is refused first), a point, an exponent.
    private const NumberStyles DecimalStyle =
        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint
        | NumberStyles.AllowExponent;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><c>--data DIR</c>: the data directory, or null for the embedded sample.</summary>
    public static Option<string?> Data() => new("--data")
    {
        Description = "A directory of IDX files: train-images-idx3-ubyte, "
            + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, "
            + "each optionally ending in .gz. Defaults to the embedded Fashion-MNIST sample.",
        HelpName = "DIR",
        CustomParser = PathParser("--data", "directory"),
    };

    /// <summary>
    /// <c>--data DIR</c> for the commands that use only the test set, which read only the two
    /// test files; null for the embedded sample.
    /// </summary>
    public static Option<string?> TestData() => new("--data")
    {
        Description = "A directory of IDX files: t10k-images-idx3-ubyte and "
            + "t10k-labels-idx1-ubyte, each optionally ending in .gz (the training files are "
            + "not read). Defaults to the embedded Fashion-MNIST sample.",
        HelpName = "DIR",
        CustomParser = PathParser("--data", "directory"),
    };

    /// <summary>
    /// <c>--json</c>: one JSON object on stdout; <paramref name="description"/> says what
    /// becomes of the lines for people.
    /// </summary>
    public static Option<bool> Json(string description) => Flag("--json", description);

    /// <summary>
    /// An on/off option. Given more than once (<c>--json --json</c>), it is refused as every
    /// option is (<see cref="BackpropCommand"/>).
    /// </summary>
    public static Option<bool> Flag(string name, string description, bool recursive = false) =>
        new(name) { Description = description, Recursive = recursive };

    /// <summary><c>--model FILE</c>, required or optional.</summary>
    public static Option<string?> Model(string description, bool required)
    {
        var option = FilePath("--model", description);
        option.Required = required;
        return option;
    }

    /// <summary>
    /// An option naming a file, <paramref name="fallback"/> (shown in the help) when absent. An
    /// empty or blank value is a parse error "NAME must name a file, got 'TOKEN'".
    /// </summary>
    public static Option<string?> FilePath(
        string name, string description, string? fallback = null)
    {
        var option = new Option<string?>(name)
        {
            Description = description,
            HelpName = "FILE",
            CustomParser = PathParser(name, "file"),
        };
        if (fallback is not null)
        {
            option.DefaultValueFactory = _ => fallback;
        }

        return option;
    }

    /// <summary>
    /// An option naming a directory, null when absent. An empty or blank value is a parse
    /// error "NAME must name a directory, got 'TOKEN'".
    /// </summary>
    public static Option<string?> DirectoryPath(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DIR",
        CustomParser = PathParser(name, "directory"),
    };

    /// <summary>
    /// The value of <paramref name="option"/> as it was typed (its last token), or null when
    /// it was not given: for messages that echo the user's own text.
    /// </summary>
    public static string? Typed(ParseResult parse, Option option) =>
        parse.GetResult(option) is { Implicit: false, Tokens: [.., var last] }
            ? last.Value
            : null;

    /// <summary>
    /// The value of the option named <paramref name="name"/> (such as "--momentum") as it was
    /// typed, or null when it was not given or the command has no such option.
    /// </summary>
    public static string? Typed(ParseResult parse, string name) =>
        parse.GetResult(name) is OptionResult { Implicit: false, Tokens: [.., var last] }
            ? last.Value
            : null;

    /// <summary>A whole number ≥ <paramref name="minimum"/>, with a default.</summary>
    public static Option<int> Integer(
        string name, int fallback, string description, int minimum = 1) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => Single(result, token =>
            WholeNumber(name, token, minimum, WholeReason(minimum))),
    };

    /// <summary>A finite number &gt; 0, with a default.</summary>
    public static Option<double> PositiveNumber(string name, double fallback, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "X",
            DefaultValueFactory = _ => fallback,
            CustomParser = result => Single(result, token =>
                FiniteNumber(token) is { } x && x > 0
                    ? FinSucc(x)
                    : RejectNumber<double>(name, token, "must be a finite number > 0")),
        };

    /// <summary>
    /// A number that <paramref name="rule"/> takes, or null when the option is absent (for a
    /// default that depends on other options, or for "none"). A rejected value is a parse error
    /// "NAME must be RANGE, got 'TOKEN'".
    /// </summary>
    public static Option<double?> OptionalNumber(NumberRule rule, string description) =>
        new(rule.Option)
        {
            Description = description,
            HelpName = "X",
            CustomParser = result => Single(result, token =>
                FiniteNumber(token) is { } x && rule.Accepts(x)
                    ? FinSucc<double?>(x)
                    : RejectNumber<double?>(rule.Option, token, $"must be {rule.Range}")),
        };

    /// <summary>A whole number ≥ <paramref name="minimum"/>, or null when absent.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int minimum) =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = result => Single(result, token =>
                WholeNumber(name, token, minimum, WholeReason(minimum)).Map(n => (int?)n)),
        };

    /// <summary>
    /// <c>--optimizer NAME</c>: sgd, momentum, nesterov, adam, adamw or rmsprop; null when
    /// absent, meaning sgd.
    /// </summary>
    public static Option<OptimizerKind?> Optimizer() => new("--optimizer")
    {
        Description = "The optimizer: "
            + string.Join(", ", OptimizerKinds.All.Select(e => e.Name)) + ". Defaults to sgd.",
        HelpName = "NAME",
        CustomParser = result => Single(result, token =>
            OptimizerKinds.Parse(token) is { } kind
                ? FinSucc<OptimizerKind?>(kind)
                : Reject<OptimizerKind?>("--optimizer", token, "must be one of "
                    + string.Join(", ", OptimizerKinds.All.Select(e => e.Name)))),
    };

    /// <summary>
    /// <c>--schedule NAME</c>: constant, step, exponential or cosine; null when absent, meaning
    /// constant.
    /// </summary>
    public static Option<ScheduleKind?> Schedule() => new("--schedule")
    {
        Description = "How the learning rate changes: constant; step (× --decay-factor every "
            + "--decay-every epochs); exponential (the same decay, smoothly); cosine (to 0 over "
            + "the run). Defaults to constant.",
        HelpName = "NAME",
        CustomParser = result => Single(result, token =>
            ScheduleKinds.Parse(token) is { } kind
                ? FinSucc<ScheduleKind?>(kind)
                : Reject<ScheduleKind?>("--schedule", token, "must be one of "
                    + string.Join(", ", ScheduleKinds.All.Select(e => e.Name)))),
    };

    /// <summary><c>--seed N</c>: an unsigned 64-bit seed, 1 by default.</summary>
    public static Option<ulong> Seed(string description) => new("--seed")
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => 1UL,
        CustomParser = result => Single(result, token => WholeNumber(
            "--seed", token, 0UL, $"must be a whole number from 0 to {ulong.MaxValue}")),
    };

    /// <summary><c>--hidden LIST</c>: hidden layer sizes as a comma list, "" for none.</summary>
    public static Option<IReadOnlyList<int>> Hidden(string fallback) => new("--hidden")
    {
        Description = "Hidden layer sizes, input side first, as a comma list such as 256,128; "
            + "an empty string for none.",
        HelpName = "LIST",
        DefaultValueFactory = _ => ParseSizes(fallback).IfFail([]),
        CustomParser = result => Single(result, ParseSizes),

        // One list, as every other option takes one value: without this a list-typed option
        // would collect every --hidden given, and the parser read only the last.
        Arity = ArgumentArity.ExactlyOne,
    };

    /// <summary>An activation by name: identity, sigmoid, tanh, relu, leaky-relu[:α], ….</summary>
    public static Option<Activation> Activation(
        string name, Activation fallback, string description) => new(name)
    {
        Description = $"{description} One of identity, sigmoid, tanh, relu, leaky-relu[:slope], "
            + "softplus, softmax.",
        HelpName = "NAME",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => Single(result, token => ParseActivation(name, token)),
    };

    /// <summary><c>--loss NAME</c>.</summary>
    public static Option<Loss> Loss(Loss fallback) => new("--loss")
    {
        Description = "The loss: softmax-cross-entropy (after a softmax output), cross-entropy, "
            + "binary-cross-entropy or quadratic.",
        HelpName = "NAME",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => Single(result, token =>
            Functional.Loss.Parse(token).BiMap(l => l, e => Error.New($"--loss: {e.Message}"))),
    };

    /// <summary><c>--init NAME</c>; null when absent, for a default by activation.</summary>
    public static Option<Initialization?> Init() => new("--init")
    {
        Description = "How to draw the starting weights: "
            + string.Join(", ", InitializationNames.All.Select(e => e.Name))
            + ". Defaults to he for relu and leaky-relu hidden layers, glorot-uniform otherwise.",
        HelpName = "NAME",
        CustomParser = result => Single(result, token =>
            InitializationNames.Parse(token) is { } scheme
                ? FinSucc<Initialization?>(scheme)
                : Reject<Initialization?>("--init", token, "must be one of "
                    + string.Join(", ", InitializationNames.All.Select(e => e.Name)))),
    };

    /// <summary><c>--precision float32|float64</c>; null when absent, meaning float32.</summary>
    public static Option<Precision?> Precision() => new("--precision")
    {
        Description = "The element type of the network: float32 or float64. Defaults to float32.",
        HelpName = "TYPE",
        CustomParser = result => Single(result, token =>
            PrecisionNames.Parse(token) is { } precision
                ? FinSucc<Precision?>(precision)
                : Reject<Precision?>("--precision", token, "must be float32 or float64")),
    };

    /// <summary>
    /// <c>--backend openblas|managed</c>, for every command; null when absent, meaning OpenBLAS
    /// when it loads and MathNet's managed provider otherwise.
    /// </summary>
    public static Option<Backend?> Backend() => new("--backend")
    {
        Description = "Where matrix products run: openblas (libopenblas.so.0) or managed "
            + "(MathNet's provider, slower). Defaults to openblas when it can be loaded, else "
            + "managed.",
        HelpName = "NAME",
        Recursive = true,
        CustomParser = result => Single(result, token =>
            token.Trim().ToLowerInvariant() switch
            {
                "openblas" => FinSucc<Backend?>(Functional.Backend.OpenBlas),
                "managed" => FinSucc<Backend?>(Functional.Backend.Managed),
                _ => Reject<Backend?>("--backend", token, "must be openblas or managed"),
            }),
    };

    /// <summary>
    /// A whole number from <paramref name="minimum"/> to the largest <typeparamref name="T"/> by
    /// the rule for numbers: ASCII digits alone, so no sign and no spaces. Anything else, or a
    /// number below the minimum, is the failure "NAME REASON, got 'TOKEN'"; digits past the
    /// largest value are "NAME is too large: the maximum is MAX, got 'TOKEN'".
    /// </summary>
    public static LanguageExt.Fin<T> WholeNumber<T>(
        string name, string token, T minimum, string reason)
        where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        if (token.Length == 0 || !token.All(char.IsAsciiDigit))
        {
            return RejectNumber<T>(name, token, reason);
        }

        if (!T.TryParse(token, NumberStyles.None, Invariant, out var n))
        {
            var maximum = T.MaxValue.ToString(null, Invariant);
            return Reject<T>(name, token, $"is too large: the maximum is {maximum}");
        }

        return n >= minimum ? FinSucc(n) : Reject<T>(name, token, reason);
    }

    /// <summary>
    /// What a whole-number option with <paramref name="minimum"/> says of a value it refuses:
    /// "must be a positive whole number" for 1, else "must be a whole number ≥ MINIMUM".
    /// </summary>
    public static string WholeReason(int minimum) => minimum == 1
        ? "must be a positive whole number"
        : $"must be a whole number ≥ {minimum.ToString(Invariant)}";

    /// <summary>
    /// A finite number by the rule for numbers (no spaces around it, no '+' sign; a '-', a
    /// decimal point and an exponent allowed), or null when <paramref name="token"/> is not one.
    /// −0 (<c>-0</c>, <c>-0.0</c>, <c>-1e-400</c>) is 0: the same setting, which the run's
    /// report, optimizer chain and checkpoint then all write as 0.
    /// </summary>
    public static double? FiniteNumber(string token) =>
        token.Length > 0 && token[0] != '+'
        && double.TryParse(token, DecimalStyle, Invariant, out var x) && double.IsFinite(x)
            ? (x == 0 ? 0.0 : x)
            : null;

    /// <summary>
    /// A failure "NAME REASON, got 'TOKEN'" for a value that is no number by the rule for
    /// numbers, which names what the rule refuses in it when that is spaces around it or a '+'
    /// sign: "--dropout must be a number in [0, 1), got '+0.1'; numbers take no '+' sign".
    /// </summary>
    public static LanguageExt.Fin<TValue> RejectNumber<TValue>(
        string name, string token, string reason) =>
        FinFail<TValue>(Error.New($"{name} {reason}, got '{token}'{NotNumberRule(token)}"));

    /// <summary>
    /// "; numbers take no spaces around them" when <paramref name="number"/> has spaces
    /// around it, "; numbers take no '+' sign" when it starts with '+', else "": the end of a
    /// message refusing it as a number.
    /// </summary>
    public static string NotNumberRule(string number)
    {
        if (number.Trim() != number)
        {
            return "; numbers take no spaces around them";
        }

        return number.StartsWith('+') ? "; numbers take no '+' sign" : string.Empty;
    }

    /// <summary>A failure "NAME REASON, got 'TOKEN'", the form of bad-value messages.</summary>
    public static LanguageExt.Fin<TValue> Reject<TValue>(
        string name, string token, string reason) =>
        FinFail<TValue>(Error.New($"{name} {reason}, got '{token}'"));

    /// <summary>
    /// The parse error to give when <paramref name="token"/>, taken as the value of the option
    /// whose argument is <paramref name="result"/>, is the name of an option of the same command
    /// (its own or one every command has), as <c>--out --json</c> gives "--json" to --out: the
    /// value was left out. Null when it is not such a name, or when it was joined to its
    /// option in one word (<c>--out=--json</c>), which names the file "--json" on purpose.
    /// </summary>
    public static string? OptionAsValue(ArgumentResult result, string token)
    {
        if (!token.StartsWith('-')
            || result.Parent is not OptionResult { Option: var option, Parent: var parent }
            || CommandLineRoot.Of(result)?.Joined(option, token) == true)
        {
            return null;
        }

        var named = parent is CommandResult command
            && CommandLineRoot.InScope(command)
                .Any(o => o.Name == token || o.Aliases.Contains(token));
        return named ? $"{option.Name} needs a value, got the option '{token}'" : null;
    }

    // The sizes in a comma list such as "256,128" (spaces allowed around the items, each a
    // whole number by the rule for numbers), an empty list for an empty or blank string.
    private static LanguageExt.Fin<IReadOnlyList<int>> ParseSizes(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return FinSucc<IReadOnlyList<int>>([]);
        }

        // An item that is not a positive whole number (empty, signed, 0, not digits) makes
        // the list malformed wherever it stands; only a list of positive digit strings can
        // have a size too large, one past the largest int.
        var items = text.Split(',').Select(i => i.Trim()).ToArray();
        if (!items.All(item => item.Length > 0 && item.All(char.IsAsciiDigit)
            && item.Any(d => d != '0')))
        {
            // The items were trimmed, as spaces may stand around them: a sign is what is named.
            var rule = items.Select(NotNumberRule).FirstOrDefault(r => r.Length > 0)
                ?? string.Empty;
            return FinFail<IReadOnlyList<int>>(Error.New(
                $"--hidden must be a comma list of positive whole numbers, got '{text}'{rule}"));
        }

        var sizes = new List<int>();
        foreach (var item in items)
        {
            if (!int.TryParse(item, NumberStyles.None, Invariant, out var size))
            {
                return Reject<IReadOnlyList<int>>(
                    "--hidden",
                    text,
                    $"has a size too large: the maximum is {int.MaxValue.ToString(Invariant)}");
            }

            sizes.Add(size);
        }

        return sizes;
    }

    // The core's parser reads the slope of leaky-relu:α from the name in lower case, and would
    // echo it so ('nan' for NaN); the slope is read by ActivationNames instead, to echo it as
    // typed, by the rule for numbers (−0 as 0), as a model file's is. Spaces around the whole
    // value are ignored, as the core ignores them around a name ('relu ', 'leaky-relu:0.5 ');
    // inside it they are refused.
    private static LanguageExt.Fin<Activation> ParseActivation(string name, string token) =>
        ActivationNames.Parse(token).BiMap(a => a, e => Error.New($"{name}: {e.Message}"));

    // Keeps a path as given; an empty or blank one names nothing (and .NET's file calls reject
    // it with a message about a parameter), and one the file system finds too long can name
    // nothing either, whether it is read or written: both are parse errors naming the option.
    private static Func<ArgumentResult, string?> PathParser(string name, string kind) =>
        result => Single(result, token =>
        {
            if (string.IsNullOrWhiteSpace(token))
            {
                return Reject<string?>(name, token, $"must name a {kind}");
            }

            return FileKind.NameTooLong(token)
                ? FinFail<string?>(Error.New($"{name}: file name too long, got '{token}'"))
                : FinSucc<string?>(token);
        });

    // The value of a one-token option, or a parse error with the parser's message; an option's
    // name where its value should be is refused first (see OptionAsValue).
    private static TValue Single<TValue>(
        ArgumentResult result, Func<string, LanguageExt.Fin<TValue>> parse)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        var parsed = OptionAsValue(result, token) is { } missing
            ? FinFail<TValue>(Error.New(missing))
            : parse(token);
        return parsed.Match(
            Succ: value => value,
            Fail: error =>
            {
                result.AddError(error.Message);
                return default!;
            });
    }
}
