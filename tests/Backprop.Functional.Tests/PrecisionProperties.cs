using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Functional.Tests;

/// <summary>
/// A float32 network computes what its float64 twin does, to float32 rounding. Both come from
/// Network.Initialize with the same seed (so the float32 weights are the float64 ones rounded)
/// and see the same inputs and targets, which are drawn as float32 values.
/// </summary>
/// <remarks>
/// The float32 unit roundoff is u = 2⁻²⁴ ≈ 6e-8. A layer of fan-in n rounds each Σ by at most
/// about n·u times Σ|w||a|, and the rounding of the weights adds u per weight; over up to 4
/// layers of width 8 that is of order 4·8·u ≈ 2e-6, relative to the magnitudes summed. Each
/// comparison is therefore relative to the largest magnitude involved, with a floor of 1 since
/// inputs, weights and targets are of order one: max(1, |o|) for outputs, max(1, |L|) for
/// losses, and max(1, largest entry) for gradients, whose entries can be small differences of
/// such terms (near a minimum, o − y cancels while its rounding, set by |o| and |y|, does not).
/// </remarks>
public sealed class PrecisionProperties(ITestOutputHelper output)
{
    /// <summary>
    /// The bound on outputs and losses: 2e-6 from the estimate above with a factor of 10 for
    /// Σ|w||a| exceeding |Σ| and for the activations' own rounding. Measured worst over 5000
    /// cases: 1.5e-6.
    /// </summary>
    private const double ForwardTolerance = 2e-5;

    /// <summary>
    /// The bound on gradients: Backward multiplies another depth's worth of rounded products
    /// into δ, so the forward bound is doubled. Measured worst over 5000 cases: 1.9e-6.
    /// </summary>
    private const double GradientTolerance = 4e-5;

    /// <summary>
    /// Σ within this of a ReLU kink may fall on the other side in float32 (it is rounded by up
    /// to ~1e-6 of the sums that make it), which changes a slope from α to 1; such cases are
    /// redrawn.
    /// </summary>
    private const double KinkMargin = 1e-4;

    /// <summary>
    /// Binary cross-entropy after softmax computes 1 − p, which in float32 loses its digits as
    /// p → 1 (condition 1/(1 − p)); the cross-entropies also divide by p. Outputs of clamping
    /// pairings are kept within [0.01, 0.99] so the comparison measures float32 rounding, not
    /// the conditioning of the loss.
    /// </summary>
    private const double ProbabilityMargin = 0.01;

    private static readonly Initialization[] Schemes = Enum.GetValues<Initialization>();

    private static Gen<Twins> Cases { get; } =
        (from pairing in Gen.Elements(Pairing.All)
         from sizes in Generators.Sizes(pairing.Output == Activation.Softmax ? 2 : 1, 8)
         from hidden in Generators.Hidden
         from scheme in Gen.Elements(Schemes)
         from seed in Gen.Choose(0, int.MaxValue)
         from m in Gen.Choose(1, 5)
         from x in Generators.Matrices(sizes[0], m, Generators.Unit.Select(v => (double)(float)v))
         from y in Generators.Targets(pairing.Targets, sizes[^1], m)
         select new Twins(
             pairing,
             Network.Initialize<double>(sizes, hidden, pairing.Output, scheme, (ulong)seed),
             Network.Initialize<float>(sizes, hidden, pairing.Output, scheme, (ulong)seed),
             x,
             y.Map(v => (double)(float)v)))
        .Where(t => t.WellConditioned);

    [Fact]
    public void Float32_outputs_and_losses_agree_with_float64()
    {
        var worst = 0.0;

        PropertyConfig.Verify(Prop.ForAll(Cases.ToArbitrary(), t =>
        {
            var o64 = t.Double.Predict(t.Inputs);
            var o32 = t.Single.Predict(Single(t.Inputs)).Map(v => (double)v);
            var outputError = (o32 - o64).InfinityNorm() / Math.Max(1.0, o64.InfinityNorm());
            var l64 = t.Double.Loss(t.Inputs, t.Targets, t.Pairing.Loss);
            var l32 = (double)t.Single.Loss(Single(t.Inputs), Single(t.Targets), t.Pairing.Loss);
            var lossError = Math.Abs(l32 - l64) / Math.Max(1.0, Math.Abs(l64));
            worst = Math.Max(worst, Math.Max(outputError, lossError));
            return Prop.Label(
                outputError <= ForwardTolerance && lossError <= ForwardTolerance,
                $"{t}: outputs off by {outputError:E2}, loss {l32:R} against {l64:R}");
        }));

        output.WriteLine($"worst relative difference of outputs and losses: {worst:E2}");
    }

    [Fact]
    public void Float32_gradients_agree_with_float64()
    {
        var worst = 0.0;

        PropertyConfig.Verify(Prop.ForAll(Cases.ToArbitrary(), t =>
        {
            var g64 = ReferenceModel.Flatten(
                t.Double.Backward(t.Double.Forward(t.Inputs), t.Targets, t.Pairing.Loss));
            var g32 = t.Single.Backward(
                    t.Single.Forward(Single(t.Inputs)), Single(t.Targets), t.Pairing.Loss)
                .Layers.SelectMany(l => l.Weights.ToRowMajorArray().Concat(l.Bias))
                .Select(v => (double)v).ToArray();
            var scale = g64.Max(Math.Abs);
            var error = g32.Zip(g64, (a, b) => Math.Abs(a - b)).Max() / Math.Max(scale, 1.0);
            worst = Math.Max(worst, error);
            return Prop.Label(
                error <= GradientTolerance,
                $"{t}: gradients off by {error:E2} of max(1, largest entry {scale:R})");
        }));

        output.WriteLine($"worst difference of gradients, relative to max(1, largest): {worst:E2}");
    }

    [Fact]
    public void Float32_weights_are_the_float64_weights_rounded() =>
        PropertyConfig.Verify(Prop.ForAll(Cases.ToArbitrary(), t =>
            t.Double.Layers.Zip(t.Single.Layers).ForAll(p =>
                p.Item1.Weights.Map(v => (float)v).Equals(p.Item2.Weights)
                && p.Item1.Bias.Map(v => (float)v).Equals(p.Item2.Bias))));

    private static Matrix<float> Single(Matrix<double> m) => m.Map(v => (float)v);

    /// <summary>A float64 network, its float32 twin, and a batch both can read exactly.</summary>
    private sealed record Twins(
        Pairing Pairing,
        Network<double> Double,
        Network<float> Single,
        Matrix<double> Inputs,
        Matrix<double> Targets)
    {
        public bool WellConditioned
        {
            get
            {
                var trace = Double.Forward(Inputs);
                var awayFromKinks = trace.Layers
                    .Where(l => !l.Activation.Kinks.IsEmpty)
                    .All(l => l.WeightedInput.Enumerate().All(z => Math.Abs(z) > KinkMargin));
                var probabilities = !Pairing.Clamps || trace.Output.Enumerate()
                    .All(o => o > ProbabilityMargin && o < 1 - ProbabilityMargin);
                return awayFromKinks && probabilities;
            }
        }

        public override string ToString() => $"{Double} with {Pairing.Loss}";
    }
}
