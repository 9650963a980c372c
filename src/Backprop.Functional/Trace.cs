using LanguageExt;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>
/// What one layer's forward pass leaves for Backward, for a batch of m samples.
/// </summary>
/// <param name="Activation">f, the layer's activation.</param>
/// <param name="WeightedInput">Σ = W·x + b, out × m (the logits, at the output layer).</param>
/// <param name="Output">o = f(Σ), out × m.</param>
/// <param name="Jacobian">∂o/∂Σ in compact form: f′(Σ) for elementwise activations.</param>
public sealed record LayerTrace<T>(
    Activation Activation, Matrix<T> WeightedInput, Matrix<T> Output, Jacobian<T> Jacobian)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>The scaled dropout mask of this layer, if dropout was applied to it.</summary>
    public Option<Matrix<T>> Mask =>
        Jacobian is MaskedJacobian<T> masked ? Prelude.Some(masked.Mask) : Prelude.None;
}

/// <summary>
/// The record of a forward pass: the input batch and, per layer, Σ, o and ∂o/∂Σ. Backward folds
/// over it from the output side; nothing in it is a buffer that anything writes into.
/// </summary>
/// <param name="Input">x = o₀, n₀ × m, one sample a column.</param>
/// <param name="Layers">One <see cref="LayerTrace{T}"/> per layer, input side first.</param>
public sealed record Trace<T>(Matrix<T> Input, Seq<LayerTrace<T>> Layers)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>o_L, the network's output, n_L × m.</summary>
    public Matrix<T> Output => Layers.Last.Output;

    /// <summary>The output layer's trace, which a <see cref="Loss"/> reads.</summary>
    public LayerTrace<T> OutputLayer => Layers.Last;

    /// <summary>m, the number of samples.</summary>
    public int BatchSize => Input.ColumnCount;

    /// <summary>
    /// o_(l−1) for each layer l = 1 … L: the input, then every layer's output but the last.
    /// </summary>
    public Seq<Matrix<T>> LayerInputs => Input.Cons(Layers.Init.Map(l => l.Output));
}
