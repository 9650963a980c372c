using System;
using System.Globalization;
using System.Numerics.Tensors;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// A layer's activation f, applied to the weighted input Σ to give the output o = f(Σ), together
/// with its derivative. Elementwise activations keep f and f′ side by side; softmax is
/// vector-valued and hands Backward its full Jacobian.
/// </summary>
/// <remarks>
/// Each activation is stable for |Σ| up to 1e4 (and beyond): values and derivatives stay finite,
/// for instance σ(−1000) = 0, σ′(−1000) = 0 and softplus(1000) = 1000. Activations are records:
/// two of the same kind (and the same slope, for leaky ReLU) are equal. Use the static members
/// (<see cref="Sigmoid"/>, <see cref="ReLU"/>, …) or <see cref="Parse"/> to get one.
/// </remarks>
public abstract record Activation
{
    private protected Activation()
    {
    }

    /// <summary>The identity, f(Σ) = Σ, f′ = 1.</summary>
    public static Activation Identity { get; } = new IdentityFunction();

    /// <summary>The logistic sigmoid, σ(Σ) = 1 / (1 + e^−Σ), σ′ = σ(1 − σ).</summary>
    public static Activation Sigmoid { get; } = new SigmoidFunction();

    /// <summary>The hyperbolic tangent, tanh′ = 1 − tanh².</summary>
    public static Activation Tanh { get; } = new TanhFunction();

    /// <summary>The rectifier, max(Σ, 0), with slope 1 for Σ &gt; 0 and 0 otherwise.</summary>
    /// <remarks>Not differentiable at Σ = 0; the slope there is taken to be 0.</remarks>
    public static Activation ReLU { get; } = new LeakyFunction(0.0);

    /// <summary>
    /// softplus(Σ) = ln(1 + e^Σ), computed as max(Σ, 0) + ln(1 + e^−|Σ|); its slope is σ(Σ).
    /// </summary>
    public static Activation Softplus { get; } = new SoftplusFunction();

    /// <summary>
    /// softmax(Σ)ᵢ = e^Σᵢ / Σⱼ e^Σⱼ over each column, computed after subtracting the column's
    /// maximum.
    /// </summary>
    /// <remarks>Vector-valued: its Jacobian diag(s) − s·sᵀ is applied in full by
    /// Backward.</remarks>
    public static Activation Softmax { get; } = new SoftmaxFunction();

    /// <summary>
    /// The canonical name, which <see cref="Parse"/> reads back: "sigmoid", "leaky-relu:0.01", ….
    /// </summary>
    public abstract string Name { get; }

    /// <summary>
    /// The points where f is not differentiable (0 for ReLU and leaky ReLU; none for smooth
    /// activations). A gradient check flags parameters whose perturbation moves a Σ across one.
    /// </summary>
    public virtual Seq<double> Kinks => Empty;

    /// <summary>
    /// The points where a smooth f bends, over about 1 in Σ, so that it tends to a step or a
    /// kink there as Σ grows: 0 for sigmoid, tanh and softplus, none for the others (a custom
    /// activation's are unknown). A gradient check flags parameters whose perturbation moves a
    /// Σ through one, or within 37 of it, by more than 1/4: at that scale f acts as a kink.
    /// </summary>
    internal virtual Seq<double> Bends => Empty;

    /// <summary>
    /// Whether f bends where the largest Σ of a column ties with another (softmax, which tends
    /// to the one-hot vector of the largest Σ as the Σ grow apart). A gradient check treats the
    /// gap between the two largest like a Σ at a bend of <see cref="Bends"/>.
    /// </summary>
    internal virtual bool BendsWhereLargestTies => false;

    /// <summary>
    /// The leaky rectifier: Σ for Σ &gt; 0 and α·Σ otherwise; slope 1 or α.
    /// </summary>
    /// <param name="slope">α, the slope for negative inputs, finite and in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">α is not finite or not in [0, 1).</exception>
    /// <remarks>
    /// NOTE: α is checked as a double; a float32 network rounds it to float, which makes every
    /// α from 1 − 2⁻²⁵ (≈ 0.99999997) up 1, the identity. See docs/limitations.md#float32.
    /// </remarks>
    public static Activation LeakyReLU(double slope) =>
        double.IsFinite(slope) && slope >= 0.0 && slope < 1.0
            ? new LeakyFunction(slope)
            : throw new ArgumentOutOfRangeException(
                nameof(slope),
                slope,
                $"leaky ReLU slope must be finite and in [0, 1), got {slope}");

