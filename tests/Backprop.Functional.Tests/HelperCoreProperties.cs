using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Products small enough for OpenBLAS to run on one thread are cut in two and run on both
/// cores: every element of the result is still written and right, whatever the shape and the
/// transposition, and the bits do not depend on which thread ran which half. Parameter steps
/// long enough are split the same way.
/// </summary>
/// <remarks>
/// On a machine without OpenBLAS the products run on the managed backend and these compare
/// it with the reference; CI installs OpenBLAS, so there they test the split.
/// </remarks>
public sealed class HelperCoreProperties
{
    // Shapes whose m·n·k falls where products are split (2¹⁵ to 2¹⁸), both sides of the cut.
    private static Gen<(int M, int N, int K, int Kind, int Seed)> Shapes { get; } =
        from work in Gen.Choose((int)HelperCore.SplitFrom, (int)HelperCore.OpenBlasSingleAbove)
        from m in Gen.Choose(1, 300)
        from n in Gen.Choose(1, Math.Max(1, Math.Min(300, work / m)))
        from kind in Gen.Choose(0, 2)
        from seed in Gen.Choose(0, 1_000_000)
        select (m, n, Math.Max(1, work / (m * n)), kind, seed);

    // Shapes that OpenBLAS would thread, cut here with one OpenBLAS thread a half: 2¹⁸ to 2²⁵,
    // which every CPU cuts (above that the same code runs, on operands too large for a test).
    private static Gen<(int M, int N, int K, int Kind, int Seed)> ThreadedShapes { get; } =
        from work in Gen.Choose(
            (int)HelperCore.OpenBlasSingleAbove + 1, (int)Math.Min(HelperCore.SplitUpTo, 1 << 25))
        from m in Gen.Choose(8, 600)
        from n in Gen.Choose(8, 600)
        from kind in Gen.Choose(0, 2)
        from seed in Gen.Choose(0, 1_000_000)
        select (m, n, Math.Max(1, work / (m * n)), kind, seed);

    [Property(MaxTest = 12)]
    public Property Products_cut_at_one_OpenBLAS_thread_a_half_match_the_reference() =>
        Prop.ForAll(ThreadedShapes.ToArbitrary(), s =>
            Check<double>(s, 1e-13).And(Check<float>(s, 1e-5)));

    [Property(MaxTest = 150)]
    public Property Split_products_match_the_reference_in_float64() =>
        Prop.ForAll(Shapes.ToArbitrary(), s => Check<double>(s, 1e-13));

    [Property(MaxTest = 150)]
    public Property Split_products_match_the_reference_in_float32() =>
        Prop.ForAll(Shapes.ToArbitrary(), s => Check<float>(s, 1e-5));

