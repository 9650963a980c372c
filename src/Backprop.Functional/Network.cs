using System.Linq;
using System.Numerics;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// A dense feed-forward network: a sequence of layers, each one's input size the previous one's
/// output size. Sizes [n₀, n₁, …, n_L] give L layers; layer l has W_l of n_l × n_(l−1).
/// </summary>
/// <remarks>
/// Networks are immutable records with value equality (two networks are equal when every
/// weight, bias and activation is). Nothing in the library changes a network: training returns
/// new ones. NOTE: the MathNet matrices inside are mutable, so the immutability is shallow:
/// never write into the matrices a network hands out. See docs/limitations.md.
/// </remarks>
public sealed record Network<T>
    where T : struct, IFloatingPointIeee754<T>
{
    internal Network(Seq<Layer<T>> layers)
    {
        Layers = layers;
    }

    /// <summary>The layers, input side first.</summary>
    public Seq<Layer<T>> Layers { get; }

    /// <summary>n₀, the size of one input sample.</summary>
    public int InputSize => Layers.Head.InputSize;

    /// <summary>n_L, the size of one output.</summary>
    public int OutputSize => Layers.Last.OutputSize;

    /// <summary>[n₀, n₁, …, n_L].</summary>
    public Seq<int> Sizes => Layers.Head.InputSize.Cons(Layers.Map(l => l.OutputSize));

    /// <summary>The number of weights and biases in all layers.</summary>
    public int ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>The activation of the output layer.</summary>
    public Activation OutputActivation => Layers.Last.Activation;

    /// <inheritdoc/>
    public override string ToString() =>
        $"Network({string.Join(" → ", Sizes)}; "
        + $"{string.Join(", ", Layers.Map(l => l.Activation.Name))})";
}

/// <summary>Factories for <see cref="Network{T}"/>.</summary>
public static partial class Network
{
    /// <summary>
    /// A network from its layers, checking that there is at least one and that each layer's
    /// input size is the previous layer's output size.
    /// </summary>
    public static Fin<Network<T>> TryCreate<T>(Seq<Layer<T>> layers)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (layers.IsEmpty)
        {
            return FinFail<Network<T>>(Error.New("a network needs at least one layer"));
        }

        var mismatch = layers.Zip(layers.Tail).Indexed()
            .Find(p => p.Item.Item1.OutputSize != p.Item.Item2.InputSize);
        return mismatch.Match(
            Some: p => FinFail<Network<T>>(Error.New(
                $"layer {p.Index + 1} has {Plural.Of(p.Item.Item1.OutputSize, "output")} "
                + $"(W is {Shapes.Describe(p.Item.Item1.Weights)}) but layer {p.Index + 2} expects "
                + $"{Plural.Of(p.Item.Item2.InputSize, "input")} "
                + $"(W is {Shapes.Describe(p.Item.Item2.Weights)})")),
            None: () => FinSucc(new Network<T>(layers.Strict())));
    }

    /// <summary>
    /// As <see cref="TryCreate{T}(Seq{Layer{T}})"/>, throwing on mismatched layers.
    /// </summary>
    /// <exception cref="System.ArgumentException">No layers, or adjacent sizes
    /// disagree.</exception>
    public static Network<T> Create<T>(Seq<Layer<T>> layers)
        where T : struct, IFloatingPointIeee754<T> =>
        TryCreate(layers).OrThrow(nameof(layers));

    /// <summary>As <see cref="Create{T}(Seq{Layer{T}})"/>, from an array of layers.</summary>
    public static Network<T> Create<T>(params Layer<T>[] layers)
        where T : struct, IFloatingPointIeee754<T> =>
        Create(toSeq(layers.ToArray()));
}
