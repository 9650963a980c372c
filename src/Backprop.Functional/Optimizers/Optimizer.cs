using System;
using System.Linq;
using System.Numerics.Tensors;
using LanguageExt;
using static Backprop.Functional.Hyperparameter;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// An optimizer as a pair of pure functions: <see cref="Init{T}"/> makes a state from a network,
/// and <see cref="Update{T}"/> maps (state, network, gradient) to a new state and network.
/// Nothing is mutated. An optimizer is a value for any element type; chain gradient transforms
/// in front of it with <see cref="With"/>.
/// </summary>
/// <remarks>
/// One update, with t the step count before it and g the gradient:
/// g ← transforms before (clipping, L2); (d, buffers) ← the recurrence; d ← d + λθ for
/// decoupled weight decay; θ ← θ − η(t)·d with η from the <see cref="Schedule"/>.
/// </remarks>
public abstract record Optimizer
{
    private protected Optimizer(Schedule schedule)
    {
        LearningRate = schedule;
        Transforms = Empty;
    }

    /// <summary>The learning-rate schedule η(t).</summary>
    public Schedule LearningRate { get; init; }

    /// <summary>The gradient transforms, in the order they apply.</summary>
    public Seq<Transform> Transforms { get; init; }

    /// <summary>
    /// A description for logs: the recurrence, its hyperparameters and the chain.
    /// </summary>
    public string Name => string.Join(" → ", Transforms.Map(t => t.Name).Add(Describe()))
        + $", η = {LearningRate.Name}";

    /// <summary>The names of the buffers the state carries, in order.</summary>
    public abstract Seq<string> BufferNames { get; }

    /// <summary>Plain SGD: d = g.</summary>
    public static Optimizer Sgd(Schedule learningRate) => new SgdRecurrence(learningRate);

    /// <summary>Plain SGD with a constant η.</summary>
    /// <param name="learningRate">η, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">η is zero, negative or not finite.</exception>
    public static Optimizer Sgd(double learningRate) =>
        Sgd(Schedule.Constant(Positive(learningRate, nameof(learningRate))));

    /// <summary>
    /// Heavy-ball momentum (Polyak, 1964), in PyTorch's form: v ← μv + g, d = v. PyTorch's
    /// dampening is 0; Sutskever et al. write v ← μv − ηg instead, which differs from this when η
    /// changes between steps.
    /// </summary>
    /// <param name="learningRate">η(t).</param>
    /// <param name="momentum">μ in [0, 1). Defaults to 0.9.</param>
    public static Optimizer Momentum(Schedule learningRate, double momentum = 0.9) =>
        new MomentumRecurrence(learningRate, Fraction(momentum, nameof(momentum)), nesterov: false);

    /// <summary>
    /// Nesterov momentum (Sutskever et al., 2013), in PyTorch's form: v ← μv + g, d = g + μv.
    /// </summary>
    /// <param name="learningRate">η(t).</param>
    /// <param name="momentum">μ in [0, 1). Defaults to 0.9.</param>
    public static Optimizer Nesterov(Schedule learningRate, double momentum = 0.9) =>
        new MomentumRecurrence(learningRate, Fraction(momentum, nameof(momentum)), nesterov: true);

    /// <summary>
    /// Adam (Kingma and Ba, 2015): m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    /// m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ); d = m̂/(√v̂ + ε), with t counted from 1. As in PyTorch,
    /// ε is added outside the square root.
    /// </summary>
    /// <param name="learningRate">η(t); 1e-3 is the paper's default.</param>
    /// <param name="beta1">β₁ in [0, 1). Defaults to 0.9.</param>
    /// <param name="beta2">β₂ in [0, 1). Defaults to 0.999.</param>
    /// <param name="epsilon">ε &gt; 0. Defaults to 1e-8.</param>
    public static Optimizer Adam(
        Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) =>
        new AdamRecurrence(
            learningRate, Fraction(beta1, nameof(beta1)), Fraction(beta2, nameof(beta2)),
            Positive(epsilon, nameof(epsilon)));