    [Fact]
    public void Products_give_the_same_bits_on_any_thread_and_when_threads_compete()
    {
        // Eight threads at once: some calls get the helper, most run both halves themselves.
        var cases = new[] { (30, 10, 784, 0), (30, 784, 10, 1), (10, 64, 128, 0), (128, 64, 10, 2) }
            .Select((c, i) => (c.Item1, c.Item2, c.Item3, c.Item4, i)).ToArray();
        var alone = cases.Select(c => Compute<double>(c).Values).ToArray();
        var aloneSingle = cases.Select(c => Compute<float>(c).Values).ToArray();

        var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Select(_ => Enumerable.Range(0, 40).Select(r => (
                Double: Compute<double>(cases[r % cases.Length]).Values,
                Single: Compute<float>(cases[r % cases.Length]).Values)).ToArray())
            .ToArray();

        foreach (var run in results)
        {
            for (var r = 0; r < run.Length; r++)
            {
                Assert.Equal(
                    alone[r % cases.Length].Select(BitConverter.DoubleToInt64Bits),
                    run[r].Double.Select(BitConverter.DoubleToInt64Bits));
                Assert.Equal(
                    aloneSingle[r % cases.Length].Select(BitConverter.SingleToInt32Bits),
                    run[r].Single.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Fact]
    public void A_half_that_throws_reaches_the_caller_and_the_helper_keeps_working()
    {
        // Either half may throw, on either thread; the exception reaches the caller, the other
        // half has finished or was never started, and the next hand-off works.
        for (var round = 0; round < 200; round++)
        {
            var ran = new int[2];
            var firstThrows = round % 2 == 0;
            var error = Assert.Throws<InvalidOperationException>(() => HelperCore.Both(
                new Half(ran, 0, firstThrows), new Half(ran, 1, !firstThrows)));
            Assert.Equal(firstThrows ? "half 0" : "half 1", error.Message);

            var after = new int[2];
            HelperCore.Both(new Half(after, 0, false), new Half(after, 1, false));
            Assert.Equal([1, 1], after);
        }
    }

    [Theory]
    [InlineData(Kernels.SplitFrom - 1)]
    [InlineData(Kernels.SplitFrom)]
    [InlineData(Kernels.SplitFrom + 3)]
    [InlineData(23_520)]
    [InlineData(Kernels.SplitTo)]
    [InlineData(Kernels.SplitTo + 1)]
    public void Split_steps_are_the_formula_and_report_a_NaN_in_either_half(int length)
    {
        var random = new Random(length);
        var d = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var w = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var expected = d.Zip(w, (di, wi) => (di * -0.3) + wi).ToArray();

        var r = new double[length];
        Assert.True(Kernels.Step<double>(d, -0.3, w, r));
        Assert.Equal(
            expected.Select(BitConverter.DoubleToInt64Bits),
            r.Select(BitConverter.DoubleToInt64Bits));

        foreach (var at in new[] { 0, (length / 2) - 1, length / 2, length - 1 })
        {
            var bad = (double[])w.Clone();
            bad[at] = double.PositiveInfinity;
            Assert.False(Kernels.Step<double>(d, -0.3, bad, r), $"∞ at {at} of {length}");

            var single = bad.Select(v => (float)v).ToArray();
            var ds = d.Select(v => (float)v).ToArray();
            Assert.False(
                Kernels.Step<float>(ds, -0.3f, single, new float[length]), $"float ∞ at {at}");
        }
    }

    // One product of the given kind on random operands, into a buffer of NaN (an element left
    // unwritten stays NaN), checked element by element against a sum in float64:
    // |error| ≤ tolerance·max(1, k/64)·Σ|aₚbₚ|. Rounding error grows with the k terms (Higham's
    // k·u bound, u the unit roundoff; float32 adds the rounding of the operands); a wrong offset
    // or stride reads other elements and misses by order one.
    private static Property Check<T>((int M, int N, int K, int Kind, int Seed) s, double tolerance)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (c, expected, scale) = (Compute<T>(s), Reference(s), Scale(s));
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(double.CreateTruncating(c.Values[i]) - expected[i]);
            worst = double.IsNaN(error)
                ? double.PositiveInfinity
                : Math.Max(worst, error / Math.Max(scale[i], 1e-300));
        }

        return Prop.Label(worst <= tolerance * Math.Max(1, s.K / 64.0),
            $"{Kinds[s.Kind]} m {s.M} n {s.N} k {s.K}: worst relative error {worst:E2}");
    }

    private static readonly string[] Kinds = ["W·X + b", "δ·Xᵀ", "Wᵀ·δ"];

    // The product's operands: A is m × k as op(A) sees it and B k × n, stored as each kind
    // stores them, from a seeded generator so that the reference can rebuild them.
    private static (double[,] A, double[,] B, double[] Bias) Operands(
        (int M, int N, int K, int Kind, int Seed) s)
    {
        var random = new Random(s.Seed);
        var a = new double[s.M, s.K];
        var b = new double[s.K, s.N];
        for (var i = 0; i < s.M; i++)
        {
            for (var p = 0; p < s.K; p++)
            {
                a[i, p] = Math.Round(random.NextDouble() - 0.5, 6);
            }
        }

        for (var p = 0; p < s.K; p++)
        {
            for (var j = 0; j < s.N; j++)
            {
                b[p, j] = Math.Round(random.NextDouble() - 0.5, 6);
            }
        }

        var bias = Enumerable.Range(0, s.M)
            .Select(_ => s.Kind == 0 ? Math.Round(random.NextDouble() - 0.5, 6) : 0).ToArray();
        return (a, b, bias);
    }

    internal static (T[] Values, int Rows) Compute<T>((int M, int N, int K, int Kind, int Seed) s)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (a, b, bias) = Operands(s);
        var build = Matrix<T>.Build;
        Matrix<T> A(int r, int c, Func<int, int, double> at) =>
            build.Dense(r, c, (i, j) => T.CreateTruncating(at(i, j)));
        var into = build.Dense(s.M, s.N, T.NaN);

        _ = s.Kind switch
        {
            // W (m × k) · X (k × n) + b
            0 => Products.Affine(A(s.M, s.K, (i, p) => a[i, p]), A(s.K, s.N, (p, j) => b[p, j]),
                Vector<T>.Build.Dense(s.M, i => T.CreateTruncating(bias[i])), into),

            // δ (m × k) · Xᵀ with X stored n × k
            1 => Products.OuterSum(A(s.M, s.K, (i, p) => a[i, p]), A(s.N, s.K, (j, p) => b[p, j]),
                into),

            // Wᵀ · δ with W stored k × m and δ k × n
            _ => Products.TransposeTimes(A(s.K, s.M, (p, i) => a[i, p]),
                A(s.K, s.N, (p, j) => b[p, j]), into),
        };
        return (into.AsColumnMajorArray(), s.M);
    }

    private static double[] Reference((int M, int N, int K, int Kind, int Seed) s) =>
        Sum(s, (x, y) => x * y, bias => bias);

    private static double[] Scale((int M, int N, int K, int Kind, int Seed) s) =>
        Sum(s, (x, y) => Math.Abs(x * y), Math.Abs);

    // Column-major m × n: bias(b[i]) + Σₚ term(A[i, p], B[p, j]).
    private static double[] Sum(
        (int M, int N, int K, int Kind, int Seed) s, Func<double, double, double> term,
        Func<double, double> bias)
    {
        var (a, b, bs) = Operands(s);
        var result = new double[s.M * s.N];
        for (var j = 0; j < s.N; j++)
        {
            for (var i = 0; i < s.M; i++)
            {
                var sum = bias(bs[i]);
                for (var p = 0; p < s.K; p++)
                {
                    sum += term(a[i, p], b[p, j]);
                }

                result[(j * s.M) + i] = sum;
            }
        }

        return result;
    }

    // A half that counts its runs in ran[index] and may throw.
    private readonly struct Half(int[] ran, int index, bool throws) : IHalf
    {
        public void Invoke()
        {
            Interlocked.Increment(ref ran[index]);
            if (throws)
            {
                throw new InvalidOperationException($"half {index}");
            }
        }
    }
}
