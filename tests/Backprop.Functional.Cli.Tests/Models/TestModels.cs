using System;
using System.Linq;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>Networks and infos for the model file tests.</summary>
public static class TestModels
{
    /// <summary>A seeded 3 → 4 → 2 network, ReLU then softmax.</summary>
    public static Network<T> Small<T>(ulong seed = 7)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Network.Initialize<T>(
            [3, 4, 2], Activation.ReLU, Activation.Softmax, Initialization.He, seed);

    /// <summary>The info that goes with <see cref="Small{T}"/>.</summary>
    public static ModelInfo Info<T>(ulong seed = 7)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(
            FinAssert.Succeeds(ModelInfo.PrecisionOf<T>()),
            "softmax-cross-entropy",
            ["no", "yes"],
            seed,
            "crafted");

    /// <summary>
    /// A 3 → 4 → 2 network (tanh, then softmax) whose 26 parameters are the awkward doubles
    /// first (−0, subnormals, the extremes, values with no short decimal form), then finite
    /// doubles of random bit patterns.
    /// </summary>
    public static Network<double> AwkwardDouble(int randomSeed)
    {
        double[] special =
        [
            -0.0, double.Epsilon, -double.Epsilon, 1.0 / 3.0, 0.1, 1e300, -1e-300, double.MaxValue,
            double.MinValue, 2.2250738585072014E-308, 2.2250738585072009E-308, 1.0000000000000002,
            -2.5, 123456789.12345679, Math.PI, -Math.E,
        ];
        var random = new Random(randomSeed);
        var values = special.Concat(Enumerable.Range(0, 100)
            .Select(_ => random.NextInt64(long.MinValue, long.MaxValue))
            .Select(BitConverter.Int64BitsToDouble)
            .Where(double.IsFinite))
            .Take(26).ToArray();
        return Build(values, Activation.Tanh);
    }

    /// <summary>As <see cref="AwkwardDouble"/>, with awkward floats.</summary>
    public static Network<float> AwkwardSingle(int randomSeed)
    {
        float[] special =
        [
            -0.0f, float.Epsilon, -float.Epsilon, 1f / 3f, 0.1f, 3e38f, -1e-38f, float.MaxValue,
            float.MinValue, 1.17549435E-38f, 1.1754942E-38f, 1.0000001f, -2.5f, 16777217f,
            MathF.PI, -MathF.E,
        ];
        var random = new Random(randomSeed);
        var values = special.Concat(Enumerable.Range(0, 100)
            .Select(_ => random.Next(int.MinValue, int.MaxValue))
            .Select(BitConverter.Int32BitsToSingle)
            .Where(float.IsFinite))
            .Take(26).ToArray();
        return Build(values, Activation.Tanh);
    }

    private static Network<T> Build<T>(T[] v, Activation hidden)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var w1 = Matrix<T>.Build.Dense(4, 3, v[..12]);
        var b1 = Vector<T>.Build.Dense(v[12..16]);
        var w2 = Matrix<T>.Build.Dense(2, 4, v[16..24]);
        var b2 = Vector<T>.Build.Dense(v[24..26]);
        return Network.Create(
            Layer.Create(w1, b1, hidden), Layer.Create(w2, b2, Activation.Softmax));
    }
}
