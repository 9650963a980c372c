using System;
using Backprop.Functional.Cli.Commands;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// The activation a name gives, read by one rule wherever a name is read: the
/// <c>--activation</c> and <c>--output</c> options, the layers of a model file and the settings
/// of a checkpoint. Names are the core's (<see cref="Activation.Parse"/>: any case, spaces
/// around the whole name ignored), but the slope of <c>leaky-relu:α</c> is read by the rule for
/// numbers (<see cref="OptionFactory.FiniteNumber"/>: no '+' sign, no spaces inside the name;
/// −0 is 0), which every slope the model writer writes follows, and echoed as written.
/// </summary>
internal static class ActivationNames
{
    /// <summary>The activation named <paramref name="name"/>, or why there is none.</summary>
    /// <param name="name">A name such as "relu" or "leaky-relu:0.2".</param>
    public static Fin<Activation> Parse(string name)
    {
        var text = name.Trim();
        if (!text.StartsWith(LeakySlope.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Activation.Parse(name);
        }

        var slope = text[LeakySlope.Prefix.Length..];
        return OptionFactory.FiniteNumber(slope) is { } α && α >= 0 && α < 1
            ? FinSucc(Activation.LeakyReLU(α))
            : FinFail<Activation>(Error.New(
                $"leaky ReLU slope must be a number in [0, 1), got '{slope}'"
                + OptionFactory.NotNumberRule(slope)));
    }
}
