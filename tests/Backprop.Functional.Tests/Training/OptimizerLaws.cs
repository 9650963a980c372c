using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Laws every optimizer keeps, in the spirit of JAX's and optax's optimizer tests: a zero
/// learning rate changes nothing, the state keeps the network's shapes, updates stay finite,
/// and a convex quadratic is driven to its minimum.
/// </summary>
/// <remarks>
/// The first three are properties over random problems (1–3 layers, widths 1–4, smooth hidden
/// activations, identity output, every weight, bias, input and target in [−1, 1] on a grid of
/// 10⁻⁶, batches of 1–4), checked with <see cref="Cases"/> cases for each optimizer of
/// <see cref="Catalog"/>, the chains with transforms included.
/// </remarks>
public sealed class OptimizerLaws(ITestOutputHelper output)
{
    /// <summary>Cases per property and optimizer.</summary>
    private const int Cases = 3000;

    /// <summary>Updates per case: enough for every buffer to have moved off zero.</summary>
    private const int Updates = 3;

    /// <summary>Full-batch steps on the quadratic bowls.</summary>
    private const int Steps = 2000;

    /// <summary>
    /// The loss a bowl must get below: far above what the runs reach (under 1e-28 measured for
    /// every optimizer), far below where any of them starts (about 1).
    /// </summary>
    private const double MinimumTolerance = 1e-10;

    /// <summary>A, column-major: [[1, −2], [0.5, 3]].</summary>
    private static readonly double[] A = [1, 0.5, -2, 3];

    private static readonly double[] C = [0.25, -1];

    /// <summary>Every optimizer, by name, from its schedule.</summary>
    public static IReadOnlyDictionary<string, Func<Schedule, Optimizer>> Catalog { get; } =
        new Dictionary<string, Func<Schedule, Optimizer>>
        {
            ["sgd"] = s => Optimizer.Sgd(s),
            ["momentum"] = s => Optimizer.Momentum(s),
            ["nesterov"] = s => Optimizer.Nesterov(s),
            ["adam"] = s => Optimizer.Adam(s),
            ["adamw"] = s => Optimizer.AdamW(s),
            ["rmsprop"] = s => Optimizer.RmsProp(s),
            ["sgd, clip-norm, l2"] = s => Optimizer.Sgd(s)
                .With(Transform.ClipByNorm(0.5), Transform.L2(0.01, includeBiases: true)),
            ["nesterov, clip-norm, clip-value"] = s => Optimizer.Nesterov(s)
                .With(Transform.ClipByNorm(1), Transform.ClipByValue(0.5)),
            ["adam, clip-value, decay"] = s => Optimizer.Adam(s).With(
                Transform.ClipByValue(0.1), Transform.WeightDecay(0.01, includeBiases: true)),
        };

    public static TheoryData<string> Names => new(Catalog.Keys);

    private static Config Config { get; } =
        Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    private static Gen<double> Unit { get; } =
        Gen.Choose(-1_000_000, 1_000_000).Select(k => k / 1e6);

    private static Gen<Problem> Problems { get; } =
        from depth in Gen.Choose(1, 3)
        from sizes in Gen.Choose(1, 4).ArrayOf(depth + 1)
        from hidden in Gen.Elements(
            Activation.Identity, Activation.Tanh, Activation.Sigmoid, Activation.Softplus)
        from m in Gen.Choose(1, 4)
        from θ in Unit.ArrayOf(sizes.Zip(sizes.Skip(1), (i, o) => (o * i) + o).Sum())
        from x in Unit.ArrayOf(sizes[0] * m)
        from y in Unit.ArrayOf(sizes[^1] * m)
        let shape = Network.Initialize<double>(
            sizes, hidden, Activation.Identity, Initialization.GlorotUniform, 0)
        select new Problem(
            Fixtures.WithParameters(shape, θ),
            Fixtures.Matrix(sizes[0], m, x),
            Fixtures.Matrix(sizes[^1], m, y));

