using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Tests;

/// <summary>
/// Gradients form a vector space: zero is the identity of +, + commutes and associates (to
/// rounding), scaling distributes over +, and the norm is the square root of the inner product.
/// </summary>
/// <remarks>
/// Entries are drawn in [−1, 1] times 10^k for k in −3 … 3, so that sums mix magnitudes.
/// Bounds on rounding use u = 2⁻⁵³, the unit roundoff of float64: one addition or product is
/// off by at most u times its exact result.
/// </remarks>
public sealed class GradientAlgebraProperties
{
    private const double U = 1.1102230246251565e-16;

    /// <summary>Three gradients with the same random shapes.</summary>
    private static Gen<Triple> Triples { get; } =
        from sizes in Generators.Sizes(1, 8)
        from g in Gradients(sizes)
        from h in Gradients(sizes)
        from k in Gradients(sizes)
        select new Triple(g, h, k);

    /// <summary>A scalar in [−10, 10].</summary>
    private static Gen<double> Scalars { get; } = Generators.Unit.Select(c => 10.0 * c);

    [Fact]
    public void Zero_is_the_identity_of_addition() => PropertyConfig.Verify(
        Prop.ForAll(Triples.ToArbitrary(), t =>
        {
            var sizes = t.G.Layers.Head.Weights.ColumnCount.Cons(t.G.Layers.Map(l => l.Bias.Count));
            var zero = Gradient.Zero(Network.Initialize<double>(
                sizes.ToArray(), Activation.Identity, Activation.Identity,
                Initialization.GlorotUniform, 0));
            return t.G + zero == t.G && zero + t.G == t.G;
        }));

    [Fact]
    public void Addition_commutes_exactly() => PropertyConfig.Verify(
        Prop.ForAll(Triples.ToArbitrary(), t => t.G + t.H == t.H + t.G));

    [Fact]
    public void Addition_associates_to_rounding() => PropertyConfig.Verify(
        Prop.ForAll(Triples.ToArbitrary(), t =>
        {
            // Each side rounds twice, each time by at most u·(|g| + |h| + |k|).
            var left = Flat((t.G + t.H) + t.K);
            var right = Flat(t.G + (t.H + t.K));
            var bound = Flat(t.G).Zip(Flat(t.H), Flat(t.K))
                .Select(e => 4 * U * (Math.Abs(e.First) + Math.Abs(e.Second) + Math.Abs(e.Third)));
            return left.Zip(right, bound).All(e => Math.Abs(e.First - e.Second) <= e.Third);
        }));

    [Fact]
    public void Scaling_distributes_over_addition_to_rounding() => PropertyConfig.Verify(
        Prop.ForAll(Triples.ToArbitrary(), Scalars.ToArbitrary(), (t, c) =>
        {
            // c·(g + h) and c·g + c·h each round twice, by at most u·|c|·(|g| + |h|) each time.
            var left = Flat(c * (t.G + t.H));
            var right = Flat((c * t.G) + (c * t.H));
            var bound = Flat(t.G).Zip(
                Flat(t.H), (g, h) => 4 * U * Math.Abs(c) * (Math.Abs(g) + Math.Abs(h)));
            return left.Zip(right, bound).All(e => Math.Abs(e.First - e.Second) <= e.Third);
        }));

    [Fact]
    public void Scaling_by_one_is_the_identity_and_by_zero_gives_zero() =>
        PropertyConfig.Verify(Prop.ForAll(Triples.ToArbitrary(), t =>
            1.0 * t.G == t.G && Flat(0.0 * t.G).All(x => x == 0.0)));

    [Fact]
    public void The_squared_norm_is_the_inner_product_with_itself() => PropertyConfig.Verify(
        Prop.ForAll(Triples.ToArbitrary(), t =>
        {
            // ‖g‖ = √⟨g, g⟩ rounds once, and squaring it doubles that error and rounds again:
            // 3u relative at most.
            var dot = Gradient.Dot(t.G, t.G);
            var norm = t.G.Norm;
            return Prop.Label(
                Math.Abs((norm * norm) - dot) <= 3 * U * dot * (1 + U),
                $"‖g‖² = {norm * norm:R}, ⟨g, g⟩ = {dot:R}");
        }));

    [Fact]
    public void The_inner_product_is_symmetric_and_matches_a_plain_sum() =>
        PropertyConfig.Verify(Prop.ForAll(Triples.ToArbitrary(), t =>
        {
            // A plain sum of products in another order rounds differently: by at most
            // n·u·Σ|gᵢhᵢ| for n terms either way.
            var products = Flat(t.G).Zip(Flat(t.H), (a, b) => a * b).ToArray();
            var bound = 2 * products.Length * U * products.Sum(Math.Abs);
            var dot = Gradient.Dot(t.G, t.H);
            return dot == Gradient.Dot(t.H, t.G) && Math.Abs(dot - products.Sum()) <= bound;
        }));

    [Fact]
    public void The_norm_of_the_zero_gradient_is_zero()
    {
        var network = Network.Initialize<double>(
            [3, 4, 2], Activation.Tanh, Activation.Identity, Initialization.GlorotUniform, 1);

        var zero = Gradient.Zero(network);

        Assert.Equal(0.0, zero.Norm);
        Assert.Equal(0.0, Gradient.Dot(zero, zero));
        Assert.True(zero.IsFinite);
        Assert.All(Flat(zero), x => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(x)));
    }

    [Fact]
    public void The_norm_of_a_known_gradient_is_its_euclidean_length()
    {
        // Entries 3, 4 (weights) and 12 (bias): √(9 + 16 + 144) = √169 = 13 exactly.
        var g = new Gradient<double>(Seq1(new LayerGradient<double>(
            Matrix<double>.Build.DenseOfArray(new[,] { { 3.0, 4.0 } }),
            Vector<double>.Build.Dense([12.0]))));

        Assert.Equal(13.0, g.Norm);
        Assert.Equal(169.0, Gradient.Dot(g, g));
    }

    /// <summary>A gradient with the shapes of a network of the given sizes.</summary>
    private static Gen<Gradient<double>> Gradients(int[] sizes) =>
        Gen.CollectToArray(Enumerable.Range(0, sizes.Length - 1).Select(l =>
                from w in Generators.Matrices(sizes[l + 1], sizes[l], Entries)
                from b in Entries.ArrayOf(sizes[l + 1])
                select new LayerGradient<double>(w, Vector<double>.Build.Dense(b))))
            .Select(layers => new Gradient<double>(toSeq(layers)));

    private static Gen<double> Entries { get; } =
        from x in Generators.Unit
        from k in Gen.Choose(-3, 3)
        select x * Math.Pow(10, k);

    private static double[] Flat(Gradient<double> g) => ReferenceModel.Flatten(g);

    private sealed record Triple(Gradient<double> G, Gradient<double> H, Gradient<double> K);
}
