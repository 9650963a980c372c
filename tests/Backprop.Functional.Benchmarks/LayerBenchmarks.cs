using System.Collections.Generic;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Benchmarks;

/// <summary>A dense layer's sizes and the batch it sees.</summary>
/// <param name="In">n_(l−1), the inputs.</param>
/// <param name="Out">n_l, the units.</param>
/// <param name="Batch">m, the samples per batch.</param>
public sealed record LayerShape(int In, int Out, int Batch)
{
    /// <inheritdoc/>
    public override string ToString() => $"{In}x{Out} b{Batch}";
}

/// <summary>
/// In-process runs (the benchmark process already has the settings under test), short, with
/// allocations counted.
/// </summary>
public sealed class MicroConfig : ManualConfig
{
    /// <summary>The configuration.</summary>
    public MicroConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// One dense ReLU layer: Forward (W·X + b, f, f′), Backward (δ·Xᵀ, δ·1 and the loss's δ),
/// the input-side product Wᵀ·δ on its own, and the SGD Update, per layer and batch size: the
/// layers of C1, C2 and C3 at their batch sizes, and C2's first layer at other batch sizes.
/// </summary>
[Config(typeof(MicroConfig))]
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class LayerBenchmarks<T>
    where T : struct, IFloatingPointIeee754<T>
{
    private Network<T> _network = null!;
    private Matrix<T> _inputs = null!;
    private Matrix<T> _targets = null!;
    private Trace<T> _trace = null!;
    private Gradient<T> _gradient = null!;
    private Matrix<T> _delta = null!;

    /// <summary>The layer and batch.</summary>
    [ParamsSource(nameof(Shapes))]
    public LayerShape Shape { get; set; } = null!;

    /// <summary>The shapes measured.</summary>
    public static IEnumerable<LayerShape> Shapes =>
    [
        new(784, 30, 10), new(784, 128, 64), new(784, 512, 256), new(512, 256, 256),
        new(256, 10, 256), new(784, 128, 1), new(784, 128, 256), new(784, 128, 1000),
    ];

    /// <summary>A He-initialised layer and a batch of inputs in [0, 1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _network = Network.Initialize<T>(
            [Shape.In, Shape.Out], Activation.ReLU, Activation.ReLU, Initialization.He, 7);
        var (u, _) = Rng.FromSeed(8).NextUniforms((Shape.In + Shape.Out) * Shape.Batch);
        _inputs = Matrix<T>.Build.Dense(
            Shape.In, Shape.Batch, (i, k) => T.CreateChecked(u[i + (k * Shape.In)]));
        _targets = Matrix<T>.Build.Dense(
            Shape.Out, Shape.Batch, (i, k) => T.CreateChecked(u[^(1 + i + (k * Shape.Out))]));
        _trace = _network.Forward(_inputs);
        _gradient = _network.Backward(_trace, _targets, Loss.Quadratic);
        _delta = _trace.Output - _targets;
    }

    /// <summary>Σ = W·X + b, o = f(Σ), f′(Σ): the traced forward pass.</summary>
    [Benchmark]
    public Trace<T> Forward() => _network.Forward(_inputs);

    /// <summary>δ from the loss, ∂W = δ·Xᵀ, ∂b = δ·1.</summary>
    [Benchmark]
    public Gradient<T> Backward() => _network.Backward(_trace, _targets, Loss.Quadratic);

    /// <summary>Wᵀ·δ, the product that carries δ to the layer below.</summary>
    [Benchmark]
    public Matrix<T> TransposeTimes() => Products.TransposeTimes(
        _network.Layers[0].Weights, _delta, Dense.Fresh<T>(Shape.In, Shape.Batch));

    /// <summary>W − η·∂W and b − η·∂b, as a new network.</summary>
    [Benchmark]
    public Network<T> Update() => _network.Update(_gradient, T.CreateChecked(0.1));
}

/// <summary>Forward through C2's first layer at batch 64 on each backend.</summary>
[Config(typeof(MicroConfig))]
public class BackendBenchmarks
{
    private Network<double> _network = null!;
    private Matrix<double> _inputs = null!;

    /// <summary>The backend measured.</summary>
    [Params(Backend.OpenBlas, Backend.Managed)]
    public Backend Backend { get; set; }

    /// <summary>A He-initialised 784 → 128 layer and a batch of 64 inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Backends.Use(Backend);
        _network = Network.Initialize<double>(
            [784, 128], Activation.ReLU, Activation.ReLU, Initialization.He, 7);
        var (u, _) = Rng.FromSeed(8).NextUniforms(784 * 64);
        _inputs = Matrix<double>.Build.Dense(784, 64, u);
    }

    /// <summary>Puts back the default backend.</summary>
    [GlobalCleanup]
    public void Cleanup() =>
        Backends.Use(Backends.OpenBlasAvailable ? Backend.OpenBlas : Backend.Managed);

    /// <summary>The traced forward pass.</summary>
    [Benchmark]
    public Trace<double> Forward() => _network.Forward(_inputs);
}
