using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// Plain SGD's weight step written by the gradient product itself, W′ = W + (−η)·δ·Xᵀ, in
/// every way a product runs (one call; halves on two threads, cut across rows or across
/// columns; OpenBLAS's own threads): each element of W′ is written and within rounding of the
/// sum, W, δ and X keep their bits, and the result is false exactly when W′ holds a NaN or ±∞.
/// </summary>
/// <remarks>
/// The step calls OpenBLAS whatever the backend setting, and exists only with it: on a machine
/// without OpenBLAS these properties hold vacuously. CI installs OpenBLAS, so there they test
/// the step.
/// </remarks>
public sealed class SteppedProductProperties
{
    private static readonly string[] Regimes =
        ["one call", "halves by rows", "halves by columns", "OpenBLAS threads"];

    private static readonly double[] Specials =
        [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    private static double Float64Roundoff { get; } = Math.ScaleB(1, -53);

    // W is m × n and the batch k, in the four regimes of HelperCore.Product: m·n·k below 2¹⁵;
    // from 2¹⁵ to 2¹⁸ with rows the longer side, or columns (that side at least 16, so that
    // the cut at a multiple of 8 leaves both halves some); above 2¹⁸, up to 2²⁰.
    private static Gen<Shape> Shapes { get; } =
        from regime in Gen.Choose(0, 3)
        from size in regime switch
        {
            0 => Small,
            1 => Split(byRows: true),
            2 => Split(byRows: false),
            _ => Large,
        }
        from seed in Gen.Choose(0, 1_000_000)
        select new Shape(size.M, size.N, size.K, regime, seed);

    private static Gen<(int M, int N, int K)> Small { get; } =
        from m in Gen.Choose(1, 64)
        from n in Gen.Choose(1, 64)
        from k in Gen.Choose(1, Math.Min(64, ((int)HelperCore.SplitFrom - 1) / (m * n)))
        select (m, n, k);

    private static Gen<(int M, int N, int K)> Large { get; } =
        from m in Gen.Choose(8, 400)
        from n in Gen.Choose(8, 400)
        let mn = m * n
        from k in Gen.Choose(((int)HelperCore.OpenBlasSingleAbove / mn) + 1, (1 << 20) / mn)
        select (m, n, k);

    // A shape with an element (i, j) of W′ picked, a term p of its sum, and which of NaN, +∞
    // and −∞ to put there.
    private static Gen<Place> Placed { get; } =
        from s in Shapes
        from i in Gen.Choose(0, s.M - 1)
        from j in Gen.Choose(0, s.N - 1)
        from p in Gen.Choose(0, s.K - 1)
        from special in Gen.Choose(0, Specials.Length - 1)
        select new Place(s, i, j, p, special);

    [Property(MaxTest = 120)]
    public Property Stepped_products_match_the_reference_in_float64() =>
        Prop.ForAll(Shapes.ToArbitrary(), s => Agrees<double>(s));

    [Property(MaxTest = 120)]
    public Property Stepped_products_match_the_reference_in_float32() =>
        Prop.ForAll(Shapes.ToArbitrary(), s => Agrees<float>(s));

    [Property(MaxTest = 100)]
    public Property A_NaN_or_infinity_in_W_gives_false_and_leaves_no_trace() =>
        Prop.ForAll(Placed.ToArbitrary(), c =>
            NonFiniteW<double>(c).And(NonFiniteW<float>(c)));

    [Property(MaxTest = 100)]
    public Property An_overflowing_product_gives_false_and_leaves_no_trace() =>
        Prop.ForAll(Placed.ToArbitrary(), c =>
            Overflow<double>(c, 1e200).And(Overflow<float>(c, 1e30f)));

    // Split products with m·n·k from 2¹⁵ to 2¹⁸; `longer` is the side the cut goes across.
    private static Gen<(int M, int N, int K)> Split(bool byRows) =>
        from longer in Gen.Choose(16, 300)
        from shorter in Gen.Choose(1, byRows ? longer : longer - 1)
        let mn = longer * shorter
        from k in Gen.Choose(
            ((int)HelperCore.SplitFrom + mn - 1) / mn, (int)HelperCore.OpenBlasSingleAbove / mn)
        select byRows ? (longer, shorter, k) : (shorter, longer, k);

    // The step into a matrix of NaN (an element left unwritten stays NaN) against the float64
    // reference of the same operands, |got − ref| ≤ (γ_T(k + 2) + γ₆₄(k + 2))·S with
    // S = |W| + η·Σₚ|δ_ip·x_jp| and γ(n) = n·u/(1 − n·u), Higham's bound for n roundings of
    // unit roundoff u. The step rounds each term at most k + 2 times: k in its dot product
    // (one per product and addition, in any order or blocking), one for α·acc and one for the
    // addition to W, fewer when fused. The reference, summed in float64, rounds as often again
    // at u = 2⁻⁵³, which for float64 doubles the bound; S's own rounding is within the excess
    // of γ(n) over n·u. A wrong α, offset or stride, or a W not copied, misses by order one.
    private static Property Agrees<T>(Shape s)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!Backends.OpenBlasAvailable)
        {
            return Prop.Label(true, "no OpenBLAS, no step to test");
        }

