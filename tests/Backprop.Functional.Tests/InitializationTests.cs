using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Network.Initialize: the same seed gives the same bits, other seeds other weights, a float32
/// network is its float64 twin rounded, and each scheme draws from the distribution it names.
/// </summary>
/// <remarks>
/// The statistics are of one seeded draw, so these tests are deterministic; the tolerances say
/// how far a correct sampler may plausibly stray, in standard errors. For n independent normal
/// draws the sample standard deviation has a relative standard error of about 1/√(2n), and the
/// sample mean a standard error of σ/√n.
/// </remarks>
public sealed class InitializationTests
{
    private const ulong Seed = 20240607;

    /// <summary>Standard errors allowed before a statistic is implausible: 5 (p ≈ 6e-7).</summary>
    private const double StandardErrors = 5;

    public static TheoryData<Initialization> Schemes => new(Enum.GetValues<Initialization>());

    [Theory]
    [MemberData(nameof(Schemes))]
    public void The_same_seed_gives_the_same_bits(Initialization scheme)
    {
        var first = Network.Initialize<double>(
            [5, 7, 3], Activation.Tanh, Activation.Sigmoid, scheme, Seed);
        var second = Network.Initialize<double>(
            [5, 7, 3], Activation.Tanh, Activation.Sigmoid, scheme, Seed);

        Assert.Equal(Bits.Of(first), Bits.Of(second));
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Different_seeds_give_different_weights(Initialization scheme)
    {
        var first = Network.Initialize<double>(
            [5, 7, 3], Activation.Tanh, Activation.Sigmoid, scheme, Seed);
        var second = Network.Initialize<double>(
            [5, 7, 3], Activation.Tanh, Activation.Sigmoid, scheme, Seed + 1);

        // Continuous draws from two streams coincide with probability 0: every weight differs.
        var pairs = first.Layers.Zip(second.Layers).ToArray();
        Assert.All(pairs, p => Assert.All(
            p.Item1.Weights.Enumerate().Zip(p.Item2.Weights.Enumerate(), (a, b) => a - b),
            difference => Assert.NotEqual(0.0, difference)));
        Assert.NotEqual(first, second);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void A_float32_network_is_the_float64_network_rounded(Initialization scheme)
    {
        var wide = Network.Initialize<double>(
            [5, 7, 3], Activation.ReLU, Activation.Identity, scheme, Seed);
        var narrow = Network.Initialize<float>(
            [5, 7, 3], Activation.ReLU, Activation.Identity, scheme, Seed);

        var rounded = wide.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias))
            .Select(v => BitConverter.SingleToInt32Bits((float)v));
        var actual = narrow.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias))
            .Select(BitConverter.SingleToInt32Bits);
        Assert.Equal(rounded, actual);
    }

    [Fact]
    public void The_layers_have_the_requested_sizes_and_activations()
    {
        var network = Network.Initialize<double>(
            [4, 6, 5, 2], Activation.Softplus, Activation.Softmax, Initialization.He, Seed);

        // Compared as arrays: a collection expression typed as an immutable Seq would be empty.
        Assert.Equal([4, 6, 5, 2], network.Sizes.ToArray());
        Assert.Equal(
            [Activation.Softplus, Activation.Softplus, Activation.Softmax],
            network.Layers.Map(l => l.Activation).ToArray());
        Assert.Equal((4 * 6) + 6 + (6 * 5) + 5 + (5 * 2) + 2, network.ParameterCount);
    }

    [Fact]
    public void He_weights_have_standard_deviation_root_two_over_fan_in_and_zero_biases()
    {
        // 1000 inputs, 500 units: 500 000 weights, so the standard deviation is known to
        // 1/√(10⁶) = 0.1% and the mean to σ/√(5·10⁵).
        var layer = OneLayer(1000, 500, Initialization.He);

        AssertNormal(layer.Weights.Enumerate().ToArray(), Math.Sqrt(2.0 / 1000));
        Assert.All(layer.Bias, b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void Glorot_normal_weights_have_standard_deviation_root_two_over_fan_in_plus_out()
    {
        var layer = OneLayer(600, 400, Initialization.GlorotNormal);

        AssertNormal(layer.Weights.Enumerate().ToArray(), Math.Sqrt(2.0 / (600 + 400)));
        Assert.All(layer.Bias, b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void Scaled_normal_weights_have_standard_deviation_one_over_root_fan_in()
    {
        // Its biases are N(0, 1): 2000 of them give σ to about 1/√4000 ≈ 1.6%.
        var layer = OneLayer(300, 2000, Initialization.ScaledNormal);

        AssertNormal(layer.Weights.Enumerate().ToArray(), 1.0 / Math.Sqrt(300));
        AssertNormal(layer.Bias.ToArray(), 1.0);
    }

    [Fact]
    public void Standard_normal_weights_and_biases_have_standard_deviation_one()
    {
        var layer = OneLayer(200, 2000, Initialization.StandardNormal);

        AssertNormal(layer.Weights.Enumerate().ToArray(), 1.0);
        AssertNormal(layer.Bias.ToArray(), 1.0);
    }

    [Fact]
    public void Glorot_uniform_weights_fill_the_interval_plus_minus_root_six_over_fan_in_plus_out()
    {
        var a = Math.Sqrt(6.0 / (400 + 600));
        var w = OneLayer(400, 600, Initialization.GlorotUniform).Weights.Enumerate().ToArray();

        // Inside [−a, a]; 240 000 uniform draws reach within 1e-4·a of both ends (each end is
        // missed with probability (1 − 5e-5)^240000 ≈ 6e-6). The mean is 0 and σ = a/√3; for a
        // uniform the sample standard deviation has a relative standard error of √0.2/√n.
        Assert.All(w, x => Assert.InRange(x, -a, a));
        Assert.True(w.Max() > a * (1 - 1e-4), $"max {w.Max()} of {a}");
        Assert.True(w.Min() < -a * (1 - 1e-4), $"min {w.Min()} of {-a}");
        var σ = a / Math.Sqrt(3);
        var meanBound = StandardErrors * σ / Math.Sqrt(w.Length);
        var spreadBound = StandardErrors * Math.Sqrt(0.2 / w.Length);
        Assert.InRange(w.Average(), -meanBound, meanBound);
        Assert.InRange(StandardDeviation(w) / σ, 1 - spreadBound, 1 + spreadBound);
    }

    [Fact]
    public void Normal_draws_have_normal_tails()
    {
        // Box–Muller must give tails, not just the right variance: P(|z| > 2) = 4.55% and
        // P(|z| > 3) = 0.27% for a standard normal. With 10⁶ draws their standard errors are
        // 0.46% and 1.9% of those values; 3% and 12% are six or more standard errors.
        var (z, _) = Rng.FromSeed(Seed).NextNormals(1_000_000);

        var beyond2 = z.Count(v => Math.Abs(v) > 2) / (double)z.Length;
        var beyond3 = z.Count(v => Math.Abs(v) > 3) / (double)z.Length;

        Assert.InRange(beyond2, 0.0455 * 0.97, 0.0455 * 1.03);
        Assert.InRange(beyond3, 0.0027 * 0.88, 0.0027 * 1.12);
    }

    private static Layer<double> OneLayer(int nIn, int nOut, Initialization scheme) =>
        Network.Initialize<double>([nIn, nOut], Activation.ReLU, Activation.Identity, scheme, Seed)
            .Layers.Head;

    private static void AssertNormal(double[] x, double σ)
    {
        var n = x.Length;
        var meanBound = StandardErrors * σ / Math.Sqrt(n);
        var spreadBound = StandardErrors / Math.Sqrt(2.0 * n);

        Assert.InRange(x.Average(), -meanBound, meanBound);
        Assert.InRange(StandardDeviation(x) / σ, 1 - spreadBound, 1 + spreadBound);
    }

    private static double StandardDeviation(double[] x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }
}
