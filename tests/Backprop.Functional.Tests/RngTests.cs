using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// The counter-based SplitMix64 stream: the k-th draw is mix(seed + k·γ), with γ =
/// 0x9E3779B97F4A7C15 and mix(z): z ^= z ≫ 30; z *= 0xBF58476D1CE4E5B9; z ^= z ≫ 27;
/// z *= 0x94D049BB133111EB; z ^= z ≫ 31, all modulo 2⁶⁴.
/// </summary>
public sealed class RngTests
{
    // Computed from the definition above with exact integer arithmetic for seed 1234, k = 1, 2, 3.
    private const ulong First = 0xBB0CF61B2F181CDB;
    private const ulong Second = 0x97C7A1364DF06524;
    private const ulong Third = 0x33BEFAE49BC025DA;

    [Fact]
    public void The_first_draws_for_seed_1234_are_the_known_values()
    {
        var (a, r1) = Rng.FromSeed(1234).NextBits();
        var (b, r2) = r1.NextBits();
        var (c, r3) = r2.NextBits();

        Assert.Equal([First, Second, Third], [a, b, c]);
        Assert.Equal(3UL, r3.Position);
        Assert.Equal(1234UL, r3.Seed);
    }

    [Fact]
    public void The_first_uniforms_for_seed_1234_are_the_top_53_bits_plus_a_half_scaled()
    {
        // ((z ≫ 11) + ½)·2⁻⁵³ for the three draws above, exactly.
        var (u1, r1) = Rng.FromSeed(1234).NextUniform();
        var (u2, r2) = r1.NextUniform();
        var (u3, _) = r2.NextUniform();

        Assert.Equal([0.7306665245406241, 0.5928898580149862, 0.2021328743101099], [u1, u2, u3]);
    }

    [Fact]
    public void A_stream_is_a_value_that_can_start_at_any_position()
    {
        var start = Rng.FromSeed(1234);

        // Drawing does not change the stream drawn from, and position 2 gives the third draw.
        Assert.Equal(start.NextBits(), start.NextBits());
        Assert.Equal(Third, new Rng(1234, 2).NextBits().Value);
        Assert.Equal(new Rng(1234, 1), start.NextBits().Next);
    }

    [Fact]
    public void The_largest_draw_still_gives_a_uniform_below_one()
    {
        // mix is a bijection on 64-bit words, so inverting it (undoing each xor-shift and
        // multiplying by the constants' inverses modulo 2⁶⁴) gives the seed whose first draw is
        // all ones: 0x31628AF67B2131AB. Then (z ≫ 11) + ½ = 2⁵³ − ½, which is not a double and
        // rounds to 2⁵³; scaled, that would be exactly 1, outside the documented (0, 1).
        var stream = Rng.FromSeed(0x31628AF67B2131AB);
        Assert.Equal(ulong.MaxValue, stream.NextBits().Value);

        var (u, _) = stream.NextUniform();

        Assert.True(u < 1.0, $"uniform {u:R}");
        Assert.Equal(Math.BitDecrement(1.0), u);
    }

    [Fact]
    public void The_smallest_draw_gives_a_uniform_of_half_a_step_above_zero()
    {
        // mix(0) = 0, so the seed −γ mod 2⁶⁴ = 0x61C8864680B583EB draws 0 first: (0 + ½)·2⁻⁵³.
        var stream = Rng.FromSeed(0x61C8864680B583EB);
        Assert.Equal(0UL, stream.NextBits().Value);

        Assert.Equal(Math.Pow(2, -54), stream.NextUniform().Value);
    }

    [Fact]
    public void Uniforms_lie_in_the_open_unit_interval() => PropertyConfig.Verify(
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
            Rng.FromSeed(seed).NextUniforms(64).Values.All(u => u > 0 && u < 1)));

    [Fact]
    public void A_permutation_holds_every_index_once() => PropertyConfig.Verify(
        Prop.ForAll(Seeds.ToArbitrary(), Gen.Choose(0, 50).ToArbitrary(), (seed, n) =>
            Rng.FromSeed(seed).NextPermutation(n).Permutation.OrderBy(i => i)
                .SequenceEqual(Enumerable.Range(0, n))));

    [Fact]
    public void A_sample_draws_distinct_indices_in_range() => PropertyConfig.Verify(
        Prop.ForAll(Seeds.ToArbitrary(), Gen.Choose(1, 50).ToArbitrary(), (seed, n) =>
        {
            var k = (int)(seed % (ulong)(n + 2));
            var sample = Rng.FromSeed(seed).NextSample(n, k).Indices;
            return sample.Count == Math.Min(k, n)
                && sample.Distinct().Count() == sample.Count
                && sample.All(i => i >= 0 && i < n);
        }));

    [Fact]
    public void Drawing_n_values_moves_the_stream_n_positions() => PropertyConfig.Verify(
        Prop.ForAll(Seeds.ToArbitrary(), Gen.Choose(0, 20).ToArbitrary(), (seed, n) =>
            Rng.FromSeed(seed).NextUniforms(n).Next.Position == (ulong)n
            && Rng.FromSeed(seed).NextNormals(n).Next.Position == (ulong)(2 * n)));

    /// <summary>Any 64-bit seed, from two 32-bit halves.</summary>
    private static Gen<ulong> Seeds { get; } =
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)hi << 32) | (uint)lo;
}
