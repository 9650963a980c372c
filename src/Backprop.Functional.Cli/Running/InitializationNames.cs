using System;
using System.Linq;

namespace Backprop.Functional.Cli.Running;

/// <summary>The command-line names of the core's <see cref="Initialization"/> schemes.</summary>
internal static class InitializationNames
{
    /// <summary>Every scheme with its name, in the order the help lists them.</summary>
    public static readonly (string Name, Initialization Scheme)[] All =
    [
        ("he", Initialization.He),
        ("glorot-uniform", Initialization.GlorotUniform),
        ("glorot-normal", Initialization.GlorotNormal),
        ("scaled-normal", Initialization.ScaledNormal),
        ("standard-normal", Initialization.StandardNormal),
    ];

    /// <summary>The name of <paramref name="scheme"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(this Initialization scheme) =>
        All.First(entry => entry.Scheme == scheme).Name;

    /// <summary>The scheme called <paramref name="name"/> (case ignored), if any.</summary>
    public static Initialization? Parse(string name)
    {
        var key = name.Trim();
        foreach (var (n, scheme) in All)
        {
            if (string.Equals(n, key, StringComparison.OrdinalIgnoreCase))
            {
                return scheme;
            }
        }

        return null;
    }

    /// <summary>
    /// The default for hidden layers with <paramref name="hidden"/>: He for ReLU and leaky ReLU,
    /// whose halved variance it corrects for, and Glorot uniform for every other activation.
    /// </summary>
    public static Initialization DefaultFor(Activation hidden) =>
        hidden.Name == "relu" || hidden.Name.StartsWith("leaky-relu", StringComparison.Ordinal)
            ? Initialization.He
            : Initialization.GlorotUniform;
}