    /// <summary>
    /// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay, d ← d + λθ, so
    /// θ ← θ − η(m̂/(√v̂ + ε) + λθ); biases do not decay. As in PyTorch, the decay is scaled by
    /// the scheduled η (the paper scales it by a separate schedule multiplier).
    /// </summary>
    /// <param name="learningRate">η(t).</param>
    /// <param name="weightDecay">λ ≥ 0. Defaults to 0.01, PyTorch's default.</param>
    /// <param name="beta1">β₁ in [0, 1). Defaults to 0.9.</param>
    /// <param name="beta2">β₂ in [0, 1). Defaults to 0.999.</param>
    /// <param name="epsilon">ε &gt; 0. Defaults to 1e-8.</param>
    public static Optimizer AdamW(
        Schedule learningRate,
        double weightDecay = 0.01,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8) =>
        Adam(learningRate, beta1, beta2, epsilon)
            .With(Transform.WeightDecay(NonNegative(weightDecay, nameof(weightDecay))));

    /// <summary>
    /// RMSProp (Tieleman and Hinton, 2012), in PyTorch's form: s ← ρs + (1 − ρ)g²,
    /// d = g/(√s + ε), with no momentum and no centring.
    /// </summary>
    /// <param name="learningRate">η(t); 1e-2 is PyTorch's default.</param>
    /// <param name="rho">ρ in [0, 1). Defaults to 0.99, PyTorch's alpha.</param>
    /// <param name="epsilon">ε &gt; 0. Defaults to 1e-8.</param>
    public static Optimizer RmsProp(
        Schedule learningRate, double rho = 0.99, double epsilon = 1e-8) =>
        new RmsPropRecurrence(
            learningRate, Fraction(rho, nameof(rho)), Positive(epsilon, nameof(epsilon)));

    /// <summary>This optimizer with <paramref name="transforms"/> appended to its chain.</summary>
    public Optimizer With(params Transform[] transforms) =>
        this with { Transforms = Transforms + toSeq(transforms.ToArray()) };

    /// <summary>The state before the first update: t = 0 and every buffer zero.</summary>
    public OptimizerState<T> Init<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(0, 0.0, BufferNames.Map(name => (name, Gradient.Zero(network))).Strict());

    /// <summary>
    /// One update: the new state (t + 1, the η used, the new buffers) and the new network.
    /// </summary>
    /// <exception cref="ArgumentException">The gradient or the state's buffers do not have the
    /// network's shapes, or the state's buffers are not this optimizer's.</exception>
    /// <exception cref="InvalidOperationException">The schedule gives a negative or non-finite η
    /// at this step.</exception>
    /// <exception cref="ArithmeticException">A new parameter is NaN or ±∞ (a non-finite
    /// gradient, or a step too large for the precision); the message names the layer. A
    /// network's parameters are always finite, as <see cref="Layer.Create{T}"/> requires;
    /// <see cref="Training.Run{T}"/> stops or skips such a step instead.</exception>
    public (OptimizerState<T> State, Network<T> Network) Update<T>(
        OptimizerState<T> state, Network<T> network, Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (newState, newNetwork, finite) = UpdateChecked(state, network, gradient);
        return finite ? (newState, newNetwork) : throw Finiteness.UpdateFailed(newNetwork, gradient);
    }

    /// <summary>
    /// Whether a non-finite gradient always gives non-finite new parameters: true unless a
    /// transform can map ±∞ to a finite value (clipping by value does).
    /// </summary>
    internal bool KeepsNonFinite => Transforms.ForAll(t => t.KeepsNonFinite);

    /// <summary>
    /// <see cref="Update{T}"/>, and whether every new parameter is finite, found in the same
    /// pass that writes them.
    /// </summary>
    internal (OptimizerState<T> State, Network<T> Network, bool Finite) UpdateChecked<T>(
        OptimizerState<T> state, Network<T> network, Gradient<T> gradient)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        Gradient.CheckMatches(network, gradient);
        if (!state.Buffers.Map(b => b.Name).SequenceEqual(BufferNames))
        {
            throw new ArgumentException(
                $"the state has buffers [{string.Join(", ", state.Buffers.Map(b => b.Name))}] but "
                + $"{Describe()} needs [{string.Join(", ", BufferNames)}]: it comes from another "
                + "optimizer", nameof(state));
        }