        var (δ, x, w, minusη) = Operands<T>(s);
        var before = Bits(δ).Concat(Bits(x)).Concat(Bits(w)).ToArray();
        var into = Matrix<T>.Build.Dense(s.M, s.N, T.NaN);

        var finite = Products.Stepped(δ, x, w, minusη, into);

        var (expected, scale) = Reference(δ, x, w, minusη);
        var got = into.ToColumnMajorArray().Select(double.CreateTruncating).ToArray();
        var γ = Gamma(s.K + 2, Roundoff<T>()) + Gamma(s.K + 2, Float64Roundoff);
        var ratios = got.Select((g, i) => Math.Abs(g - expected[i]))
            .Select((e, i) => e == 0 ? 0 : e / (γ * scale[i]))
            .Select(r => double.IsNaN(r) ? double.PositiveInfinity : r).ToArray();
        var worst = Enumerable.Range(0, ratios.Length).MaxBy(i => ratios[i]);
        return Prop.Label(finite, $"{s}: returned false for finite operands")
            .And(Prop.Label(
                ratios[worst] <= 1,
                $"{s}: element ({worst % s.M}, {worst / s.M}) is {got[worst]:R}, the reference "
                + $"{expected[worst]:R}: {ratios[worst]:E2} times the bound"))
            .And(Prop.Label(
                before.SequenceEqual(Bits(δ).Concat(Bits(x)).Concat(Bits(w))),
                $"{s}: W, δ or X changed"));
    }

    // NaN, +∞ or −∞ at (i, j) of W makes that element of W′ non-finite and the result false;
    // the next step, from the finite W, returns true: no flag outlives its call.
    private static Property NonFiniteW<T>(Place c)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!Backends.OpenBlasAvailable)
        {
            return Prop.Label(true, "no OpenBLAS, no step to test");
        }

        var (δ, x, w, minusη) = Operands<T>(c.Shape);
        var bad = w.Clone();
        bad[c.I, c.J] = T.CreateTruncating(Specials[c.Special]);

        var label = $"{c.Shape}, {Specials[c.Special]} at ({c.I}, {c.J})";
        return Flags((δ, x, bad), (δ, x, w), minusη, c.I, c.J, label);
    }

    // δ_ip = x_jp = huge: δ_ip·x_jp overflows, so W′ at (i, j) does, while every other element
    // of W′ is at most 1 + η·(huge + k) and stays finite.
    private static Property Overflow<T>(Place c, T huge)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!Backends.OpenBlasAvailable)
        {
            return Prop.Label(true, "no OpenBLAS, no step to test");
        }

        var (δ, x, w, minusη) = Operands<T>(c.Shape);
        var (hugeδ, hugeX) = (δ.Clone(), x.Clone());
        (hugeδ[c.I, c.P], hugeX[c.J, c.P]) = (huge, huge);

        var label = $"{c.Shape}, δ·Xᵀ overflowing at ({c.I}, {c.J}) through p = {c.P}";
        return Flags((hugeδ, hugeX, w), (δ, x, w), minusη, c.I, c.J, label)
            .And(Flags((δ, x, w), (δ, x, w), minusη, -1, -1, $"{c.Shape}, all finite"));
    }

    // The step on operands whose W′ is non-finite at (i, j) alone, or nowhere if i < 0: the
    // result says so, and a step on finite operands right after returns true.
    private static Property Flags<T>(
        (Matrix<T> Delta, Matrix<T> X, Matrix<T> W) operands,
        (Matrix<T> Delta, Matrix<T> X, Matrix<T> W) finiteOperands,
        T minusη,
        int i,
        int j,
        string label)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (δ, x, w) = operands;
        var into = Matrix<T>.Build.Dense(w.RowCount, w.ColumnCount, T.NaN);

        var finite = Products.Stepped(δ, x, w, minusη, into);

        var wrong = Enumerable.Range(0, into.RowCount * into.ColumnCount)
            .Select(e => (Row: e % into.RowCount, Column: e / into.RowCount))
            .Where(e => T.IsFinite(into[e.Row, e.Column]) == ((e.Row, e.Column) == (i, j)))
            .Select(e => $"({e.Row}, {e.Column}) is {into[e.Row, e.Column]}")
            .FirstOrDefault();

        var (finiteδ, finiteX, finiteW) = finiteOperands;
        var next = Products.Stepped(
            finiteδ, finiteX, finiteW, minusη, Matrix<T>.Build.Dense(w.RowCount, w.ColumnCount));
        return Prop.Label(finite == i < 0, $"{label}: returned {finite}")
            .And(Prop.Label(wrong is null, $"{label}: {wrong}"))
            .And(Prop.Label(next, $"{label}: the finite step after it returned false"));
    }

    // δ (m × k), X (n × k) and W (m × n) in [−1, 1) and η in [0.01, 4), rounded to T, from the
    // shape's seed.
    private static (Matrix<T> Delta, Matrix<T> X, Matrix<T> W, T MinusEta) Operands<T>(Shape s)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(s.Seed);
        Matrix<T> Draw(int rows, int columns)
        {
            var values = new T[rows * columns];
            for (var e = 0; e < values.Length; e++)
            {
                values[e] = T.CreateTruncating((2 * random.NextDouble()) - 1);
            }

            return Matrix<T>.Build.Dense(rows, columns, values);
        }

        var (δ, x, w) = (Draw(s.M, s.K), Draw(s.N, s.K), Draw(s.M, s.N));
        return (δ, x, w, T.CreateTruncating(-(0.01 + (3.99 * random.NextDouble()))));
    }

    // W + (−η)·Σₚ δ_ip·x_jp in float64 from the operands' own values, and the scale
    // S = |W| + η·Σₚ|δ_ip·x_jp| of its rounding error, both column-major.
    private static (double[] Value, double[] Scale) Reference<T>(
        Matrix<T> δ, Matrix<T> x, Matrix<T> w, T minusη)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (m, n, k) = (δ.RowCount, x.RowCount, δ.ColumnCount);
        var (d, xs, ws) = (Wide(δ), Wide(x), Wide(w));
        var α = double.CreateTruncating(minusη);
        var (value, scale) = (new double[m * n], new double[m * n]);
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < m; i++)
            {
                var (sum, size) = (0.0, 0.0);
                for (var p = 0; p < k; p++)
                {
                    var term = d[i + (p * m)] * xs[j + (p * n)];
                    (sum, size) = (sum + term, size + Math.Abs(term));
                }

                var e = i + (j * m);
                value[e] = ws[e] + (α * sum);
                scale[e] = Math.Abs(ws[e]) + (Math.Abs(α) * size);
            }
        }

        return (value, scale);
    }

    private static double Gamma(int n, double u) => n * u / (1 - (n * u));

    // The unit roundoff of T: 2⁻²⁴ for float32, 2⁻⁵³ for float64.
    private static double Roundoff<T>()
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Float64Roundoff;

    // Float32 widens to float64 exactly, so equal widened bits are equal bits.
    private static long[] Bits<T>(Matrix<T> m)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Wide(m).Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static double[] Wide<T>(Matrix<T> m)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        m.ToColumnMajorArray().Select(double.CreateTruncating).ToArray();

    /// <summary>A case: W is m × n, the batch k, in one of the four regimes.</summary>
    private sealed record Shape(int M, int N, int K, int Regime, int Seed)
    {
        public override string ToString() =>
            $"m {M} n {N} k {K} ({Regimes[Regime]}, seed {Seed})";
    }

    /// <summary>An element (i, j) of W′ of a case, a term p of its sum, a special value.</summary>
    private sealed record Place(Shape Shape, int I, int J, int P, int Special);
}
