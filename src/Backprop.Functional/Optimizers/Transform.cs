using System;
using System.Linq;
using System.Numerics.Tensors;
using static Backprop.Functional.Hyperparameter;

namespace Backprop.Functional;

/// <summary>
/// A gradient transform, chained in front of an optimizer's recurrence: it maps the raw
/// gradient g (and the parameters θ) to the gradient the optimizer sees, or, for decoupled
/// weight decay, adds to the optimizer's direction afterwards.
/// </summary>
public abstract record Transform
{
    private protected Transform()
    {
    }

    /// <summary>A description for logs.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Clipping by global norm: g ← g · min(1, c/‖g‖), with ‖g‖ over all parameters.
    /// </summary>
    /// <param name="maxNorm">c &gt; 0.</param>
    public static Transform ClipByNorm(double maxNorm) =>
        new ClipNorm(Positive(maxNorm, nameof(maxNorm)));

    /// <summary>Clipping by value: each gᵢ ← clamp(gᵢ, −c, c).</summary>
    /// <param name="maxValue">c &gt; 0.</param>
    public static Transform ClipByValue(double maxValue) =>
        new ClipValue(Positive(maxValue, nameof(maxValue)));

    /// <summary>
    /// The coupled L2 penalty ½λ‖W‖²: g ← g + λ·θ for weights (biases too when
    /// <paramref name="includeBiases"/>). The optimizer's moments then see the penalty.
    /// </summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="includeBiases">Whether biases are penalised. Defaults to false.</param>
    public static Transform L2(double lambda, bool includeBiases = false) =>
        new Penalty(NonNegative(lambda, nameof(lambda)), includeBiases, Decoupled: false);

    /// <summary>
    /// Decoupled weight decay (Loshchilov and Hutter, 2019): the direction d ← d + λ·θ after
    /// the optimizer's recurrence, so θ ← θ − η(d + λθ). Biases are excluded by default.
    /// </summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <param name="includeBiases">Whether biases decay. Defaults to false.</param>
    public static Transform WeightDecay(double lambda, bool includeBiases = false) =>
        new Penalty(NonNegative(lambda, nameof(lambda)), includeBiases, Decoupled: true);

    /// <summary>Whether a non-finite input always gives a non-finite output.</summary>
    internal virtual bool KeepsNonFinite => true;

    /// <summary>Whether this transform acts on the direction after the optimizer.</summary>
    internal virtual bool AfterOptimizer => false;

    /// <summary>The transformed arrays (new ones; the inputs are only read).</summary>
    internal abstract T[][] Apply<T>(T[][] g, T[][] θ)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    /// <inheritdoc/>
    public sealed override string ToString() => Name;

    private sealed record ClipNorm(double Max) : Transform
    {
        public override string Name => $"clip-norm({Max:G4})";

        internal override T[][] Apply<T>(T[][] g, T[][] θ)
        {
            var squares = g.Aggregate(0.0, (sum, a) =>
                sum + double.CreateChecked(TensorPrimitives.Dot<T>(a, a)));
            var norm = Math.Sqrt(squares);
            var scale = T.CreateChecked(norm > Max ? Max / norm : 1.0);
            return Parameters.Map(g, (_, a) =>
            {
                var r = new T[a.Length];
                TensorPrimitives.Multiply(a, scale, r);
                return r;
            });
        }
    }

    private sealed record ClipValue(double Max) : Transform
    {
        public override string Name => $"clip-value({Max:G4})";

        // clamp(±∞) is ±c: a gradient of infinities leaves the clip finite.
        internal override bool KeepsNonFinite => false;

        internal override T[][] Apply<T>(T[][] g, T[][] θ)
        {
            var (lo, hi) = (T.CreateChecked(-Max), T.CreateChecked(Max));
            return Parameters.Map(g, (_, a) =>
            {
                var r = new T[a.Length];
                TensorPrimitives.Clamp(a, lo, hi, r);
                return r;
            });
        }
    }

    private sealed record Penalty(double Lambda, bool IncludeBiases, bool Decoupled) : Transform
    {
        public override string Name =>
            (Decoupled ? "weight-decay" : "l2")
            + $"({Lambda:G4}{(IncludeBiases ? ", biases" : string.Empty)})";

        internal override bool AfterOptimizer => Decoupled;

        internal override T[][] Apply<T>(T[][] g, T[][] θ)
        {
            var λ = T.CreateChecked(Lambda);
            return Parameters.Map(g, (i, a) =>
            {
                var r = (T[])a.Clone();
                if (!Parameters.IsBias(i) || IncludeBiases)
                {
                    TensorPrimitives.MultiplyAdd(θ[i], λ, a, r);
                }

                return r;
            });
        }
    }
}