        state.Buffers.Iter(b => Gradient.CheckMatches(network, b.Buffer));
        var θ = Parameters.Of(network);

        var g = Transforms.Filter(t => !t.AfterOptimizer)
            .Fold(Parameters.Of(gradient), (acc, t) => t.Apply(acc, θ));
        var buffers = state.Buffers.Map(b => Parameters.Of(b.Buffer)).ToArray();
        var t = state.Step + 1;
        var (d, next) = Recurrence(g, buffers, t);
        d = Transforms.Filter(tr => tr.AfterOptimizer).Fold(d, (acc, tr) => tr.Apply(acc, θ));

        var η = RateAt(state.Step);
        var ηT = T.CreateChecked(η);
        var finite = true;
        var updated = Parameters.Map(θ, (i, w) =>
        {
            var r = GC.AllocateUninitializedArray<T>(w.Length);
            finite &= Kernels.Step<T>(d[i], -ηT, w, r);
            return r;
        });
        var newState = new OptimizerState<T>(
            t,
            η,
            toSeq(BufferNames.Zip(next)
                .Map(p => (p.Item1, Parameters.ToGradient(network, p.Item2)))));
        return (newState, Parameters.ToNetwork(network, updated), finite);
    }

    /// <summary>
    /// η for the update after <paramref name="state"/> when this optimizer is plain SGD with no
    /// transforms and that η is above 0: then the update is θ − η·g alone, which a training run
    /// can write in the gradient product itself. None for anything else, which must go through
    /// <see cref="UpdateChecked{T}"/> (a state with buffers is another optimizer's, which it
    /// refuses).
    /// </summary>
    /// <exception cref="InvalidOperationException">The schedule gives a negative or non-finite η
    /// at this step.</exception>
    internal Option<double> PlainRate<T>(OptimizerState<T> state)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        this is SgdRecurrence && Transforms.IsEmpty && state.Buffers.IsEmpty
            ? Some(RateAt(state.Step)).Filter(η => η > 0)
            : None;

    /// <summary>The state after a plain SGD update with <paramref name="η"/>.</summary>
    internal static OptimizerState<T> Advanced<T>(OptimizerState<T> state, double η)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(state.Step + 1, η, Empty);

    /// <summary>The recurrence's own name and hyperparameters.</summary>
    private protected abstract string Describe();

    /// <summary>
    /// The direction d (θ ← θ − ηd) and the new buffers from the gradient g, the old buffers
    /// and t ≥ 1, all as parameter arrays.
    /// </summary>
    private protected abstract (T[][] Direction, T[][][] Buffers) Recurrence<T>(
        T[][] g, T[][][] buffers, long t)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>;

    // η(t), checked: the factories reject bad rates, but a hand-made Schedule can still give
    // one.
    private double RateAt(long step)
    {
        var η = LearningRate.At(step);
        if (!double.IsFinite(η) || η < 0)
        {
            throw new InvalidOperationException(
                $"the learning-rate schedule {LearningRate.Name} gives η = {η} at step "
                + $"{step}; η must be finite and ≥ 0");
        }

        return η;
    }

    private sealed record SgdRecurrence : Optimizer
    {
        public SgdRecurrence(Schedule rate)
            : base(rate)
        {
        }

        public override Seq<string> BufferNames => Empty;

        private protected override string Describe() => "sgd";

        private protected override (T[][] Direction, T[][][] Buffers) Recurrence<T>(
            T[][] g, T[][][] buffers, long t) => (g, buffers);
    }

    private sealed record MomentumRecurrence : Optimizer
    {
        public MomentumRecurrence(Schedule rate, double mu, bool nesterov)
            : base(rate) => (Mu, IsNesterov) = (mu, nesterov);

        public double Mu { get; }

        public bool IsNesterov { get; }

        public override Seq<string> BufferNames => Seq1("velocity");

        private protected override string Describe() =>
            $"{(IsNesterov ? "nesterov" : "momentum")}(μ = {Mu:G4})";

        private protected override (T[][] Direction, T[][][] Buffers) Recurrence<T>(
            T[][] g, T[][][] buffers, long t)
        {
            var μ = T.CreateChecked(Mu);
            var v = Parameters.Map(buffers[0], (i, v0) =>
            {
                var r = new T[v0.Length];
                TensorPrimitives.MultiplyAdd(v0, μ, g[i], r);      // v ← μv + g
                return r;
            });
            var d = IsNesterov
                ? Parameters.Map(v, (i, vi) =>
                {
                    var r = new T[vi.Length];
                    TensorPrimitives.MultiplyAdd(vi, μ, g[i], r);  // d = g + μv
                    return r;
                })
                : v;
            return (d, new[] { v });
        }
    }

    private sealed record AdamRecurrence : Optimizer
    {
        public AdamRecurrence(Schedule rate, double beta1, double beta2, double epsilon)
            : base(rate) => (Beta1, Beta2, Epsilon) = (beta1, beta2, epsilon);

        public double Beta1 { get; }

        public double Beta2 { get; }

        public double Epsilon { get; }

        public override Seq<string> BufferNames => Seq("m", "v");

        private protected override string Describe() =>
            $"adam(β₁ = {Beta1:G4}, β₂ = {Beta2:G4}, ε = {Epsilon:G4})";

        private protected override (T[][] Direction, T[][][] Buffers) Recurrence<T>(
            T[][] g, T[][][] buffers, long t)
        {
            var (β1, β2, ε) =
                (T.CreateChecked(Beta1), T.CreateChecked(Beta2), T.CreateChecked(Epsilon));
            var c1 = T.One - T.CreateChecked(PortableMath.Pow(Beta1, t)); // bias corrections 1 − βᵗ
            var c2 = T.One - T.CreateChecked(PortableMath.Pow(Beta2, t));
            var m = Parameters.Zeros(g);
            var v = Parameters.Zeros(g);
            var d = Parameters.Zeros(g);
            for (var i = 0; i < g.Length; i++)
            {
                var (gi, m0, v0) = (g[i], buffers[0][i], buffers[1][i]);
                for (var k = 0; k < gi.Length; k++)
                {
                    m[i][k] = (β1 * m0[k]) + ((T.One - β1) * gi[k]);            // first moment
                    v[i][k] = (β2 * v0[k]) + ((T.One - β2) * gi[k] * gi[k]);    // second moment
                    var mHat = m[i][k] / c1;                                     // bias correction
                    var vHat = v[i][k] / c2;
                    d[i][k] = mHat / (T.Sqrt(vHat) + ε);
                }
            }

            return (d, new[] { m, v });
        }
    }

    private sealed record RmsPropRecurrence : Optimizer
    {
        public RmsPropRecurrence(Schedule rate, double rho, double epsilon)
            : base(rate) => (Rho, Epsilon) = (rho, epsilon);

        public double Rho { get; }

        public double Epsilon { get; }

        public override Seq<string> BufferNames => Seq1("square-average");

        private protected override string Describe() => $"rmsprop(ρ = {Rho:G4}, ε = {Epsilon:G4})";

        private protected override (T[][] Direction, T[][][] Buffers) Recurrence<T>(
            T[][] g, T[][][] buffers, long t)
        {
            var (ρ, ε) = (T.CreateChecked(Rho), T.CreateChecked(Epsilon));
            var s = Parameters.Zeros(g);
            var d = Parameters.Zeros(g);
            for (var i = 0; i < g.Length; i++)
            {
                for (var k = 0; k < g[i].Length; k++)
                {
                    s[i][k] = (ρ * buffers[0][i][k]) + ((T.One - ρ) * g[i][k] * g[i][k]);
                    d[i][k] = g[i][k] / (T.Sqrt(s[i][k]) + ε);
                }
            }

            return (d, new[] { s });
        }
    }
}
