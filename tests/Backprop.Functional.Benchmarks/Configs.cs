using System;
using System.Collections.Generic;
using System.Linq;

namespace Backprop.Functional.Benchmarks;

/// <summary>
/// One end-to-end configuration, as the peers define it: layer sizes, activations, loss, batch
/// size, SGD step and element type. Every peer and this library start from the same weights
/// (SplitMix64 normals) and see the same shuffles (seed + 1000 + epoch).
/// </summary>
/// <param name="Name">The name in tables and on the command line, such as "C2-f32".</param>
/// <param name="Peer">The peers' name for the configuration: C1, C2 or C3.</param>
/// <param name="Sizes">[n₀, hidden…, n_L].</param>
/// <param name="Hidden">The hidden layers' activation.</param>
/// <param name="Output">The output layer's activation.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Initialization">How the starting weights are drawn.</param>
/// <param name="BatchSize">Images per SGD step.</param>
/// <param name="LearningRate">η.</param>
/// <param name="Precision">"float32" or "float64".</param>
internal sealed record EpochConfig(
    string Name,
    string Peer,
    int[] Sizes,
    Activation Hidden,
    Activation Output,
    Loss Loss,
    Initialization Initialization,
    int BatchSize,
    double LearningRate,
    string Precision)
{
    /// <summary>The seed of the weights and shuffles, the peers' SEED.</summary>
    public const ulong Seed = 1234;

    /// <summary>C1: Nielsen's 784-30-10 sigmoid network, quadratic loss, batch 10, η = 3.</summary>
    public static EpochConfig C1 { get; } = new(
        "C1-f64", "C1", [784, 30, 10], Activation.Sigmoid, Activation.Sigmoid, Loss.Quadratic,
        Initialization.StandardNormal, 10, 3.0, "float64");

    /// <summary>C2: 784-128-10 ReLU, softmax and cross-entropy, batch 64, η = 0.1.</summary>
    public static EpochConfig C2Double { get; } = new(
        "C2-f64", "C2", [784, 128, 10], Activation.ReLU, Activation.Softmax,
        Loss.SoftmaxCrossEntropy, Initialization.He, 64, 0.1, "float64");

    /// <summary>C2 in float32.</summary>
    public static EpochConfig C2Single { get; } = C2Double with
    {
        Name = "C2-f32",
        Precision = "float32",
    };

    /// <summary>C3: 784-512-256-10 ReLU, softmax and cross-entropy, batch 256, float32.</summary>
    public static EpochConfig C3 { get; } = new(
        "C3-f32", "C3", [784, 512, 256, 10], Activation.ReLU, Activation.Softmax,
        Loss.SoftmaxCrossEntropy, Initialization.He, 256, 0.1, "float32");

    /// <summary>All four, in the order of the table.</summary>
    public static IReadOnlyList<EpochConfig> All { get; } = [C1, C2Double, C2Single, C3];

    /// <summary>The number of weights (biases excluded), Σ n_(l−1)·n_l.</summary>
    public long Weights => Sizes.Zip(Sizes.Skip(1), (a, b) => (long)a * b).Sum();

    /// <summary>
    /// The work of one epoch by the peers' convention: 6 × weights × samples (2 forward, 4
    /// backward), in floating-point operations.
    /// </summary>
    public double FlopsPerEpoch(int samples) => 6.0 * Weights * samples;

    /// <summary>The configuration called <paramref name="name"/> (case ignored).</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    public static EpochConfig Named(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            $"unknown configuration '{name}'; expected one of "
            + string.Join(", ", All.Select(c => c.Name)));
}
