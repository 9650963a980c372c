using System;
using System.Numerics.Tensors;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>∂L/∂W (out × in) and ∂L/∂b (length out) for one layer.</summary>
/// <param name="Weights">∂L/∂W, the layer's W shape.</param>
/// <param name="Bias">∂L/∂b, the layer's b length.</param>
public sealed record LayerGradient<T>(Matrix<T> Weights, Vector<T> Bias)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>;

/// <summary>
/// The gradient of a loss with respect to every parameter of a network: one
/// <see cref="LayerGradient{T}"/> per layer, with the network's shapes. Gradients form a
/// vector space: <see cref="Gradient.Zero{T}"/>, +, scaling by a number, and the Euclidean
/// <see cref="Norm"/> over all parameters.
/// </summary>
/// <param name="Layers">One gradient per layer, input side first.</param>
public sealed record Gradient<T>(Seq<LayerGradient<T>> Layers)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>g + h, layer by layer.</summary>
    /// <exception cref="ArgumentException">The two have different shapes.</exception>
    public static Gradient<T> operator +(Gradient<T> g, Gradient<T> h) => Gradient.Add(g, h);

    /// <summary>c·g.</summary>
    public static Gradient<T> operator *(T c, Gradient<T> g) => Gradient.Scale(c, g);

    /// <summary>‖g‖ = √(Σ ∂W² + Σ ∂b²) over all layers.</summary>
    public T Norm => T.Sqrt(Gradient.Dot(this, this));

    /// <summary>Whether every entry is finite.</summary>
    public bool IsFinite => Layers.ForAll(l =>
        Dense.AllFinite<T>(Dense.Values(l.Weights)) && Dense.AllFinite<T>(Dense.Values(l.Bias)));
}

/// <summary>The algebra of <see cref="Gradient{T}"/>.</summary>
public static class Gradient
{
    /// <summary>The zero gradient with the shapes of <paramref name="network"/>.</summary>
    public static Gradient<T> Zero<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(network.Layers.Map(l => new LayerGradient<T>(
            Matrix<T>.Build.Dense(l.OutputSize, l.InputSize),
            Vector<T>.Build.Dense(l.OutputSize))).Strict());

    /// <summary>A copy of <paramref name="g"/> that shares no storage with it.</summary>
    internal static Gradient<T> Copy<T>(Gradient<T> g)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(g.Layers.Map(l => new LayerGradient<T>(l.Weights.Clone(), l.Bias.Clone())).Strict());

    /// <summary>g + h, layer by layer.</summary>
    /// <exception cref="ArgumentException">The two have different shapes.</exception>
    public static Gradient<T> Add<T>(Gradient<T> g, Gradient<T> h)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Combine(g, h, TensorPrimitives.Add);

    /// <summary>c·g, every entry scaled.</summary>
    public static Gradient<T> Scale<T>(T c, Gradient<T> g)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(g.Layers.Map(l => new LayerGradient<T>(
            Dense.Map(l.Weights, (x, d) => TensorPrimitives.Multiply(x, c, d)),
            Dense.Of(Scaled(Dense.Values(l.Bias), c)))).Strict());

    /// <summary>⟨g, h⟩, the sum of the products of matching entries.</summary>
    /// <exception cref="ArgumentException">The two have different shapes.</exception>
    public static T Dot<T>(Gradient<T> g, Gradient<T> h)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        CheckShapes(g, h);
        return g.Layers.Zip(h.Layers).Fold(T.Zero, (sum, pair) =>
            sum
            + TensorPrimitives.Dot<T>(
                Dense.Values(pair.Item1.Weights), Dense.Values(pair.Item2.Weights))
            + TensorPrimitives.Dot<T>(
                Dense.Values(pair.Item1.Bias), Dense.Values(pair.Item2.Bias)));
    }

    /// <summary>(1/k)·Σᵢ gᵢ, the mean of k ≥ 1 gradients, summed in order.</summary>
    /// <exception cref="ArgumentException">There are none, or their shapes differ.</exception>
    public static Gradient<T> Mean<T>(Seq<Gradient<T>> gradients)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        gradients.IsEmpty
            ? throw new ArgumentException(
                "the mean of no gradients is undefined", nameof(gradients))
            : Scale(
                T.One / T.CreateChecked(gradients.Count),
                gradients.Tail.Fold(gradients.Head, Add));

    /// <summary>
    /// Throws unless <paramref name="gradient"/> has the shapes of <paramref name="network"/>.
    /// </summary>
    internal static void CheckMatches<T>(Network<T> network, Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var same = network.Layers.Count == gradient.Layers.Count
            && network.Layers.Zip(gradient.Layers).ForAll(p =>
                p.Item1.OutputSize == p.Item2.Weights.RowCount
                && p.Item1.InputSize == p.Item2.Weights.ColumnCount
                && p.Item1.OutputSize == p.Item2.Bias.Count);
        if (!same)
        {
            throw new ArgumentException(
                $"the gradient has shapes {Describe(gradient)} but the network has "
                + $"[{string.Join(", ", network.Layers.Map(l => Shapes.Describe(l.Weights)))}]",
                nameof(gradient));
        }
    }

    private static Gradient<T> Combine<T>(Gradient<T> g, Gradient<T> h, SpanZip<T> f)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        CheckShapes(g, h);
        return new(g.Layers.Zip(h.Layers).Map(pair => new LayerGradient<T>(
            Dense.Zip(pair.Item1.Weights, pair.Item2.Weights, f),
            Dense.Of(Zipped(Dense.Values(pair.Item1.Bias), Dense.Values(pair.Item2.Bias), f))))
            .Strict());
    }

    private static T[] Scaled<T>(T[] x, T c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = new T[x.Length];
        TensorPrimitives.Multiply(x, c, result);
        return result;
    }

    private static T[] Zipped<T>(T[] x, T[] y, SpanZip<T> f)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var result = new T[x.Length];
        f(x, y, result);
        return result;
    }

    private static void CheckShapes<T>(Gradient<T> g, Gradient<T> h)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var same = g.Layers.Count == h.Layers.Count && g.Layers.Zip(h.Layers).ForAll(p =>
            p.Item1.Weights.RowCount == p.Item2.Weights.RowCount
            && p.Item1.Weights.ColumnCount == p.Item2.Weights.ColumnCount
            && p.Item1.Bias.Count == p.Item2.Bias.Count);
        if (!same)
        {
            throw new ArgumentException(
                $"gradients have different shapes: {Describe(g)} and {Describe(h)}");
        }
    }

    private static string Describe<T>(Gradient<T> g)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        "[" + string.Join(", ", g.Layers.Map(l => Shapes.Describe(l.Weights))) + "]";
}
