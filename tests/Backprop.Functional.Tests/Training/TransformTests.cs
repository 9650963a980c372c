using System;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// The gradient transforms, read off one SGD update with η = 1: from θ the update gives
/// θ − d, so the direction d the transforms produce is θ − θ′ (exactly −θ′ when θ = 0).
/// </summary>
public sealed class TransformTests
{
    private const double Tol = 1e-15;

    // A 1 → 2 → 1 network: W₁ (2), b₁ (2), W₂ (2), b₂ (1), seven parameters in all.
    private static readonly Network<double> Zero =
        Fixtures.WithParameters(Fixtures.Seeded(1, Activation.Identity, 1, 2, 1), new double[7]);

    // The gradient (1, 2, 2, 4, 1, 2, 2): squares 1 + 4 + 4 + 16 + 1 + 4 + 4, so ‖g‖ = √34.
    private static readonly double[] G = [1, 2, 2, 4, 1, 2, 2];

    [Fact]
    public void Clip_by_norm_scales_a_large_gradient_to_the_threshold()
    {
        var d = Direction(Optimizer.Sgd(1.0).With(Transform.ClipByNorm(2.0)), Zero, G);

        Fixtures.Near(2.0, Norm(d), Tol, "‖clipped g‖");
        for (var i = 0; i < G.Length; i++)
        {
            Fixtures.Near(G[i] * 2.0 / Math.Sqrt(34), d[i], Tol, $"entry {i}");
        }
    }

    [Theory]
    [InlineData(6.0)]          // above √34 ≈ 5.83
    [InlineData(1000.0)]
    public void Clip_by_norm_leaves_a_small_gradient_unchanged(double threshold)
    {
        var d = Direction(Optimizer.Sgd(1.0).With(Transform.ClipByNorm(threshold)), Zero, G);

        Fixtures.SameBits(G, d, "the gradient under the threshold");
    }

    [Fact]
    public void Clip_by_value_clamps_each_entry()
    {
        double[] g = [3, -0.2, -7, 0.4, 0.5, -0.5, 1e300];

        var d = Direction(Optimizer.Sgd(1.0).With(Transform.ClipByValue(0.5)), Zero, g);

        Assert.Equal(new[] { 0.5, -0.2, -0.5, 0.4, 0.5, -0.5, 0.5 }, d);
    }

    [Fact]
    public void L2_adds_lambda_theta_to_the_weights_gradient_only()
    {
        // θ = (1, …, 7), λ = 0.1: d = g + 0.1·θ on W₁ and W₂ (entries 0, 1, 4, 5), d = g on b.
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);

        var d = Direction(Optimizer.Sgd(1.0).With(Transform.L2(0.1)), network, G);

