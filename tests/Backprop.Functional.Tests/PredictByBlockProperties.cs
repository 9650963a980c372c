using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// In <c>Predict</c>, each part of a cut product applies ReLU or leaky ReLU to its own block of
/// Σ right after computing it. The output keeps the bits of the traced forward pass (which
/// applies f after the whole product) for products cut across C's rows, across its columns,
/// across the dot products, and not cut at all, in float32 and float64.
/// </summary>
public sealed class PredictByBlockProperties
{
    /// <summary>Two hidden layers of 1 to 300 units over 1 to 900 inputs and batches of 1 to
    /// 300 (products from a few multiply-adds to 8·10⁷, cut every way), ReLU or a leaky ReLU,
    /// inputs of both signs with zeros.</summary>
    private static Gen<(int[] Sizes, int Batch, double Slope, int Seed)> Cases { get; } =
        from inputs in Gen.Elements(3, 40, 300, 900)
        from first in Gen.Choose(1, 300)
        from second in Gen.Choose(1, 300)
        from batch in Gen.Elements(1, 7, 64, 130, 300)
        from slope in Gen.Elements(0.0, 0.01, 0.2)
        from seed in Gen.Choose(0, 100_000)
        select (new[] { inputs, first, second, 10 }, batch, slope, seed);

    [Property(MaxTest = 40)]
    public Property Predict_has_the_bits_of_the_traced_pass_in_float64() =>
        Prop.ForAll(Cases.ToArbitrary(), c => Same<double>(c));

    [Property(MaxTest = 40)]
    public Property Predict_has_the_bits_of_the_traced_pass_in_float32() =>
        Prop.ForAll(Cases.ToArbitrary(), c => Same<float>(c));

    private static Property Same<T>((int[] Sizes, int Batch, double Slope, int Seed) c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var hidden = c.Slope == 0.0 ? Activation.ReLU : Activation.LeakyReLU(c.Slope);
        var network = Network.Initialize<T>(
            c.Sizes, hidden, Activation.Softmax, Initialization.He, (ulong)c.Seed);
        var random = new Random(c.Seed);
        var x = Matrix<T>.Build.Dense(c.Sizes[0], c.Batch, (_, _) =>
            random.Next(4) == 0 ? T.Zero : T.CreateTruncating((2 * random.NextDouble()) - 1));

        var traced = BitsOf(network.Forward(x).Output);
        var predicted = BitsOf(network.Predict(x));

        return Prop.Label(
            traced.SequenceEqual(predicted),
            $"{string.Join("-", c.Sizes)}, batch {c.Batch}, slope {c.Slope}, seed {c.Seed}");

        static long[] BitsOf(Matrix<T> m) => m.ToColumnMajorArray()
            .Select(v => BitConverter.DoubleToInt64Bits(double.CreateTruncating(v))).ToArray();
    }
}
