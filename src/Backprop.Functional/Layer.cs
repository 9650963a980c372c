using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// One dense layer: o = f(Σ) with Σ = W·x + b, for a batch x of in × m (one sample a column).
/// </summary>
/// <remarks>
/// NOTE: MathNet matrices are mutable, so a layer is only shallowly immutable. The core never
/// writes into <see cref="Weights"/> or <see cref="Bias"/>, and <see cref="Layer.Create{T}"/>
/// copies what it is given; writing into the matrices a layer hands out is the one way to break
/// it. See docs/limitations.md.
/// </remarks>
public sealed record Layer<T>
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    internal Layer(Matrix<T> weights, Vector<T> bias, Activation activation)
    {
        Weights = weights;
        Bias = bias;
        Activation = activation;
    }

    /// <summary>W, out × in: row i holds the weights into unit i.</summary>
    public Matrix<T> Weights { get; }

    /// <summary>b, length out.</summary>
    public Vector<T> Bias { get; }

    /// <summary>f, the activation applied to Σ.</summary>
    public Activation Activation { get; }

    /// <summary>The number of inputs, the columns of W.</summary>
    public int InputSize => Weights.ColumnCount;

    /// <summary>The number of units, the rows of W and the length of b.</summary>
    public int OutputSize => Weights.RowCount;

    /// <summary>The number of parameters, out·in + out.</summary>
    public int ParameterCount => (OutputSize * InputSize) + OutputSize;

    /// <inheritdoc/>
    public override string ToString() => $"Dense({InputSize} => {OutputSize}, {Activation.Name})";
}

/// <summary>Factories for <see cref="Layer{T}"/>.</summary>
public static class Layer
{
    /// <summary>
    /// A layer from copies of W (out × in) and b (length out), after checking that the shapes
    /// agree, neither is empty and every value is finite.
    /// </summary>
    public static Fin<Layer<T>> TryCreate<T>(
        Matrix<T> weights, Vector<T> bias, Activation activation)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (weights.RowCount == 0 || weights.ColumnCount == 0)
        {
            return FinFail<Layer<T>>(Error.New(
                $"weights are {Shapes.Describe(weights)}; a layer needs at least one input "
                + "and one unit"));
        }

        if (bias.Count != weights.RowCount)
        {
            return FinFail<Layer<T>>(Error.New(
                $"weights are {Shapes.Describe(weights)} (out × in) but the bias has length "
                + $"{bias.Count}; expected {weights.RowCount}"));
        }

        return
            from w in Shapes.CheckFinite("weights", weights)
            from b in Shapes.CheckFinite("bias", bias.ToColumnMatrix())
            select new Layer<T>(weights.Clone(), bias.Clone(), activation);
    }

    /// <summary>As <see cref="TryCreate{T}"/>, throwing on bad shapes or values.</summary>
    /// <exception cref="System.ArgumentException">The shapes disagree or a value is not
    /// finite.</exception>
    public static Layer<T> Create<T>(Matrix<T> weights, Vector<T> bias, Activation activation)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        TryCreate(weights, bias, activation).OrThrow(nameof(weights));
}