    /// <summary>
    /// η(t) = 0 leaves every parameter's bits as they were. It can only come from a hand-made
    /// schedule: the factories refuse it.
    /// </summary>
    /// <remarks>
    /// Adam's direction stays finite even where g = 0, since ε &gt; 0 keeps √v̂ + ε away from 0
    /// (and at t = 1, v̂ = g² exactly), so θ − 0·d is θ bit for bit.
    /// </remarks>
    [Theory]
    [MemberData(nameof(Names))]
    public void A_zero_learning_rate_changes_nothing(string name)
    {
        var optimizer = Catalog[name](new Schedule("zero", _ => 0.0));

        Prop.ForAll(Problems.ToArbitrary(), p =>
        {
            var (state, network) = Run(optimizer, p);
            return Bits(p.Network).SequenceEqual(Bits(network))
                && state.Step == Updates
                && state.LearningRate == 0.0;
        }).Check(Config);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_state_keeps_the_network_shapes(string name)
    {
        var optimizer = Catalog[name](Schedule.Constant(0.01));

        Prop.ForAll(Problems.ToArbitrary(), p =>
        {
            var (state, network) = Run(optimizer, p);
            var shapes = Shapes(p.Network);
            return state.Buffers.Map(b => b.Name).SequenceEqual(optimizer.BufferNames)
                && state.Buffers.ForAll(b => Shapes(b.Buffer).SequenceEqual(shapes))
                && Shapes(network).SequenceEqual(shapes);
        }).Check(Config);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Updates_are_finite(string name)
    {
        var optimizer = Catalog[name](Schedule.Constant(0.01));

        Prop.ForAll(Problems.ToArbitrary(), p =>
        {
            var (state, network) = Run(optimizer, p);
            return Fixtures.Flat(network).All(double.IsFinite)
                && state.Buffers.ForAll(b => b.Buffer.IsFinite);
        }).Check(Config);
    }

    /// <summary>
    /// A convex quadratic: one identity layer 2 → 2 on eight fixed inputs, with targets
    /// Y = A·X + c, so L(W, b) = (1/8)·Σₖ ½‖W·xₖ + b − yₖ‖² has its minimum 0 at W = A, b = c.
    /// Full-batch updates from W = 0, b = 0, with a cosine schedule over the steps so that the
    /// adaptive methods settle instead of hovering within η of the minimum.
    /// </summary>
    [Theory]
    [InlineData("sgd", 0.5)]
    [InlineData("momentum", 0.1)]
    [InlineData("nesterov", 0.1)]
    [InlineData("adam", 0.05)]
    [InlineData("rmsprop", 0.01)]
    [InlineData("nesterov, clip-norm, clip-value", 0.1)]
    public void Every_optimizer_drives_a_convex_quadratic_to_its_minimum(string name, double η)
    {
        var start = Fixtures.Affine(2, 2, new double[4], new double[2]);

        var (loss, _) = Minimise(Catalog[name](Schedule.Cosine(η, Steps)), start, Bowl(A, C), name);

        Assert.True(loss < MinimumTolerance, $"{name}: loss {loss:E3} after {Steps} steps");
    }

    /// <summary>
    /// With decoupled decay the minimum of L is a fixed point only where the decay vanishes
    /// too, so these bowls put it there: A = 0 (W* = 0), and c = 0 as well when biases decay.
    /// The runs start away from it, at W = [[1, −1], [0.5, 2]], b = (1, −1).
    /// </summary>
    [Theory]
    [InlineData("adamw", 0.05, 0.25, -1)]
    [InlineData("adam, clip-value, decay", 0.05, 0, 0)]
    public void Decoupled_decay_drives_a_bowl_to_a_minimum_where_the_decay_vanishes(
        string name, double η, double c1, double c2)
    {
        var start = Fixtures.Affine(2, 2, [1, 0.5, -1, 2], [1, -1]);
        var bowl = Bowl(new double[4], [c1, c2]);

        var (loss, _) = Minimise(Catalog[name](Schedule.Cosine(η, Steps)), start, bowl, name);

        Assert.True(loss < MinimumTolerance, $"{name}: loss {loss:E3} after {Steps} steps");
    }

    /// <summary>
    /// Coupled L2 on every parameter moves the minimum to the ridge solution: per output row,
    /// (X̃X̃ᵀ/8 + λI)·θ = X̃·y/8 with X̃ = [X; 1ᵀ] and θ = (w, b). Clipping does not move it.
    /// </summary>
    [Fact]
    public void Coupled_l2_drives_a_bowl_to_the_ridge_minimum()
    {
        const double λ = 0.01;
        var (x, y) = Bowl(A, C);
        var xt = x.Stack(Matrix<double>.Build.Dense(1, 8, 1.0));
        var ridge = (xt * xt.Transpose() / 8) + (λ * Matrix<double>.Build.DenseIdentity(3));
        var θ = ridge.Solve(xt * y.Transpose() / 8);      // 3 × 2: column i is (w, b) of row i
        var start = Fixtures.Affine(2, 2, new double[4], new double[2]);

        var (_, network) = Minimise(
            Catalog["sgd, clip-norm, l2"](Schedule.Cosine(0.5, Steps)), start, (x, y), "ridge");

        var w = network.Layers[0].Weights;
        var b = network.Layers[0].Bias;
        for (var i = 0; i < 2; i++)
        {
            Fixtures.Near(θ[0, i], w[i, 0], 1e-10, $"W[{i}, 0]");
            Fixtures.Near(θ[1, i], w[i, 1], 1e-10, $"W[{i}, 1]");
            Fixtures.Near(θ[2, i], b[i], 1e-10, $"b[{i}]");
        }
    }

    private static (OptimizerState<double> State, Network<double> Network) Run(
        Optimizer optimizer, Problem p)
    {
        var (state, network) = (optimizer.Init(p.Network), p.Network);
        for (var i = 0; i < Updates; i++)
        {
            var (_, g) = network.LossAndGradient(p.Inputs, p.Targets, Loss.Quadratic);
            (state, network) = optimizer.Update(state, network, g);
        }

        return (state, network);
    }

    private static IEnumerable<long> Bits(Network<double> n) =>
        Fixtures.Flat(n).Select(BitConverter.DoubleToInt64Bits);

    private static IEnumerable<(int Rows, int Columns, int Bias)> Shapes(Network<double> n) =>
        n.Layers.Map(l => (l.Weights.RowCount, l.Weights.ColumnCount, l.Bias.Count));

    private static IEnumerable<(int Rows, int Columns, int Bias)> Shapes(Gradient<double> g) =>
        g.Layers.Map(l => (l.Weights.RowCount, l.Weights.ColumnCount, l.Bias.Count));

    // Eight inputs spread over [−1, 1]² and their targets A·x + c.
    private static (Matrix<double> X, Matrix<double> Y) Bowl(double[] a, double[] c)
    {
        var x = Fixtures.Matrix(
            2, 8, 1, 0, 0, 1, -1, 0.5, 0.5, 0.5, -0.5, -1, 1, 1, 0.25, -0.75, 0, -1);
        var y = Fixtures.Matrix(2, 2, a) * x;
        return (x, Matrix<double>.Build.Dense(2, 8, (i, _) => c[i]) + y);
    }

    private (double Loss, Network<double> Network) Minimise(
        Optimizer optimizer,
        Network<double> start,
        (Matrix<double> X, Matrix<double> Y) bowl,
        string name)
    {
        var (network, state) = (start, optimizer.Init(start));
        for (var i = 0; i < Steps; i++)
        {
            var (_, g) = network.LossAndGradient(bowl.X, bowl.Y, Loss.Quadratic);
            (state, network) = optimizer.Update(state, network, g);
        }

        var loss = network.Loss(bowl.X, bowl.Y, Loss.Quadratic);
        output.WriteLine($"{name}: loss {loss:E3} after {Steps} steps");
        return (loss, network);
    }

    /// <summary>A network with a batch X and targets Y, printed in full on failure.</summary>
    public sealed record Problem(
        Network<double> Network, Matrix<double> Inputs, Matrix<double> Targets)
    {
        public override string ToString() =>
            $"{Network}: θ = [{string.Join(", ", Fixtures.Flat(Network).Select(v => $"{v:R}"))}]"
            + $", X = {Inputs.ToMatrixString()}, Y = {Targets.ToMatrixString()}";
    }
}
