using System;
using System.Globalization;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// The numbers of a float32 run that float32 cannot hold as given: each is a bad argument
/// (exit code 2), found before any data is read, named with its option, the precision and the
/// value as typed.
/// </summary>
/// <remarks>
/// A float32 network computes in float32 with η (at every step), μ or β₁, β₂ or ρ, the λ of
/// weight decay and of L2, and the slope α of leaky ReLU. A value in range as a double can
/// leave its range there: past float32's largest number an η or a λ is ∞, and the first step
/// is not finite; just below 1, a μ, β or α is 1 (β₁ = 1 leaves the bias correction 1 − β₁ᵗ
/// at 0, μ = 1 never forgets a step, and α = 1 makes leaky ReLU the identity; a float32 model
/// file with such an α is refused too, see <c>Models/LeakySlope.cs</c>); below its smallest
/// positive number, an η is 0 and no weight moves. The clip norm and γ of a decaying
/// schedule, which must be above 0, are held to the same bounds, though the clip scale and the
/// schedule are computed in float64. The dropout rate is not checked: the masks are drawn and
/// scaled in float64, and float32 holds the scale 1/(1 − p) of every p in [0, 1).
/// </remarks>
internal static class Float32Limits
{
    private const string Float64 = "--precision float64";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string Largest = float.MaxValue.ToString("R", Invariant);

    private static readonly string Smallest = float.Epsilon.ToString("R", Invariant);

    private static readonly string JustBelowOne =
        MathF.BitDecrement(1f).ToString("R", Invariant);

    /// <summary>What float32 must hold of an option's value.</summary>
    [Flags]
    private enum Bound
    {
        /// <summary>A value past float32's largest number, ∞ there, is refused.</summary>
        Finite = 1,

        /// <summary>A value that is 0 in float32 is refused.</summary>
        AboveZero = 2,

        /// <summary>A value that is 1 in float32 is refused.</summary>
        BelowOne = 4,
    }

    /// <summary>
    /// Throws a <see cref="CommandFailure"/> (exit code 2) naming the first option of
    /// <paramref name="s"/> whose value float32 cannot hold, when the run is in float32.
    /// </summary>
    /// <param name="s">The run's settings, defaults filled in.</param>
    /// <param name="typed">The value of an option (by name, such as "--momentum") as it was
    /// typed, or null when it was not given; the messages echo it.</param>
    public static void Check(TrainSettings s, Func<string, string?> typed)
    {
        if (s.Precision != Precision.Float32
            || First(s.Optimizer, s.Hidden.Count > 0 ? s.Activation : null, s.Output) is not
                { } p)
        {
            return;
        }

        var text = typed(p.Option)?.TrimStart();
        const string Leaky = LeakySlope.Prefix;
        if (p.Slope)
        {
            var slope = text is not null
                && text.StartsWith(Leaky, StringComparison.OrdinalIgnoreCase)
                    ? text[Leaky.Length..]
                    : Text(p.Value);
            throw CommandFailure.Usage(
                $"{p.Option}: leaky ReLU slope {p.Fault}, got '{slope}'; give {p.Limit} or "
                + Float64);
        }

        var given = typed(p.Option) ?? Text(p.Value);
        throw CommandFailure.Usage(p.Option == "--learning-rate" && (float)p.Value == 0f
            ? "--learning-rate is 0 in float32, which would leave every weight as it is, got "
                + $"'{given}'; give a larger rate or {Float64}"
            : $"{p.Option} {p.Fault}, got '{given}'; give {p.Limit} or {Float64}");
    }

    /// <summary>
    /// The first value of a float32 run that float32 cannot hold, or null when it holds them
    /// all: the slope of a leaky ReLU <paramref name="hidden"/> (null for a network with no
    /// hidden layer) or <paramref name="output"/>, then the numbers of
    /// <paramref name="o"/>.
    /// </summary>
    public static Float32Problem? First(OptimizerSettings o, Activation? hidden, Activation output)
    {
        var activations = new[] { ("--activation", hidden), ("--output", output) };
        foreach (var (option, activation) in activations)
        {
            if (activation is not null && LeakySlope.Of(activation) is { } α
                && Problem(α, Bound.BelowOne) is { } slope)
            {
                return new(option, α, slope.Fault, slope.Limit, Slope: true);
            }
        }

        var checks = new (string Option, double? Value, Bound Bound)[]
        {
            ("--learning-rate", o.LearningRate, Bound.Finite | Bound.AboveZero),
            ("--momentum", o.Momentum, Bound.BelowOne),
            ("--beta2", o.Beta2, Bound.BelowOne),
            ("--weight-decay", o.WeightDecay, Bound.Finite),
            ("--l2", o.L2, Bound.Finite),
            ("--clip-norm", o.ClipNorm, Bound.Finite | Bound.AboveZero),
            ("--decay-factor", o.DecayFactor, Bound.AboveZero),
        };
        foreach (var (option, value, bound) in checks)
        {
            if (value is { } x && Problem(x, bound) is { } problem)
            {
                return new(option, x, problem.Fault, problem.Limit, Slope: false);
            }
        }

        return null;
    }

    private static string Text(double x) => x.ToString("R", Invariant);

    // What is wrong with x in float32 under the bound, and the values float32 holds instead;
    // null when nothing is. The values checked against 1 are below 1 as doubles, so "≥ 1" is
    // "= 1".
    private static (string Fault, string Limit)? Problem(double x, Bound bound) =>
        (float)x switch
    {
        float.PositiveInfinity when bound.HasFlag(Bound.Finite) =>
            ("is ∞ in float32, past its largest number", $"at most {Largest}"),
        0f when bound.HasFlag(Bound.AboveZero) =>
            ("is 0 in float32, where it must be > 0", $"at least {Smallest}"),
        >= 1f when bound.HasFlag(Bound.BelowOne) =>
            ("is 1 in float32, where it must be below 1", $"at most {JustBelowOne}"),
        _ => null,
    };
}
