using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// What a model file records besides the network: how it was trained and what its outputs mean.
/// </summary>
/// <remarks>
/// Two infos are equal when every field is, the class names compared name by name.
/// </remarks>
/// <param name="Precision"><see cref="Float32"/> or <see cref="Float64"/>.</param>
/// <param name="Loss">The loss's name as <c>Loss.Name</c> gives it ("cross-entropy").</param>
/// <param name="ClassNames">One name per output unit, label 0 first.</param>
/// <param name="Seed">The seed the network was initialised and trained with.</param>
/// <param name="Dataset">A one-line description of the training data.</param>
public sealed record ModelInfo(
    string Precision, string Loss, IReadOnlyList<string> ClassNames, ulong Seed, string Dataset)
{
    /// <summary>The precision name of single-precision (float) networks.</summary>
    public const string Float32 = "float32";

    /// <summary>The precision name of double-precision (double) networks.</summary>
    public const string Float64 = "float64";

    /// <summary>
    /// The precision name of <typeparamref name="T"/>: <see cref="Float32"/> for float,
    /// <see cref="Float64"/> for double, an error for any other type.
    /// </summary>
    public static Fin<string> PrecisionOf<T>()
        where T : struct, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Float32;
        }

        // Fin<string>.Succ spelled out: a bare string would turn into an Error, implicitly.
        return typeof(T) == typeof(double)
            ? Fin<string>.Succ(Float64)
            : Error.New($"precision {typeof(T).Name} is not supported; expected float or double");
    }

    /// <inheritdoc/>
    public bool Equals(ModelInfo? other) =>
        other is not null
        && Precision == other.Precision
        && Loss == other.Loss
        && ClassNames.SequenceEqual(other.ClassNames)
        && Seed == other.Seed
        && Dataset == other.Dataset;

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Precision, Loss, ClassNames.Count, Seed, Dataset);

    /// <inheritdoc/>
    public override string ToString() =>
        $"ModelInfo({Precision}, {Loss}, [{string.Join(", ", ClassNames)}], seed {Seed}, "
        + $"{Dataset})";
}
