using System;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// Where a network or a gradient first holds NaN or ±∞, and the error of an update that made
/// a network's parameters so.
/// </summary>
internal static class Finiteness
{
    /// <summary>The 1-based index of the first layer with a non-finite weight or bias.</summary>
    public static Option<int> FirstNonFinite<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        FirstNonFinite(network.Layers.Map(l => (l.Weights, l.Bias)));

    /// <summary>The 1-based index of the first layer with a non-finite ∂W or ∂b.</summary>
    public static Option<int> FirstNonFinite<T>(Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        FirstNonFinite(gradient.Layers.Map(l => (l.Weights, l.Bias)));

    /// <summary>
    /// The error of an update whose new parameters, <paramref name="updated"/>, are not all
    /// finite: it names the first such layer and whether <paramref name="gradient"/> was.
    /// </summary>
    public static ArithmeticException UpdateFailed<T>(Network<T> updated, Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var layer = FirstNonFinite(updated).IfNone(0);
        var cause = FirstNonFinite(gradient).Match(
            g => $"the gradient of layer {g} is not finite",
            () => "the gradient is finite, but the step or the weights are too large for "
                + typeof(T).Name);
        return new ArithmeticException(
            $"the update made the parameters of layer {layer} NaN or ±∞: {cause}");
    }

    private static Option<int> FirstNonFinite<T>(Seq<(Matrix<T> W, Vector<T> B)> layers)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        layers.Indexed()
            .Find(l => !Dense.AllFinite<T>(Dense.Values(l.Item.W))
                || !Dense.AllFinite<T>(Dense.Values(l.Item.B)))
            .Map(l => l.Index + 1);
}
