using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// With plain SGD on OpenBLAS a run writes each layer's new weights in its gradient product,
/// and a step is still Forward, Backward and <see cref="Sgd.Update{T}"/> on its batch: the
/// weights to rounding, the biases, the loss and the optimizer state bit for bit. Every other
/// optimizer, transforms and η = 0 keep the separate route and Update's bits, and NaN or ±∞
/// are reported as before.
/// </summary>
/// <remarks>
/// These run on the default backend, OpenBLAS where it loads (CI installs it); without it they
/// compare the separate route with itself. The managed backend's test, which switches
/// backends, is in <see cref="FusedStepBackendTests"/>.
/// </remarks>
public sealed class FusedStepTests
{
    /// <summary>
    /// 2–3 layers of 1–160 units (products from one call to OpenBLAS's threads), batches of
    /// 1–32 from up to 64 samples, tanh and identity under the quadratic loss or ReLU and
    /// softmax under cross-entropy, η in (0, 1].
    /// </summary>
    internal static Gen<RunProblem> Problems { get; } =
        from depth in Gen.Choose(2, 3)
        from widths in Gen.Choose(1, 160).ArrayOf(depth)
        from outputs in Gen.Choose(2, 12)
        from batch in Gen.Choose(1, 32)
        from extra in Gen.Choose(0, 32)
        from softmax in Gen.Elements(false, true)
        from η in Gen.Choose(1, 1000).Select(k => k / 1000.0)
        from seed in Gen.Choose(0, 1_000_000)
        select new RunProblem([.. widths, outputs], batch, batch + extra, softmax, η, seed);

    /// <summary>A small problem for runs of many steps: 6 → 16 → 3, batches of 8 of 40.</summary>
    internal static RunProblem Small { get; } = new([6, 16, 3], 8, 40, false, 0.05, 7);

    [Property(MaxTest = 40)]
    public Property One_step_is_forward_backward_and_the_sgd_update_in_float64() =>
        Prop.ForAll(Problems.ToArbitrary(), p => OneStep<double>(p));

    [Property(MaxTest = 40)]
    public Property One_step_is_forward_backward_and_the_sgd_update_in_float32() =>
        Prop.ForAll(Problems.ToArbitrary(), p => OneStep<float>(p));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fifty_steps_stay_with_the_loop_by_hand(bool single)
    {
        var (u, worst) = single ? FiftySteps<float>() : FiftySteps<double>();

        // Each step's weights differ by at most 4·u·(|W| + η·|∂W|), and |W| + η·|∂W| < 1
        // here: fifty such added up come to 200·u. This problem damps them rather than grows
        // them (measured: 0 in float64, where the two routes agree here, and 1.5·u in
        // float32). A step with another η, batch or W moves weights by η·|∂W|, about 1e-3.
        Assert.True(worst <= 200 * u, $"Run and the loop by hand differ by {worst / u:F1}·u");
    }