        double[] expected = [1.1, 2.2, 2, 4, 1.5, 2.6, 2];
        AllNear(expected, d, 1e-14, "g + λθ on weights");
    }

    [Fact]
    public void L2_with_biases_penalises_every_parameter()
    {
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);

        var d = Direction(
            Optimizer.Sgd(1.0).With(Transform.L2(0.1, includeBiases: true)), network, G);

        AllNear(G.Select((g, i) => g + (0.1 * θ[i])).ToArray(), d, 1e-14, "g + λθ everywhere");
    }

    [Fact]
    public void Weight_decay_is_decoupled_from_the_moments()
    {
        // Adam, first step: the moments see g alone, so d = g/(|g| + ε) + λθ on weights. With
        // the coupled L2 they see g + λθ and d = (g + λθ)/(|g + λθ| + ε): about ±1 per entry.
        const double λ = 0.5;
        const double ε = 1e-8;
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);
        static bool IsWeight(int i) => i is 0 or 1 or 4 or 5;

        var decoupled = Direction(
            Optimizer.Adam(Schedule.Constant(1.0)).With(Transform.WeightDecay(λ)), network, G);
        var coupled = Direction(
            Optimizer.Adam(Schedule.Constant(1.0)).With(Transform.L2(λ)), network, G);

        AllNear(
            G.Select((g, i) => (g / (g + ε)) + (IsWeight(i) ? λ * θ[i] : 0)).ToArray(),
            decoupled,
            1e-14,
            "decoupled");
        AllNear(
            G.Select((g, i) => IsWeight(i) ? (g + (λ * θ[i])) / (g + (λ * θ[i]) + ε) : g / (g + ε))
                .ToArray(),
            coupled,
            1e-14,
            "coupled");
    }

    [Fact]
    public void Weight_decay_spares_biases_unless_asked()
    {
        // SGD, η = 0.5, λ = 0.1: θ′ = θ − 0.5(g + 0.1θ) on weights, θ − 0.5g on biases.
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);
        static bool IsWeight(int i) => i is 0 or 1 or 4 or 5;

        var spared = Fixtures.Flat(Step(
            Optimizer.Sgd(0.5).With(Transform.WeightDecay(0.1)), network, G));
        var all = Fixtures.Flat(Step(
            Optimizer.Sgd(0.5).With(Transform.WeightDecay(0.1, includeBiases: true)), network, G));

        AllNear(
            θ.Select((t, i) => t - (0.5 * (G[i] + (IsWeight(i) ? 0.1 * t : 0)))).ToArray(),
            spared,
            1e-14,
            "biases excluded");
        AllNear(θ.Select((t, i) => t - (0.5 * (G[i] + (0.1 * t)))).ToArray(), all, 1e-14, "all");
    }

    [Fact]
    public void Transforms_before_the_optimizer_apply_in_the_order_given()
    {
        // θ = (1, …, 7), λ = 1, c = 1. Clip then L2: g·(1/√34) + λθ on weights.
        // L2 then clip: (g + λθ on weights) scaled to norm 1.
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);
        static bool IsWeight(int i) => i is 0 or 1 or 4 or 5;
        var penalised = G.Select((g, i) => g + (IsWeight(i) ? θ[i] : 0)).ToArray();
        var penalisedNorm = Math.Sqrt(penalised.Sum(x => x * x));

        var clipFirst = Direction(
            Optimizer.Sgd(1.0).With(Transform.ClipByNorm(1), Transform.L2(1)), network, G);
        var l2First = Direction(
            Optimizer.Sgd(1.0).With(Transform.L2(1), Transform.ClipByNorm(1)), network, G);

        AllNear(
            G.Select((g, i) => (g / Math.Sqrt(34)) + (IsWeight(i) ? θ[i] : 0)).ToArray(),
            clipFirst,
            1e-14,
            "clip → L2");
        AllNear(penalised.Select(x => x / penalisedNorm).ToArray(), l2First, 1e-14, "L2 → clip");
    }

    [Fact]
    public void A_chain_clip_decay_adam_is_one_optimizer_applied_in_order()
    {
        // clip-norm(1) → weight-decay(0.5) → Adam(η = 1), one step from θ = (1, …, 7):
        // ĝ = g/√34 (clipped first), Adam's first step gives ĝ/(|ĝ| + ε), then the decay adds
        // 0.5·θ on weights, after Adam.
        const double ε = 1e-8;
        var θ = Enumerable.Range(1, 7).Select(i => (double)i).ToArray();
        var network = Fixtures.WithParameters(Zero, θ);
        static bool IsWeight(int i) => i is 0 or 1 or 4 or 5;

        var chain = Optimizer.Adam(Schedule.Constant(1.0))
            .With(Transform.ClipByNorm(1), Transform.WeightDecay(0.5));
        var d = Direction(chain, network, G);

        Assert.StartsWith("clip-norm(1) → weight-decay(0.5) → adam(", chain.Name);
        Assert.Equal(2, chain.Transforms.Count);
        var expected = G.Select((g, i) =>
        {
            var ĝ = g / Math.Sqrt(34);
            return (ĝ / (ĝ + ε)) + (IsWeight(i) ? 0.5 * θ[i] : 0);
        });
        AllNear(expected.ToArray(), d, 1e-14, "clip → Adam → decay");
    }

    // The direction one update with η(0) = 1 takes from the network: θ − θ′.
    private static double[] Direction(Optimizer optimizer, Network<double> network, double[] g)
    {
        var θ = Fixtures.Flat(network);
        var after = Fixtures.Flat(Step(optimizer, network, g));
        return θ.Select((t, i) => t - after[i]).ToArray();
    }

    private static Network<double> Step(Optimizer optimizer, Network<double> network, double[] g) =>
        optimizer.Update(optimizer.Init(network), network, Fixtures.GradientOf(network, g)).Network;

    private static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    private static void AllNear(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Fixtures.Near(expected[i], actual[i], tolerance, $"{what}, entry {i}");
        }
    }
}
