using System;
using System.Collections.Generic;
using LanguageExt;

namespace Backprop.Functional;

/// <summary>
/// A counter-based SplitMix64 stream: the k-th draw (k = 1, 2, …) is mix(seed + k·γ). A value,
/// not an object with hidden state: each draw returns the next stream with it, so the same seed
/// and position give the same bits on every machine and in every run.
/// </summary>
/// <remarks>
/// Uniforms are ((z ≫ 11) + ½)·2⁻⁵³ as a double, kept below 1, so in the open interval (0, 1);
/// normals come from Box-Muller (the cosine branch, one normal per pair of uniforms) with a
/// logarithm and cosine of the library's own (<see cref="PortableMath"/>), so they do not depend
/// on the platform's libm.
/// </remarks>
/// <param name="Seed">The seed.</param>
/// <param name="Position">The number of draws taken so far.</param>
public readonly record struct Rng(ulong Seed, ulong Position)
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>A fresh stream for <paramref name="seed"/>.</summary>
    public static Rng FromSeed(ulong seed) => new(seed, 0);

    /// <summary>The next 64 random bits and the stream after them.</summary>
    public (ulong Value, Rng Next) NextBits()
    {
        var k = Position + 1;
        return (Mix(unchecked(Seed + (k * Gamma))), this with { Position = k });
    }

    /// <summary>
    /// The k-th draw of this stream (k ≥ 1 from the start), without drawing the ones before.
    /// </summary>
    public ulong BitsAt(long k) => Mix(unchecked(Seed + ((ulong)k * Gamma)));

    /// <summary>A uniform double in (0, 1) and the stream after it.</summary>
    public (double Value, Rng Next) NextUniform()
    {
        var (bits, next) = NextBits();

        // (z ≫ 11) + ½ is rounded to a double; for the largest z it rounds up to 2⁵³, which
        // would give exactly 1. That one draw is taken as the largest double below 1 instead.
        var u = ((bits >> 11) + 0.5) * (1.0 / (1UL << 53));
        return (Math.Min(u, Math.BitDecrement(1.0)), next);
    }

    /// <summary>A standard normal double and the stream after it (two draws).</summary>
    public (double Value, Rng Next) NextNormal()
    {
        var (u1, r1) = NextUniform();
        var (u2, r2) = r1.NextUniform();
        return (Math.Sqrt(-2.0 * PortableMath.Log(u1)) * PortableMath.CosTwoPi(u2), r2);
    }

    /// <summary>
    /// The next <paramref name="count"/> standard normals and the stream after them.
    /// </summary>
    public (double[] Values, Rng Next) NextNormals(int count)
    {
        var values = new double[count];
        var rng = this;
        for (var i = 0; i < count; i++)
        {
            (values[i], rng) = rng.NextNormal();
        }

        return (values, rng);
    }

    /// <summary>
    /// The next <paramref name="count"/> uniforms in (0, 1) and the stream after them.
    /// </summary>
    public (double[] Values, Rng Next) NextUniforms(int count)
    {
        var values = new double[count];
        var rng = this;
        for (var i = 0; i < count; i++)
        {
            (values[i], rng) = rng.NextUniform();
        }

        return (values, rng);
    }

    /// <summary>
    /// A permutation of 0 … n−1 by Fisher–Yates, drawing j = r mod (i + 1) for i = n−1 down to 1,
    /// and the stream after it.
    /// </summary>
    /// <remarks>The modulo has a bias below n/2⁶⁴, immaterial for any data set that fits in
    /// memory.</remarks>
    public (Arr<int> Permutation, Rng Next) NextPermutation(int n)
    {
        var p = new int[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = i;
        }

        var rng = this;
        for (var i = n - 1; i > 0; i--)
        {
            (var r, rng) = rng.NextBits();
            var j = (int)(r % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }

        return (new Arr<int>(p), rng);
    }

    /// <summary>
    /// <paramref name="count"/> distinct indices drawn from 0 … n−1 (a partial Fisher–Yates), in
    /// the order drawn, and the stream after them.
    /// </summary>
    public (Arr<int> Indices, Rng Next) NextSample(int n, int count)
    {
        var k = Math.Clamp(count, 0, n);
        var swapped = new Dictionary<int, int>();
        var chosen = new int[k];
        var rng = this;
        for (var i = 0; i < k; i++)
        {
            (var r, rng) = rng.NextBits();
            var j = i + (int)(r % (ulong)(n - i));
            var atJ = swapped.TryGetValue(j, out var sj) ? sj : j;
            var atI = swapped.TryGetValue(i, out var si) ? si : i;
            chosen[i] = atJ;
            swapped[j] = atI;
        }

        return (new Arr<int>(chosen), rng);
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