    [Theory]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("sgd, clip-norm")]
    [InlineData("sgd, weight-decay")]
    public void Other_optimizers_and_transforms_keep_the_bits_of_Update(string chain)
    {
        var optimizer = Chain(chain, Schedule.Constant(0.05));

        SameAsLoop<double>(Small, optimizer, 12);
        SameAsLoop<float>(Small, optimizer, 12);
    }

    [Fact]
    public void A_step_at_a_zero_learning_rate_takes_the_separate_route()
    {
        // η(2) = 0: the third step takes the separate route, which leaves every weight.
        var schedule = new Schedule("0.1, zero at t = 2", t => t == 2 ? 0.0 : 0.1);
        var (network, data, loss) = Build<float>(Small);
        var batches = new List<(Matrix<float> X, Matrix<float> Y)>();
        var options = new TrainingOptions(Optimizer.Sgd(schedule), loss, Small.Batch, 3);

        var steps = Training.Run(network, Recording(data, batches), options).Take(4).ToList();

        Assert.Equal(Bits(steps[1].Network), Bits(steps[2].Network));
        Assert.NotEqual(Bits(steps[2].Network), Bits(steps[3].Network));
        Assert.Equal((3L, 0.0), (steps[2].Optimizer.Step, steps[2].Optimizer.LearningRate));

        var (_, g) = steps[1].Network.LossAndGradient(batches[2].X, batches[2].Y, loss);
        var (state, byHand) = options.Optimizer.Update(steps[1].Optimizer, steps[1].Network, g);
        Assert.Equal(Bits(byHand), Bits(steps[2].Network));
        Assert.Equal(state.Step, steps[2].Optimizer.Step);

        // An overflowing gradient still shows at η = 0, where 0·∞ is NaN on the separate route;
        // a BLAS adding 0·δ·Xᵀ skips the product and would leave W finite.
        var overflow = Fixtures.Affine(1, 1, [1e-300], [0.0]);
        var huge = Fixtures.InMemory(Fixtures.Matrix(1, 1, 1e300), Fixtures.Matrix(1, 1, -1e10));
        var zero = new TrainingOptions(
            Optimizer.Sgd(new Schedule("zero", _ => 0.0)), Loss.Quadratic, 1, 3);
        Assert.Equal(
            "the gradient of layer 1 became non-finite at epoch 1, batch 1 (step 1)",
            Training.Run(overflow, huge, zero).First().Problem.IfNone(string.Empty));
    }

    [Fact]
    public void A_rate_above_0_that_is_0_in_float32_takes_the_separate_route()
    {
        // η = 1e-50 > 0 as a double but −0 in float32, where BLAS would skip the product and
        // leave W finite. x = (3e38, 1) and (−3e38, 1) with w₁ = 1/3e38 give Σ = 1 and −1 and
        // ∂w₁ = 3e38·(21 + 19)/2 = ∞ in float32 (found in a review).
        var big = 3e38f;
        var network = Network.Create(Layer.Create(
            Dense.Of(1, 2, [1f / big, 0f]), Dense.Of(new float[1]), Activation.Identity));
        var data = TrainingData.FromColumns(
            Dense.Of(2, 2, [big, 1f, -big, 1f]), Dense.Of(1, 2, [-20f, -20f]));

        var step = Training.Run(
            network, data, new TrainingOptions(Optimizer.Sgd(1e-50), Loss.Quadratic, 2, 1))
            .First();

        Assert.Equal(
            "the gradient of layer 1 became non-finite at epoch 1, batch 1 (step 1)",
            step.Problem.IfNone(string.Empty));
    }

    [Theory]
    [InlineData("gradient", 1, NonFinitePolicy.Stop)]
    [InlineData("gradient", 1, NonFinitePolicy.SkipStep)]
    [InlineData("gradient", 2, NonFinitePolicy.Stop)]
    [InlineData("gradient", 2, NonFinitePolicy.SkipStep)]
    [InlineData("weights", 1, NonFinitePolicy.Stop)]
    [InlineData("weights", 1, NonFinitePolicy.SkipStep)]
    public void Non_finite_gradients_and_weights_are_reported_as_before(
        string what, int layer, NonFinitePolicy policy)
    {
        // The overflows of NonFiniteTests, here sure to go through the plain SGD route:
        //   gradient, layer 1: W = 1e-300 on x = 1e300 with y = −1e10, ∂W ≈ 1e10·1e300 = ∞;
        //   gradient, layer 2: W₁ = 1 passes x = 1e300 to W₂ = 1e-300, so ∂W₂ = ∞ while
        //     ∂W₁ ≈ 1e-300·1e10·1e300 = 1e10 stays finite;
        //   weights, layer 1: x = 1e8 and y = 1 give ∂W = −1e8, which η = 1e301 takes to ∞,
        //     and ∂b = −1, which it does not: only the weights show it.
        var (network, data, η) = (what, layer) switch
        {
            ("gradient", 1) => (OneUnit(1e-300), Sample(1e300, -1e10), 1e-3),
            ("gradient", _) => (
                Network.Create(OneUnit(1.0).Layers[0], OneUnit(1e-300).Layers[0]),
                Sample(1e300, -1e10),
                1e-3),
            _ => (OneUnit(0.0), Sample(1e8, 1.0), 1e301),
        };
        var options = new TrainingOptions(Optimizer.Sgd(η), Loss.Quadratic, 1, 3)
        {
            OnNonFinite = policy,
        };

        // The route of plain SGD: OpenBLAS (where it loads) and an optimizer with a plain rate.
        if (Backends.OpenBlasAvailable)
        {
            Assert.Equal(Backend.OpenBlas, Backends.Active);
        }

        Assert.Equal(
            Prelude.Some(η), options.Optimizer.PlainRate(options.Optimizer.Init(network)));

        var steps = Training.Run(network, data, options).Take(3).ToList();

        var message = $"the {what} of layer {layer} became non-finite at epoch 1, batch 1 (step 1)";
        if (policy == NonFinitePolicy.Stop)
        {
            Assert.Equal(message, Assert.Single(steps).Problem.IfNone(string.Empty));
        }
        else
        {
            Assert.Equal(new[] { 1, 2, 3 }, steps.Select(s => s.Skipped));
            Assert.All(steps, s => Assert.True(s.Problem.IsNone));
            Assert.All(steps, s => Assert.Equal(0, s.Optimizer.Step));
        }

        Assert.All(steps, s => Fixtures.SameBits(network, s.Network, "the network kept"));
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps of <paramref name="optimizer"/> on
    /// <paramref name="problem"/> and the loop of Forward, Backward and the optimizer's Update
    /// on the same batches, and asserts the same bits in every network, loss and state.
    /// </summary>
    internal static void SameAsLoop<T>(RunProblem problem, Optimizer optimizer, int steps)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (network, data, loss) = Build<T>(problem);
        var batches = new List<(Matrix<T> X, Matrix<T> Y)>();
        var options = new TrainingOptions(optimizer, loss, problem.Batch, 3);

        var run = Training.Run(network, Recording(data, batches), options).Take(steps).ToList();

        var state = optimizer.Init(network);
        var byHand = Loop(network, batches, loss, (n, g) =>
        {
            (state, var next) = optimizer.Update(state, n, g);
            return next;
        }, () => state);
        for (var s = 0; s < steps; s++)
        {
            var what = $"{optimizer.Name}, {typeof(T).Name}, step {s + 1}";
            Assert.True(Bits(byHand[s].Network).SequenceEqual(Bits(run[s].Network)), what);
            Assert.True(Bits(byHand[s].Loss) == Bits(run[s].Loss), $"{what}: the loss");
            var (expected, actual) = (byHand[s].State!, run[s].Optimizer);
            Assert.Equal(expected.Step, actual.Step);
            Assert.Equal(Bits(expected.LearningRate), Bits(actual.LearningRate));
            Assert.Equal(expected.Buffers.Map(b => b.Name), actual.Buffers.Map(b => b.Name));
            Assert.True(Buffers(expected).SequenceEqual(Buffers(actual)), $"{what}: the buffers");
        }
    }

    /// <summary>
    /// The network, an in-memory data set of uniform inputs in [−1, 1) and targets (uniform
    /// in [−1, 1) for the quadratic loss, one-hot for cross-entropy), and the loss of a problem.
    /// </summary>
    internal static (Network<T> Network, TrainingData<T> Data, Loss Loss) Build<T>(
        RunProblem p)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var network = Network.Initialize<T>(
            p.Sizes,
            p.Softmax ? Activation.ReLU : Activation.Tanh,
            p.Softmax ? Activation.Softmax : Activation.Identity,
            Initialization.GlorotUniform,
            (ulong)p.Seed);
        var random = new Random(p.Seed);
        var (inputs, outputs) = (p.Sizes[0], p.Sizes[^1]);
        var x = Matrix<T>.Build.Dense(
            inputs, p.Samples, (_, _) => T.CreateTruncating((2 * random.NextDouble()) - 1));
        var classes = Enumerable.Range(0, p.Samples).Select(_ => random.Next(outputs)).ToArray();
        var y = Matrix<T>.Build.Dense(outputs, p.Samples, (i, k) => p.Softmax
            ? (i == classes[k] ? T.One : T.Zero)
            : T.CreateTruncating((2 * random.NextDouble()) - 1));
        var data = new TrainingData<T>(
            p.Samples, indices => (Columns(x, indices), Columns(y, indices)));
        return (network, data, p.Softmax ? Loss.SoftmaxCrossEntropy : Loss.Quadratic);
    }

    /// <summary><paramref name="data"/>, adding every batch it gives to
    /// <paramref name="batches"/>.</summary>
    internal static TrainingData<T> Recording<T>(
        TrainingData<T> data, List<(Matrix<T> X, Matrix<T> Y)> batches)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        data with
        {
            Batch = indices =>
            {
                var batch = data.Batch(indices);
                batches.Add(batch);
                return batch;
            },
        };

    /// <summary>
    /// Forward, Backward and <paramref name="update"/> by hand over the batches, each step's
    /// network and loss, and the state <paramref name="state"/> reads after it.
    /// </summary>
    internal static List<(Network<T> Network, T Loss, OptimizerState<T>? State)> Loop<T>(
        Network<T> network,
        IEnumerable<(Matrix<T> X, Matrix<T> Y)> batches,
        Loss loss,
        Func<Network<T>, Gradient<T>, Network<T>> update,
        Func<OptimizerState<T>>? state = null)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var steps = new List<(Network<T>, T, OptimizerState<T>?)>();
        foreach (var (x, y) in batches)
        {
            var trace = network.Forward(x);
            var value = loss.Value(trace.OutputLayer, y);
            network = update(network, network.Backward(trace, y, loss));
            steps.Add((network, value, state?.Invoke()));
        }

        return steps;
    }

    /// <summary>
    /// The bits of every weight and bias, widened to float64 (exact from float32).
    /// </summary>
    internal static long[] Bits<T>(Network<T> network)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias))
            .Select(Bits).ToArray();

    internal static long Bits<T>(T value)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        BitConverter.DoubleToInt64Bits(double.CreateTruncating(value));

    // 50 steps of the run and of the loop by hand on the same batches: the unit roundoff of T
    // and the largest |w_run − w_loop| / max(1, |w|) over every weight after every step.
    private static (double U, double Worst) FiftySteps<T>()
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (network, data, loss) = Build<T>(Small);
        var batches = new List<(Matrix<T> X, Matrix<T> Y)>();
        var options = new TrainingOptions(Optimizer.Sgd(Small.Eta), loss, Small.Batch, 3);

        var steps = Training.Run(network, Recording(data, batches), options).Take(50).ToList();

        var η = T.CreateChecked(Small.Eta);
        var byHand = Loop(network, batches, loss, (n, g) => n.Update(g, η));
        var worst = steps.Zip(byHand, (run, hand) => Weights(run.Network)
                .Zip(Weights(hand.Network), (a, b) => PropertyConfig.RelativeError(a, b, 1))
                .Max())
            .Max();
        return (typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53), worst);

        static double[] Weights(Network<T> n) => n.Layers
            .SelectMany(l => l.Weights.ToColumnMajorArray())
            .Select(double.CreateTruncating)
            .ToArray();
    }

    // One step of the run against the loop by hand on the batch it took.
    private static Property OneStep<T>(RunProblem p)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (network, data, loss) = Build<T>(p);
        var batches = new List<(Matrix<T> X, Matrix<T> Y)>();
        var optimizer = Optimizer.Sgd(p.Eta);
        var options = new TrainingOptions(optimizer, loss, p.Batch, (ulong)p.Seed);

        var step = Training.Run(network, Recording(data, batches), options).First();

        var (x, y) = batches[0];
        var (value, g) = network.LossAndGradient(x, y, loss);
        var mismatch = Fixtures.SgdStepMismatch(network, g, T.CreateChecked(p.Eta), step.Network);
        var (state, _) = optimizer.Update(optimizer.Init(network), network, g);
        var ran = step.Optimizer;
        return Prop.Label(mismatch is null, $"{p}: {mismatch}")
            .And(Prop.Label(Bits(step.Loss) == Bits(value), $"{p}: loss {step.Loss}, not {value}"))
            .And(Prop.Label(
                (ran.Step, Bits(ran.LearningRate), ran.Buffers.Count)
                    == (1L, Bits(state.LearningRate), 0) && state.Buffers.IsEmpty,
                $"{p}: state {ran.Step}, {ran.LearningRate}, {ran.Buffers.Count} buffers"));
    }

    // The bits of every buffer of a state, one after the other.
    private static long[] Buffers<T>(OptimizerState<T> state)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        state.Buffers.ToArray()
            .SelectMany(b => b.Buffer.Layers.ToArray())
            .SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias))
            .Select(Bits).ToArray();

    private static Matrix<T> Columns<T>(Matrix<T> m, Arr<int> indices)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Matrix<T>.Build.DenseOfColumns(indices.Select(k => m.Column(k)));

    // One identity unit w·x + 0.
    private static Network<double> OneUnit(double w) => Fixtures.Affine(1, 1, [w], [0.0]);

    // The one-sample data set (x, y).
    private static TrainingData<double> Sample(double x, double y) =>
        Fixtures.InMemory(Fixtures.Matrix(1, 1, x), Fixtures.Matrix(1, 1, y));

    private static Optimizer Chain(string name, Schedule η) => name switch
    {
        "momentum" => Optimizer.Momentum(η),
        "nesterov" => Optimizer.Nesterov(η),
        "adam" => Optimizer.Adam(η),
        "sgd, clip-norm" => Optimizer.Sgd(η).With(Transform.ClipByNorm(0.5)),
        "sgd, weight-decay" => Optimizer.Sgd(η).With(Transform.WeightDecay(0.01)),
        _ => Optimizer.Sgd(η),
    };
}

