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
    /// The leaky rectifier: Σ for Σ &gt; 0 and α·Σ otherwise; slope 1 or α.
    /// </summary>
    /// <param name="slope">α, the slope for negative inputs, finite and in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">α is not finite or not in [0, 1).</exception>
    public static Activation LeakyReLU(double slope) =>
        double.IsFinite(slope) && slope >= 0.0 && slope < 1.0
            ? new LeakyFunction(slope)
            : throw new ArgumentOutOfRangeException(
                nameof(slope), slope, $"leaky ReLU slope must be finite and in [0, 1), got {slope}");

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
    public abstract Matrix<T> Apply<T>(Matrix<T> z)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    /// <summary>
    /// The Jacobian ∂o/∂Σ at Σ = <paramref name="z"/>, given o = f(Σ) already computed.
    /// </summary>
    /// <param name="z">Σ, out × m.</param>
    /// <param name="output">o = f(Σ), out × m.</param>
    public abstract Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    /// <inheritdoc/>
    public sealed override string ToString() => Name;

    private sealed record IdentityFunction : Activation
    {
        public override string Name => "identity";

        public override Matrix<T> Apply<T>(Matrix<T> z) => z;

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new DiagonalJacobian<T>(Dense.Map(z, static (_, d) => d.Fill(T.One)));
    }

    private sealed record SigmoidFunction : Activation
    {
        public override string Name => "sigmoid";

        // 1 / (1 + e^−Σ): e^−Σ overflows to +∞ for Σ < −709 and the quotient is then exactly 0.
        public override Matrix<T> Apply<T>(Matrix<T> z) => Dense.Map(z, TensorPrimitives.Sigmoid);

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new DiagonalJacobian<T>(Dense.Map(output, static (s, d) =>
            {
                TensorPrimitives.Subtract(T.One, s, d);
                TensorPrimitives.Multiply(d, s, d);
            }));
    }

    private sealed record TanhFunction : Activation
    {
        public override string Name => "tanh";

        public override Matrix<T> Apply<T>(Matrix<T> z) => Dense.Map(z, TensorPrimitives.Tanh);

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new DiagonalJacobian<T>(Dense.Map(output, static (t, d) =>
            {
                TensorPrimitives.Multiply(t, t, d);
                TensorPrimitives.Subtract(T.One, d, d);
            }));
    }

    private sealed record LeakyFunction(double Slope) : Activation
    {
        public override string Name =>
            Slope == 0.0 ? "relu" : "leaky-relu:" + Slope.ToString("R", CultureInfo.InvariantCulture);

        public override Seq<double> Kinks => Seq1(0.0);

        public override Matrix<T> Apply<T>(Matrix<T> z)
        {
            if (Slope == 0.0)
            {
                return Dense.Map(z, static (x, d) => TensorPrimitives.Max(x, T.Zero, d));
            }

            var α = T.CreateChecked(Slope);
            return Dense.Map(z, (x, d) =>
            {
                for (var i = 0; i < x.Length; i++)
                {
                    d[i] = x[i] > T.Zero ? x[i] : α * x[i];
                }
            });
        }

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output)
        {
            var α = T.CreateChecked(Slope);
            return new DiagonalJacobian<T>(Dense.Map(z, (x, d) =>
            {
                for (var i = 0; i < x.Length; i++)
                {
                    d[i] = x[i] > T.Zero ? T.One : α;
                }
            }));
        }
    }

    private sealed record SoftplusFunction : Activation
    {
        public override string Name => "softplus";

        public override Matrix<T> Apply<T>(Matrix<T> z) => Dense.Map(z, static (x, d) =>
        {
            for (var i = 0; i < x.Length; i++)
            {
                // max(Σ, 0) + ln(1 + e^−|Σ|): e^Σ alone overflows for Σ > 709.
                d[i] = T.Max(x[i], T.Zero) + Scalar.LogOnePlus(T.Exp(-T.Abs(x[i])));
            }
        });

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new DiagonalJacobian<T>(Dense.Map(z, TensorPrimitives.Sigmoid));
    }

    private sealed record SoftmaxFunction : Activation
    {
        public override string Name => "softmax";

        public override Matrix<T> Apply<T>(Matrix<T> z)
        {
            var x = Dense.Values(z);
            var rows = z.RowCount;
            var s = new T[x.Length];
            for (var j = 0; j < z.ColumnCount; j++)
            {
                Scalar.SoftmaxColumn<T>(x.AsSpan(j * rows, rows), s.AsSpan(j * rows, rows));
            }

            return Dense.Of(rows, z.ColumnCount, s);
        }

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new SoftmaxJacobian<T>(output);
    }

    private sealed record CustomFunction(
        string Label, Func<double, double> Function, Func<double, double> Derivative) : Activation
    {
        public override string Name => Label;

        public override Matrix<T> Apply<T>(Matrix<T> z) => Dense.Map(z, (x, d) =>
        {
            for (var i = 0; i < x.Length; i++)
            {
                d[i] = T.CreateChecked(Function(double.CreateChecked(x[i])));
            }
        });

        public override Jacobian<T> Differentiate<T>(Matrix<T> z, Matrix<T> output) =>
            new DiagonalJacobian<T>(Dense.Map(z, (x, d) =>
            {
                for (var i = 0; i < x.Length; i++)
                {
                    d[i] = T.CreateChecked(Derivative(double.CreateChecked(x[i])));
                }
            }));
    }
}
