using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>How <c>Network.Initialize</c> draws the starting weights and biases.</summary>
public enum Initialization
{
    /// <summary>W and b ~ N(0, 1), as in Nielsen's network.py.</summary>
    StandardNormal,

    /// <summary>W ~ N(0, 1/n_in), b ~ N(0, 1), as network2.py's default.</summary>
    ScaledNormal,

    /// <summary>Glorot/Xavier uniform: W ~ U(−a, a), a = √(6/(n_in + n_out)); b = 0.</summary>
    GlorotUniform,

    /// <summary>Glorot/Xavier normal: W ~ N(0, 2/(n_in + n_out)); b = 0.</summary>
    GlorotNormal,

    /// <summary>He (Kaiming) normal, for ReLU layers: W ~ N(0, 2/n_in); b = 0.</summary>
    He,
}

/// <content>Seeded random initialisation.</content>
public static partial class Network
{
    /// <summary>
    /// A network of the given sizes [n₀, …, n_L] whose hidden layers use <paramref name="hidden"/>
    /// and whose output layer uses <paramref name="output"/>, with weights drawn by
    /// <paramref name="scheme"/> from one <see cref="Rng"/> stream seeded with
    /// <paramref name="seed"/>: per layer, W row by row, then b when the scheme draws biases.
    /// </summary>
    /// <remarks>
    /// The values are drawn in float64 and rounded to <typeparamref name="T"/>, so a float32
    /// network is the float64 one rounded. The same seed gives the same bits on any machine.
    /// </remarks>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or a layer
    /// with more weights n_(l−1)·n_l than one array can hold (<see cref="Array.MaxLength"/>),
    /// found before anything is allocated.</exception>
    public static Network<T> Initialize<T>(
        IReadOnlyList<int> sizes,
        Activation hidden,
        Activation output,
        Initialization scheme,
        ulong seed)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (sizes.Count < 2 || sizes.Any(n => n < 1))
        {
            throw new ArgumentException(
                $"sizes must be at least two positive numbers [input, …, output], got "
                + $"[{string.Join(", ", sizes)}]", nameof(sizes));
        }

        // W of a layer is one array of n_in·n_out values: refused before any is allocated.
        var tooLarge = Enumerable.Range(1, sizes.Count - 1)
            .FirstOrDefault(l => (long)sizes[l - 1] * sizes[l] > System.Array.MaxLength);
        if (tooLarge > 0)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"layer {tooLarge} ({sizes[tooLarge - 1]} → {sizes[tooLarge]}) would have "
                    + $"{(long)sizes[tooLarge - 1] * sizes[tooLarge]:N0} weights, more than one "
                    + $"array can hold ({System.Array.MaxLength:N0}), in sizes "
                    + $"[{string.Join(", ", sizes)}]"),
                nameof(sizes));
        }

        var count = sizes.Count - 1;
        var rng = Rng.FromSeed(seed);
        var layers = new Layer<T>[count];
        for (var l = 0; l < count; l++)
        {
            var (nIn, nOut) = (sizes[l], sizes[l + 1]);
            (var w, rng) = DrawWeights(scheme, nIn, nOut, rng);
            (var b, rng) = DrawBiases(scheme, nOut, rng);
            var activation = l == count - 1 ? output : hidden;
            layers[l] = new Layer<T>(
                Dense.Of(nOut, nIn, RowMajorToColumnMajor<T>(w, nOut, nIn)),
                Dense.Of(b.Select(T.CreateChecked).ToArray()),
                activation);
        }

        return new Network<T>(toSeq(layers));
    }

    private static (double[] Values, Rng Next) DrawWeights(
        Initialization scheme, int nIn, int nOut, Rng rng)
    {
        var n = nIn * nOut;
        if (scheme == Initialization.GlorotUniform)
        {
            var a = Math.Sqrt(6.0 / (nIn + nOut));
            var (u, next) = rng.NextUniforms(n);
            return (u.Select(x => a * ((2.0 * x) - 1.0)).ToArray(), next);
        }

        var σ = scheme switch
        {
            Initialization.StandardNormal => 1.0,
            Initialization.ScaledNormal => 1.0 / Math.Sqrt(nIn),
            Initialization.GlorotNormal => Math.Sqrt(2.0 / (nIn + nOut)),
            Initialization.He => Math.Sqrt(2.0 / nIn),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown scheme"),
        };
        var (g, after) = rng.NextNormals(n);
        return (σ == 1.0 ? g : g.Select(x => x * σ).ToArray(), after);
    }

    private static (double[] Values, Rng Next) DrawBiases(
        Initialization scheme, int nOut, Rng rng) =>
        scheme is Initialization.StandardNormal or Initialization.ScaledNormal
            ? rng.NextNormals(nOut)
            : (new double[nOut], rng);

    private static T[] RowMajorToColumnMajor<T>(double[] rowMajor, int rows, int columns)
        where T : struct, IFloatingPointIeee754<T>
    {
        var columnMajor = new T[rows * columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                columnMajor[i + (j * rows)] = T.CreateChecked(rowMajor[(i * columns) + j]);
            }
        }

        return columnMajor;
    }
}