/// <summary>
/// On the managed backend plain SGD takes the separate route: a run is the loop of Forward,
/// Backward and Update by hand, bit for bit.
/// </summary>
[Collection(nameof(BackendSwitching))]
public sealed class FusedStepBackendTests
{
    [Fact]
    public void On_the_managed_backend_plain_sgd_keeps_the_bits_of_Update()
    {
        var problem = FusedStepTests.Small;

        Backends.Use(Backend.Managed);
        try
        {
            FusedStepTests.SameAsLoop<double>(problem, Optimizer.Sgd(problem.Eta), 12);
            FusedStepTests.SameAsLoop<float>(problem, Optimizer.Sgd(problem.Eta), 12);
        }
        finally
        {
            Backends.Use(Backends.OpenBlasAvailable ? Backend.OpenBlas : Backend.Managed);
        }
    }
}

/// <summary>A training problem of <see cref="FusedStepTests"/>.</summary>
/// <param name="Sizes">The layer sizes, input first.</param>
/// <param name="Batch">The batch size.</param>
/// <param name="Samples">The samples in the data set.</param>
/// <param name="Softmax">ReLU and softmax under cross-entropy, rather than tanh and identity
/// under the quadratic loss.</param>
/// <param name="Eta">η, constant.</param>
/// <param name="Seed">Seeds the network, the data and the run.</param>
internal sealed record RunProblem(
    int[] Sizes, int Batch, int Samples, bool Softmax, double Eta, int Seed)
{
    public override string ToString() =>
        $"{string.Join("-", Sizes)}, batch {Batch} of {Samples}, "
        + $"{(Softmax ? "softmax" : "quadratic")}, η {Eta:R}, seed {Seed}";
}
