using System;
using System.Linq;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// The parameters of a network, or anything with its shapes (a gradient, an optimizer's moment),
/// as one flat list of arrays: W₁, b₁, W₂, b₂, … (W column-major). Optimizers work on these.
/// </summary>
internal static class Parameters
{
    /// <summary>The arrays of a gradient, for reading only.</summary>
    public static T[][] Of<T>(Gradient<T> g)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        g.Layers.SelectMany(l => new[] { Dense.Values(l.Weights), Dense.Values(l.Bias) }).ToArray();

    /// <summary>The arrays of a network's weights and biases, for reading only.</summary>
    public static T[][] Of<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Layers.SelectMany(l => new[] { Dense.Values(l.Weights), Dense.Values(l.Bias) })
            .ToArray();

    /// <summary>Whether array i of the list holds biases (odd positions).</summary>
    public static bool IsBias(int i) => i % 2 == 1;

    /// <summary>
    /// A gradient with the network's shapes over the given arrays, which it takes over.
    /// </summary>
    public static Gradient<T> ToGradient<T>(Network<T> shapes, T[][] arrays)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(toSeq(shapes.Layers.Select((l, i) => new LayerGradient<T>(
            Dense.Of(l.OutputSize, l.InputSize, arrays[2 * i]),
            Dense.Of(arrays[(2 * i) + 1]))).ToArray()));

    /// <summary>
    /// A network with the given layers' activations over new arrays, which it takes over.
    /// </summary>
    public static Network<T> ToNetwork<T>(Network<T> shapes, T[][] arrays)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(toSeq(shapes.Layers.Select((l, i) => new Layer<T>(
            Dense.Of(l.OutputSize, l.InputSize, arrays[2 * i]),
            Dense.Of(arrays[(2 * i) + 1]),
            l.Activation)).ToArray()));

    /// <summary>New zero arrays with the shapes of <paramref name="like"/>.</summary>
    public static T[][] Zeros<T>(T[][] like)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        like.Select(a => new T[a.Length]).ToArray();

    /// <summary>f applied array by array, into new arrays.</summary>
    public static T[][] Map<T>(T[][] x, Func<int, T[], T[]> f)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        x.Select((a, i) => f(i, a)).ToArray();
}
