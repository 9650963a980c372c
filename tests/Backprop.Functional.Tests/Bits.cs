using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// Deep copies and bit-for-bit views of networks, matrices and gradients, for tests that must
/// tell "unchanged" from "equal": −0 equals 0 and a rounded value can print the same.
/// </summary>
public static class Bits
{
    /// <summary>The IEEE 754 bits of every value, column by column.</summary>
    public static long[] Of(Matrix<double> m) =>
        m.ToColumnMajorArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>The IEEE 754 bits of every value.</summary>
    public static long[] Of(Vector<double> v) =>
        v.ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>
    /// The bits of every weight and bias, layer by layer, W column by column, then b.
    /// </summary>
    public static long[] Of(Network<double> network) =>
        network.Layers.SelectMany(l => Of(l.Weights).Concat(Of(l.Bias))).ToArray();

    /// <summary>
    /// The bits of every entry of a gradient, in the order of <see cref="Of(Network{double})"/>.
    /// </summary>
    public static long[] Of(Gradient<double> gradient) =>
        gradient.Layers.SelectMany(l => Of(l.Weights).Concat(Of(l.Bias))).ToArray();

    /// <summary>The bits of every Σ and o of a trace, layer by layer.</summary>
    public static long[] Of(Trace<double> trace) =>
        Of(trace.Input)
            .Concat(trace.Layers.SelectMany(l => Of(l.WeightedInput).Concat(Of(l.Output))))
            .ToArray();

    /// <summary>A network that shares no storage with <paramref name="network"/>.</summary>
    public static Network<double> Copy(Network<double> network) =>
        Network.Create(network.Layers.Map(l =>
            Layer.Create(l.Weights.Clone(), l.Bias.Clone(), l.Activation)));
}