    /// <summary>
    /// A user-defined elementwise activation from f and f′ (evaluated in float64 whatever the
    /// network's element type), as in the classic sigmoid/sigmoid_prime pair.
    /// </summary>
    /// <param name="name">A name for reports and model files; it cannot be parsed back.</param>
    /// <param name="function">f.</param>
    /// <param name="derivative">f′, as a function of Σ.</param>
    public static Activation Custom(
        string name, Func<double, double> function, Func<double, double> derivative) =>
        new CustomFunction(name, function, derivative);

    /// <summary>
    /// The activation with the given <see cref="Name"/>: identity, sigmoid, tanh, relu,
    /// leaky-relu (slope 0.01) or leaky-relu:α, softplus, softmax. Case is ignored.
    /// </summary>
    public static Fin<Activation> Parse(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        return key switch
        {
            "identity" or "linear" => FinSucc(Identity),
            "sigmoid" or "logistic" => FinSucc(Sigmoid),
            "tanh" => FinSucc(Tanh),
            "relu" => FinSucc(ReLU),
            "leaky-relu" or "leakyrelu" => FinSucc(LeakyReLU(0.01)),
            "softplus" => FinSucc(Softplus),
            "softmax" => FinSucc(Softmax),
            _ when key.StartsWith("leaky-relu:", StringComparison.Ordinal) =>
                ParseSlope(key["leaky-relu:".Length..]),
            _ => FinFail<Activation>(Error.New(
                $"unknown activation '{name}'; expected identity, sigmoid, tanh, relu, "
                + "leaky-relu[:slope], softplus or softmax")),
        };
    }

    private static Fin<Activation> ParseSlope(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var α)
        && double.IsFinite(α) && α >= 0 && α < 1
            ? FinSucc(LeakyReLU(α))
            : FinFail<Activation>(Error.New(
                $"leaky ReLU slope must be a number in [0, 1), got '{text}'"));

    /// <summary>o = f(Σ), elementwise or column by column, as a new matrix.</summary>
    /// <param name="z">Σ, out × m.</param>
    /// <remarks>The identity returns Σ itself.</remarks>
    public Matrix<T> Apply<T>(Matrix<T> z)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Apply(z, Scratch<T>.Fresh, new Slot(SlotKind.Output, 0));

    /// <summary>
    /// The Jacobian ∂o/∂Σ at Σ = <paramref name="z"/>, given o = f(Σ) already computed.
    /// </summary>
    /// <param name="z">Σ, out × m.</param>
    /// <param name="output">o = f(Σ), out × m.</param>
    public Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Differentiate(z, output, Scratch<T>.Fresh, new Slot(SlotKind.Slopes, 0));

    /// <inheritdoc/>
    public sealed override string ToString() => Name;

    /// <summary>
    /// Whether each element of o depends on its own Σ alone and in the same way wherever it
    /// lies, so that the parts of a cut product may apply f to their own blocks of Σ (on both
    /// cores, while the block is in cache) with the bits of one pass over the whole: ReLU and
    /// leaky ReLU. The others are applied after the whole product.
    /// </summary>
    internal virtual bool AppliesByBlock => false;

