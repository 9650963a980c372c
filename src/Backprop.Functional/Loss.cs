using System;
using System.Numerics.Tensors;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// A loss ℓ(o, y) per sample, and its gradient. The loss of a batch of m samples (one a column)
/// is the mean, L = (1/m)·Σₖ ℓ(oₖ, yₖ), so every gradient carries the factor 1/m and the
/// gradient of a batch is the mean of the per-sample gradients.
/// </summary>
/// <remarks>
/// A loss sees the output layer's trace, not just its output, so that losses paired with their
/// natural output (softmax with cross-entropy, sigmoid with binary cross-entropy) are computed
/// from the logits Σ, stably, and give δ_L = (o − y)/m directly.
/// </remarks>
public abstract record Loss
{
    /// <summary>
    /// Probabilities are clamped to at least this before a logarithm or a division, and binary
    /// cross-entropy's to at most 1 − this as well, so that a saturated output gives a large
    /// finite loss instead of ∞ or NaN. In float32, where 1 − 10⁻¹² rounds to 1, the upper end
    /// is the largest float below 1, 1 − 2⁻²⁴.
    /// </summary>
    public const double ProbabilityFloor = 1e-12;

    private protected Loss()
    {
    }

    /// <summary>The quadratic loss ℓ = ½‖o − y‖², whose gradient is the classic o − y.</summary>
    public static Loss Quadratic { get; } = new QuadraticLoss();

    /// <summary>
    /// Binary cross-entropy ℓ = −Σᵢ [yᵢ ln oᵢ + (1 − yᵢ) ln(1 − oᵢ)], for outputs in (0, 1).
    /// After a sigmoid output it is computed from the logits as Σᵢ softplus(Σᵢ) − yᵢΣᵢ, with
    /// δ = σ(Σ) − y; after any other output through the activation's Jacobian.
    /// </summary>
    public static Loss BinaryCrossEntropy { get; } = new BinaryCrossEntropyLoss();

    /// <summary>
    /// Categorical cross-entropy ℓ = −Σᵢ yᵢ ln oᵢ on probabilities o, with gradient −y/o passed
    /// through the output activation's Jacobian (the full softmax Jacobian after softmax).
    /// </summary>
    public static Loss CrossEntropy { get; } = new CrossEntropyLoss();

    /// <summary>
    /// Softmax followed by cross-entropy, fused and computed from the logits Σ:
    /// ℓ = Σᵢ yᵢ (ln Σⱼ e^Σⱼ − Σᵢ), δ = (Σᵢ yᵢ)·softmax(Σ) − y
    /// (that is s − y for one-hot y).
    /// Needs a softmax output layer.
    /// </summary>
    public static Loss SoftmaxCrossEntropy { get; } = new SoftmaxCrossEntropyLoss();

