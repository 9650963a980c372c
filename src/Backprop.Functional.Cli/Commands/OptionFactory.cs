using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;
using Backprop.Functional.Cli.Running;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// The options the commands share, each with its own parser. A value that does not parse
/// becomes a parse error naming the option and the value, which the shell turns into one
/// <c>error:</c> line and exit code 2.
/// </summary>
internal static class OptionFactory
{
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
    public static Option<bool> Json(string description) => new("--json")
    {
        Description = description,
    };

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

    /// <summary>A whole number ≥ <paramref name="minimum"/>, with a default.</summary>
    public static Option<int> Integer(
        string name, int fallback, string description, int minimum = 1) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => Single(result, token =>
            int.TryParse(token, NumberStyles.AllowLeadingSign, Invariant, out var n)
            && n >= minimum
                ? FinSucc(n)
                : Reject<int>(name, token, minimum == 1
                    ? "must be a positive whole number"
                    : $"must be a whole number ≥ {minimum}")),
    };

    /// <summary>A finite number &gt; 0, with a default.</summary>
    public static Option<double> PositiveNumber(string name, double fallback, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "X",
            DefaultValueFactory = _ => fallback,
            CustomParser = result => Single(result, token =>
                double.TryParse(token, NumberStyles.Float, Invariant, out var x)
                && double.IsFinite(x) && x > 0
                    ? FinSucc(x)
                    : Reject<double>(name, token, "must be a finite number > 0")),
        };

    /// <summary>
    /// A number that <paramref name="accepts"/> takes, or null when the option is absent (for a
    /// default that depends on other options, or for "none"). A rejected value is a parse error
    /// "NAME REASON, got 'TOKEN'".
    /// </summary>
    public static Option<double?> OptionalNumber(
        string name, string description, Func<double, bool> accepts, string reason) => new(name)
    {
        Description = description,
        HelpName = "X",
        CustomParser = result => Single(result, token =>
            double.TryParse(token, NumberStyles.Float, Invariant, out var x)
            && double.IsFinite(x) && accepts(x)
                ? FinSucc<double?>(x)
                : Reject<double?>(name, token, reason)),
    };

    /// <summary>A whole number ≥ <paramref name="minimum"/>, or null when absent.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int minimum) =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = result => Single(result, token =>
                int.TryParse(token, NumberStyles.AllowLeadingSign, Invariant, out var n)
                && n >= minimum
                    ? FinSucc<int?>(n)
                    : Reject<int?>(name, token, minimum == 1
                        ? "must be a positive whole number"
                        : $"must be a whole number ≥ {minimum}")),
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
        CustomParser = result => Single(result, token =>
            ulong.TryParse(token, NumberStyles.None, Invariant, out var seed)
                ? FinSucc(seed)
                : Reject<ulong>(
                    "--seed", token, $"must be a whole number from 0 to {ulong.MaxValue}")),
    };

    /// <summary><c>--hidden LIST</c>: hidden layer sizes as a comma list, "" for none.</summary>
    public static Option<IReadOnlyList<int>> Hidden(string fallback) => new("--hidden")
    {
        Description = "Hidden layer sizes, input side first, as a comma list such as 256,128; "
            + "an empty string for none.",
        HelpName = "LIST",
        DefaultValueFactory = _ => ParseSizes(fallback) ?? [],
        CustomParser = result => Single(result, token =>
            ParseSizes(token) is { } sizes
                ? FinSucc(sizes)
                : Reject<IReadOnlyList<int>>(
                    "--hidden", token, "must be a comma list of positive whole numbers")),
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
    /// The sizes in a comma list such as "256,128" (spaces allowed), an empty list for an empty
    /// or blank string, or null when an item is not a positive whole number.
    /// </summary>
    public static IReadOnlyList<int>? ParseSizes(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var sizes = new List<int>();
        foreach (var item in text.Split(','))
        {
            if (!int.TryParse(item.Trim(), NumberStyles.None, Invariant, out var n) || n < 1)
            {
                return null;
            }

            sizes.Add(n);
        }

        return sizes;
    }

    /// <summary>A failure "NAME REASON, got 'TOKEN'", the form of bad-value messages.</summary>
    public static LanguageExt.Fin<TValue> Reject<TValue>(
        string name, string token, string reason) =>
        FinFail<TValue>(Error.New($"{name} {reason}, got '{token}'"));

    // The core's parser reads the slope of leaky-relu:α from the name in lower case, and would
    // echo it so ('nan' for NaN); the slope is checked here first, to echo it as typed.
    private static LanguageExt.Fin<Activation> ParseActivation(string name, string token)
    {
        const string Leaky = "leaky-relu:";
        var text = token.Trim();
        var slope = text.StartsWith(Leaky, StringComparison.OrdinalIgnoreCase)
            ? text[Leaky.Length..]
            : null;
        if (slope is not null
            && !(double.TryParse(slope, NumberStyles.Float, Invariant, out var α)
                && double.IsFinite(α) && α >= 0 && α < 1))
        {
            return FinFail<Activation>(Error.New(
                $"{name}: leaky ReLU slope must be a number in [0, 1), got '{slope}'"));
        }

        return Functional.Activation.Parse(token)
            .BiMap(a => a, e => Error.New($"{name}: {e.Message}"));
    }

    // Keeps a path as given; an empty or blank one names nothing (and .NET's file calls reject
    // it with a message about a parameter), so it is a parse error naming the option.
    private static Func<ArgumentResult, string?> PathParser(string name, string kind) =>
        result => Single(result, token => string.IsNullOrWhiteSpace(token)
            ? Reject<string?>(name, token, $"must name a {kind}")
            : FinSucc<string?>(token));

    // The value of a one-token option, or a parse error with the parser's message.
    private static TValue Single<TValue>(
        ArgumentResult result, Func<string, LanguageExt.Fin<TValue>> parse)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        return parse(token).Match(
            Succ: value => value,
            Fail: error =>
            {
                result.AddError(error.Message);
                return default!;
            });
    }
}