    /// <summary>o = f(Σ) written over Σ, which the caller owns and no longer needs.</summary>
    internal Matrix<T> ApplyInPlace<T>(Matrix<T> z)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = Dense.Values(z);
        Evaluate<T>(values, z.RowCount, values);
        return z;
    }

    /// <summary>o = f(Σ) into a matrix taken from <paramref name="scratch"/>.</summary>
    internal virtual Matrix<T> Apply<T>(Matrix<T> z, Scratch<T> scratch, Slot slot)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var o = scratch.Take(slot, z.RowCount, z.ColumnCount);
        Evaluate<T>(Dense.Values(z), z.RowCount, Dense.Values(o));
        return o;
    }

    /// <summary>
    /// ∂o/∂Σ, with the slopes f′(Σ) of an elementwise activation in a matrix taken from
    /// <paramref name="scratch"/>.
    /// </summary>
    internal virtual Jacobian<T> Differentiate<T>(
        Matrix<T> z, Matrix<T> output, Scratch<T> scratch, Slot slot)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var slopes = scratch.Take(slot, z.RowCount, z.ColumnCount);
        Slopes<T>(Dense.Values(z), Dense.Values(output), Dense.Values(slopes));
        return new DiagonalJacobian<T>(slopes);
    }

    /// <summary>
    /// o = f(Σ) on spans, for tests that place Σ and o at chosen addresses: the bits depend
    /// on the values and their indices only (see <see cref="Elementwise"/>).
    /// </summary>
    internal void EvaluateSpans<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Evaluate(z, rows, o);

    /// <summary>f′(Σ) on spans, as <see cref="EvaluateSpans{T}"/>.</summary>
    internal void SlopesSpans<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Slopes(z, o, slopes);

    /// <summary>
    /// o = f(Σ) for column-major Σ with <paramref name="rows"/> rows; writes every element of o.
    /// o may be Σ itself, so each element of Σ is read before its place in o is written.
    /// </summary>
    private protected abstract void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    /// <summary>f′(Σ) given Σ and o = f(Σ); writes every element of the slopes.</summary>
    private protected abstract void Slopes<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    private sealed record IdentityFunction : Activation
    {
        public override string Name => "identity";

        internal override Matrix<T> Apply<T>(Matrix<T> z, Scratch<T> scratch, Slot slot) => z;

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o) =>
            z.CopyTo(o);

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes) => slopes.Fill(T.One);
    }

    private sealed record SigmoidFunction : Activation
    {
        public override string Name => "sigmoid";

        internal override Seq<double> Bends => Seq1(0.0);

        // 1 / (1 + e^−Σ): e^−Σ overflows to +∞ for Σ < −709 and the quotient is then exactly 0.
        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o) =>
            Elementwise.Sigmoid(z, o);

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        {
            TensorPrimitives.Subtract(T.One, o, slopes);
            TensorPrimitives.Multiply(slopes, o, slopes);
        }
    }

    private sealed record TanhFunction : Activation
    {
        public override string Name => "tanh";

        internal override Seq<double> Bends => Seq1(0.0);

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o) =>
            Elementwise.Tanh(z, o);

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        {
            TensorPrimitives.Multiply(o, o, slopes);
            TensorPrimitives.Subtract(T.One, slopes, slopes);
        }
    }

    private sealed record LeakyFunction(double Slope) : Activation
    {
        public override string Name =>
            Slope == 0.0
                ? "relu"
                : "leaky-relu:" + Slope.ToString("R", CultureInfo.InvariantCulture);

        public override Seq<double> Kinks => Seq1(0.0);

        internal override bool AppliesByBlock => true;

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        {
            if (Slope == 0.0)
            {
                TensorPrimitives.Max(z, T.Zero, o);
                return;
            }

            var α = T.CreateChecked(Slope);
            for (var i = 0; i < z.Length; i++)
            {
                o[i] = z[i] > T.Zero ? z[i] : α * z[i];
            }
        }

        // Inside a training run (whose workspace no trace leaves) the slopes are not stored:
        // they follow from the sign of o, which the run keeps anyway (StepJacobian).
        internal override Jacobian<T> Differentiate<T>(
            Matrix<T> z, Matrix<T> output, Scratch<T> scratch, Slot slot) =>
            scratch is Workspace<T>
                ? new StepJacobian<T>(output, T.CreateChecked(Slope))
                : base.Differentiate(z, output, scratch, slot);

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        {
            Scalar.Step(z, T.CreateChecked(Slope), slopes);
        }
    }

    private sealed record SoftplusFunction : Activation
    {
        public override string Name => "softplus";

        internal override Seq<double> Bends => Seq1(0.0);

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        {
            for (var i = 0; i < z.Length; i++)
            {
                // max(Σ, 0) + ln(1 + e^−|Σ|): e^Σ alone overflows for Σ > 709.
                o[i] = T.Max(z[i], T.Zero) + Scalar.LogOnePlus(T.Exp(-T.Abs(z[i])));
            }
        }

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes) =>
            Elementwise.Sigmoid(z, slopes);
    }

    private sealed record SoftmaxFunction : Activation
    {
        public override string Name => "softmax";

        internal override bool BendsWhereLargestTies => true;

        internal override Jacobian<T> Differentiate<T>(
            Matrix<T> z, Matrix<T> output, Scratch<T> scratch, Slot slot) =>
            new SoftmaxJacobian<T>(output);

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        {
            for (var k = 0; k < z.Length; k += rows)
            {
                Scalar.SoftmaxColumn<T>(z.Slice(k, rows), o.Slice(k, rows));
            }
        }

        // Not reached: softmax's Jacobian is not diagonal, and Differentiate above never asks.
        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes) =>
            throw new InvalidOperationException("softmax has no elementwise slopes");
    }

    private sealed record CustomFunction(
        string Label, Func<double, double> Function, Func<double, double> Derivative) : Activation
    {
        public override string Name => Label;

        private protected override void Evaluate<T>(ReadOnlySpan<T> z, int rows, Span<T> o)
        {
            for (var i = 0; i < z.Length; i++)
            {
                o[i] = T.CreateChecked(Function(double.CreateChecked(z[i])));
            }
        }

        private protected override void Slopes<T>(
            ReadOnlySpan<T> z, ReadOnlySpan<T> o, Span<T> slopes)
        {
            for (var i = 0; i < z.Length; i++)
            {
                slopes[i] = T.CreateChecked(Derivative(double.CreateChecked(z[i])));
            }
        }
    }
}
