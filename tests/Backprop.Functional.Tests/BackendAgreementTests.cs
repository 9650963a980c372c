using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// The backend setting is process-wide: tests that switch it run alone, after every parallel
/// collection, so that no other test sees the switch.
/// </summary>
[CollectionDefinition(nameof(BackendSwitching), DisableParallelization = true)]
public sealed class BackendSwitching
{
}

/// <summary>
/// OpenBLAS and MathNet's managed provider compute the same products: Forward and Backward
/// agree to rounding on both, in float64 and float32, for the shapes the benchmarks train.
/// </summary>
/// <remarks>
/// Where OpenBLAS cannot be loaded the tests compare the managed backend with itself, so they
/// pass; CI installs OpenBLAS so that the comparison is real there.
/// </remarks>
[Collection(nameof(BackendSwitching))]
public sealed class BackendAgreementTests
{
    // A product of k terms rounds to within about k·ε of Σ|wᵢxᵢ| (Higham, ch. 3); normwise over a
    // matrix of such sums that is well below 1e-11 in float64 and 1e-4 in float32 for k ≤ 784,
    // and a backend that computed a different product would miss it by many orders.
    private const double DoubleTolerance = 1e-11;
    private const float SingleTolerance = 1e-4f;

    public static IEnumerable<object[]> Shapes =>
    [
        [new[] { 784, 30, 10 }, "sigmoid", "sigmoid", "quadratic", 10],
        [new[] { 784, 128, 10 }, "relu", "softmax", "softmax-cross-entropy", 64],
        [new[] { 50, 40, 20, 10 }, "tanh", "softmax", "softmax-cross-entropy", 7],
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_Backward_agree_in_float64(
        int[] sizes, string hidden, string output, string loss, int batch) =>
        Agree<double>(sizes, hidden, output, loss, batch, DoubleTolerance);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_Backward_agree_in_float32(
        int[] sizes, string hidden, string output, string loss, int batch) =>
        Agree<float>(sizes, hidden, output, loss, batch, SingleTolerance);

    [Fact]
    public void Training_steps_agree_and_each_backend_repeats_its_own_bits()
    {
        var network = Network.Initialize<double>(
            [20, 16, 4], Activation.ReLU, Activation.Softmax, Initialization.He, 3);
        var (x, y) = Batch<double>(20, 4, 64, 11);
        var data = new TrainingData<double>(64, indices => (
            Matrix<double>.Build.DenseOfColumns(indices.Select(x.Column)),
            Matrix<double>.Build.DenseOfColumns(indices.Select(y.Column))));
        var options = new TrainingOptions(
            Optimizer.Sgd(0.1), Loss.SoftmaxCrossEntropy, 8, 5);

        var (blas, blasAgain) = On(Fast, () => (Train(), Train()));
        var (managed, managedAgain) = On(Backend.Managed, () => (Train(), Train()));

        Assert.Equal(Flat(blas), Flat(blasAgain));
        Assert.Equal(Flat(managed), Flat(managedAgain));
        Close(Flat(managed), Flat(blas), DoubleTolerance, "weights after 16 steps");

        Network<double> Train() => Training.Run(network, data, options).Take(16).Last().Network;
    }

    private static Backend Fast =>
        Backends.OpenBlasAvailable ? Backend.OpenBlas : Backend.Managed;

    private static void Agree<T>(
        int[] sizes, string hidden, string output, string loss, int batch, T tolerance)
        where T : struct, IFloatingPointIeee754<T>
    {
        var network = Network.Initialize<T>(
            sizes,
            Activation.Parse(hidden).ThrowIfFail(),
            Activation.Parse(output).ThrowIfFail(),
            Initialization.GlorotUniform,
            17);
        var (x, y) = Batch<T>(sizes[0], sizes[^1], batch, 19);
        var ℓ = Loss.Parse(loss).ThrowIfFail();

        var (blasTrace, blasGradient) = On(Fast, () => Pass(network, x, y, ℓ));
        var (trace, gradient) = On(Backend.Managed, () => Pass(network, x, y, ℓ));

        for (var l = 0; l < sizes.Length - 1; l++)
        {
            var (managed, blas) = (trace.Layers[l], blasTrace.Layers[l]);
            var (Σ, blasΣ) = (managed.WeightedInput, blas.WeightedInput);
            Close(Values(Σ), Values(blasΣ), tolerance, $"Σ{l + 1}");
            Close(Values(managed.Output), Values(blas.Output), tolerance, $"o{l + 1}");
            var (g, h) = (gradient.Layers[l], blasGradient.Layers[l]);
            Close(Values(g.Weights), Values(h.Weights), tolerance, $"∂W{l + 1}");
            Close(g.Bias.ToArray(), h.Bias.ToArray(), tolerance, $"∂b{l + 1}");
        }
    }

    private static (Trace<T> Trace, Gradient<T> Gradient) Pass<T>(
        Network<T> network, Matrix<T> x, Matrix<T> y, Loss loss)
        where T : struct, IFloatingPointIeee754<T>
    {
        var trace = network.Forward(x);
        return (trace, network.Backward(trace, y, loss));
    }

    // Inputs in [0, 1) and one-hot targets, from a seeded stream.
    private static (Matrix<T> X, Matrix<T> Y) Batch<T>(int features, int classes, int m, ulong seed)
        where T : struct, IFloatingPointIeee754<T>
    {
        var (u, _) = Rng.FromSeed(seed).NextUniforms(features * m);
        var x = Matrix<T>.Build.Dense(
            features, m, (i, k) => T.CreateChecked(u[i + (k * features)]));
        var y = Matrix<T>.Build.Dense(
            classes, m, (i, k) => i == (k * 7) % classes ? T.One : T.Zero);
        return (x, y);
    }

    // Runs f with the given backend selected, and puts the default back.
    private static TResult On<TResult>(Backend backend, Func<TResult> f)
    {
        Backends.Use(backend);
        try
        {
            return f();
        }
        finally
        {
            Backends.Use(Fast);
        }
    }

    // max |a − b| ≤ tolerance · max(1, max |a|): normwise, as a sum's rounding scales with it.
    private static void Close<T>(T[] expected, T[] actual, T tolerance, string what)
        where T : struct, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = T.Max(T.One, expected.Max(T.Abs));
        var worst = expected.Zip(actual, (a, b) => T.Abs(a - b)).Max();
        Assert.True(
            worst <= tolerance * scale,
            $"{what}: the backends differ by {worst} (scale {scale}, tolerance {tolerance})");
    }

    private static T[] Values<T>(Matrix<T> m)
        where T : struct, IFloatingPointIeee754<T> => m.ToColumnMajorArray();

    private static double[] Flat(Network<double> network) =>
        network.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias)).ToArray();
}