    /// <summary>The canonical name, which <see cref="Parse"/> reads back.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The loss with the given name: quadratic, binary-cross-entropy, cross-entropy or
    /// softmax-cross-entropy. Case is ignored.
    /// </summary>
    public static Fin<Loss> Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quadratic" or "mse" => FinSucc(Quadratic),
        "binary-cross-entropy" or "bce" => FinSucc(BinaryCrossEntropy),
        "cross-entropy" or "ce" => FinSucc(CrossEntropy),
        "softmax-cross-entropy" => FinSucc(SoftmaxCrossEntropy),
        _ => FinFail<Loss>(Error.New(
            $"unknown loss '{name}'; expected quadratic, binary-cross-entropy, cross-entropy "
            + "or softmax-cross-entropy")),
    };

    /// <summary>Whether this loss can follow an output layer with the given activation.</summary>
    public virtual Fin<Unit> Accepts(Activation output) => FinSucc(unit);

    /// <summary>
    /// The output values at which this loss is not smooth: where a clamp starts. A gradient
    /// check treats an output crossing one like a ReLU input crossing 0.
    /// </summary>
    internal virtual Seq<double> OutputKinks(Activation output) => Empty;

    /// <summary>ℓ for each sample (column), as a vector of length m.</summary>
    /// <param name="output">The output layer's trace (o and Σ are out × m).</param>
    /// <param name="targets">y, out × m.</param>
    public Vector<T> PerSample<T>(LayerTrace<T> output, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Check(output, targets);
        var rows = targets.RowCount;
        var y = Dense.Values(targets);
        var o = Dense.Values(output.Output);
        var z = Dense.Values(output.WeightedInput);
        var ℓ = new T[targets.ColumnCount];
        for (var k = 0; k < ℓ.Length; k++)
        {
            var column = new Range(k * rows, (k + 1) * rows);
            ℓ[k] = Sample(output.Activation, z.AsSpan(column), o.AsSpan(column), y.AsSpan(column));
        }

        return Dense.Of(ℓ);
    }

    /// <summary>L = (1/m)·Σₖ ℓₖ, the mean loss over the batch.</summary>
    /// <param name="output">The output layer's trace (o and Σ are out × m).</param>
    /// <param name="targets">y, out × m.</param>
    public T Value<T>(LayerTrace<T> output, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        TensorPrimitives.Sum<T>(Dense.Values(PerSample(output, targets)))
            / T.CreateChecked(targets.ColumnCount);

    /// <summary>δ_L = ∂L/∂Σ_L for the batch mean L, out × m, as a new matrix.</summary>
    /// <param name="output">The output layer's trace.</param>
    /// <param name="targets">y, out × m.</param>
    public Matrix<T> OutputDelta<T>(LayerTrace<T> output, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        OutputDelta(output, targets, Scratch<T>.Fresh, new Slot(SlotKind.Delta, 0));

    /// <summary>δ_L into a matrix taken from <paramref name="scratch"/>.</summary>
    internal Matrix<T> OutputDelta<T>(
        LayerTrace<T> output, Matrix<T> targets, Scratch<T> scratch, Slot slot)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Check(output, targets);
        var into = scratch.Take(slot, targets.RowCount, targets.ColumnCount);
        var δ = Dense.Values(into).AsSpan();
        Delta(output, targets, δ);
        TensorPrimitives.Divide(δ, T.CreateChecked(targets.ColumnCount), δ);
        return into;
    }

    /// <inheritdoc/>
    public sealed override string ToString() => Name;

    /// <summary>
    /// ℓ of one sample given its logits z, output o and target y (each of length out).
    /// </summary>
    private protected abstract T Sample<T>(
        Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> o, ReadOnlySpan<T> y)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    /// <summary>
    /// Σₖ ∂ℓₖ/∂Σ (not yet divided by m), out × m, written in full into <paramref name="d"/>.
    /// </summary>
    private protected abstract void Delta<T>(LayerTrace<T> output, Matrix<T> targets, Span<T> d)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    private void Check<T>(LayerTrace<T> output, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Accepts(output.Activation).IfFail(e => throw new ArgumentException(e.Message));
        Shapes.CheckTargets(output.Output, targets).IfFail(e =>
            throw new ArgumentException(e.Message, nameof(targets)));
    }

    private static T Floor<T>()
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        T.CreateChecked(ProbabilityFloor);

    // 1 − floor, or the largest T below 1 where that rounds to 1 (float32), so that 1 − p is
    // never 0.
    private static T Ceiling<T>()
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        T.Min(T.One - Floor<T>(), T.BitDecrement(T.One));

    private sealed record QuadraticLoss : Loss
    {
        public override string Name => "quadratic";

        private protected override T Sample<T>(
            Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> o, ReadOnlySpan<T> y)
        {
            var half = T.One / (T.One + T.One);
            var distance = TensorPrimitives.Distance(o, y);
            return half * distance * distance;
        }

        private protected override void Delta<T>(
            LayerTrace<T> output, Matrix<T> targets, Span<T> d)
        {
            TensorPrimitives.Subtract(Dense.Values(output.Output), Dense.Values(targets), d);
            output.Jacobian.Apply(d, d);
        }
    }

    private sealed record BinaryCrossEntropyLoss : Loss
    {
        public override string Name => "binary-cross-entropy";

        internal override Seq<double> OutputKinks(Activation output) =>
            output == Activation.Sigmoid ? Empty : Seq(ProbabilityFloor, 1.0 - ProbabilityFloor);

        private protected override T Sample<T>(
            Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> o, ReadOnlySpan<T> y)
        {
            var ℓ = T.Zero;
            for (var i = 0; i < y.Length; i++)
            {
                if (activation == Activation.Sigmoid)
                {
                    // −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = softplus(z) − y·z, finite for any z;
                    // as (max(z, 0) − y·z) + ln(1 + e^−|z|), so that the large terms cancel
                    // before the small one is added.
                    var linear = T.Max(z[i], T.Zero) - (y[i] * z[i]);
                    ℓ += linear + Scalar.LogOnePlus(T.Exp(-T.Abs(z[i])));
                }
                else
                {
                    var p = T.Clamp(o[i], Floor<T>(), Ceiling<T>());
                    ℓ -= (y[i] * T.Log(p)) + ((T.One - y[i]) * T.Log(T.One - p));
                }
            }

            return ℓ;
        }

        private protected override void Delta<T>(
            LayerTrace<T> output, Matrix<T> targets, Span<T> d)
        {
            var (o, y) = (Dense.Values(output.Output), Dense.Values(targets));
            if (output.Activation == Activation.Sigmoid)
            {
                TensorPrimitives.Subtract(o, y, d);
                return;
            }

            // ∂ℓ/∂o = (o − y) / (o(1 − o)) inside [floor, ceiling]; outside it the value uses
            // the clamped o, which does not move with o, so the gradient there is 0.
            var (lo, hi) = (Floor<T>(), Ceiling<T>());
            for (var i = 0; i < d.Length; i++)
            {
                var p = o[i];
                d[i] = p >= lo && p <= hi ? (p - y[i]) / (p * (T.One - p)) : T.Zero;
            }

            output.Jacobian.Apply(d, d);
        }
    }

    private sealed record CrossEntropyLoss : Loss
    {
        public override string Name => "cross-entropy";

        internal override Seq<double> OutputKinks(Activation output) => Seq1(ProbabilityFloor);

        private protected override T Sample<T>(
            Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> o, ReadOnlySpan<T> y)
        {
            var ℓ = T.Zero;
            for (var i = 0; i < y.Length; i++)
            {
                ℓ -= y[i] * T.Log(T.Max(o[i], Floor<T>()));
            }

            return ℓ;
        }

        private protected override void Delta<T>(
            LayerTrace<T> output, Matrix<T> targets, Span<T> d)
        {
            // ∂ℓ/∂o = −y/o where o ≥ floor; below it the value uses the floor, which does not
            // move with o, so the gradient there is 0 (consistent with the value, and finite).
            var (o, y) = (Dense.Values(output.Output), Dense.Values(targets));
            var lo = Floor<T>();
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = o[i] >= lo ? -y[i] / o[i] : T.Zero;
            }

            output.Jacobian.Apply(d, d);
        }
    }

    private sealed record SoftmaxCrossEntropyLoss : Loss
    {
        public override string Name => "softmax-cross-entropy";

        public override Fin<Unit> Accepts(Activation output) =>
            output == Activation.Softmax
                ? FinSucc(unit)
                : FinFail<Unit>(Error.New(
                    $"softmax-cross-entropy needs a softmax output layer, found {output.Name}"));

        private protected override T Sample<T>(
            Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> o, ReadOnlySpan<T> y)
        {
            // Σᵢ yᵢ (lse(z) − zᵢ) = Σᵢ yᵢ (ln Σⱼ e^(zⱼ − m) − (zᵢ − m)): from the
            // logits, so a probability that rounds to 0 still has a finite, exact log, and
            // shifted by their maximum m, so that large logits do not round the log of the
            // sum away.
            var (m, logSum) = Scalar.ShiftedLogSumExp(z);
            var ℓ = T.Zero;
            for (var i = 0; i < y.Length; i++)
            {
                ℓ += y[i] * (logSum - (z[i] - m));
            }

            return ℓ;
        }

        private protected override void Delta<T>(
            LayerTrace<T> output, Matrix<T> targets, Span<T> d)
        {
            var (s, y) = (Dense.Values(output.Output), Dense.Values(targets));
            var rows = targets.RowCount;
            for (var k = 0; k < d.Length; k += rows)
            {
                var yk = y.AsSpan(k, rows);
                var mass = TensorPrimitives.Sum<T>(yk);
                TensorPrimitives.Multiply(s.AsSpan(k, rows), mass, d.Slice(k, rows));
                TensorPrimitives.Subtract(d.Slice(k, rows), yk, d.Slice(k, rows));
            }
        }
    }
}
