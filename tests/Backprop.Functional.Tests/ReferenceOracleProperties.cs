using System;
using System.Linq;
using FsCheck.Fluent;
using MathNet.Numerics.Differentiation;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Functional.Tests;

/// <summary>
/// Backward against an oracle that shares nothing with GradientCheck or the library's forward
/// pass: MathNet's <see cref="NumericalDerivative"/> (a five-point stencil with power-of-two
/// steps) differentiating <see cref="ReferenceModel"/>, a plain reimplementation of the loss
/// over the flattened parameters. The forward values are compared first, on their own.
/// </summary>
/// <remarks>
/// <para>
/// The stencil alone has a truncation error of about h⁴·L⁽⁵⁾/30: with MathNet's default step
/// (2⁻⁹ here) it was 2e-5 relative on a steep direction of a 4-layer network (checked against
/// a 60-digit evaluation of the same loss), too coarse for 1e-6. So the oracle differentiates
/// at h = 2⁻¹⁰·(1 + |θ|) and at h/2 (both rounded to powers of two) and extrapolates,
/// (16·D(h/2) − D(h))/15, which cancels the h⁴ term.
/// </para>
/// <para>
/// Kinks: the reference records on which side of 0 every ReLU and leaky-ReLU Σ lies. A parameter
/// whose stencil points put some Σ on the other side is left out, as GradientCheck does, and at
/// least <see cref="MinCountedShare"/> of all parameters over a run must remain.
/// </para>
/// </remarks>
public sealed class ReferenceOracleProperties(ITestOutputHelper output)
{
    /// <summary>
    /// The loss computed two ways differs only by rounding, but the formulas differ (softplus
    /// against ln σ, log-sum-exp against ln softmax, a distance squared against a sum of squares),
    /// so the rounding does too: a few ulps of the terms summed. Measured worst: 3e-15 relative.
    /// </summary>
    private const double ForwardTolerance = 1e-13;

    /// <summary>
    /// As in <see cref="GradientCheckProperties"/>: measured above 0.99; 0.9 is a floor.
    /// </summary>
    private const double MinCountedShare = 0.9;

    public static TheoryData<string> Pairings => Pairing.Names;

    [Theory]
    [MemberData(nameof(Pairings))]
    public void The_loss_equals_a_plain_reimplementation(string pairing)
    {
        var worst = 0.0;

        PropertyConfig.Verify(Prop.ForAll(
            Generators.Cases(Pairing.Named(pairing)).ToArbitrary(),
            c =>
            {
                var library = c.Network.Loss(c.Inputs, c.Targets, c.Loss);
                var reference = ReferenceModel.Loss(
                    c.Network, ReferenceModel.Flatten(c.Network), c.Inputs, c.Targets, c.Loss);
                var error = PropertyConfig.RelativeError(library, reference, 1.0);
                worst = Math.Max(worst, error);
                return Prop.Label(
                    error <= ForwardTolerance,
                    $"library {library:R}, reference {reference:R}, relative {error:E3}");
            }));

        output.WriteLine($"{pairing}: worst relative difference of the loss {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Pairings))]
    public void Backward_equals_the_numerical_gradient_of_the_reimplementation(string pairing)
    {
        var (worst, counted, total) = (0.0, 0, 0);

        PropertyConfig.Verify(Prop.ForAll(
            Generators.Cases(Pairing.Named(pairing)).ToArbitrary(),
            c =>
            {
                var θ = ReferenceModel.Flatten(c.Network);
                var (loss, sides) =
                    ReferenceModel.Evaluate(c.Network, θ, c.Inputs, c.Targets, c.Loss);
                var crossed = new bool[θ.Length];
                double L(double[] point)
                {
                    var (value, pointSides) =
                        ReferenceModel.Evaluate(c.Network, point, c.Inputs, c.Targets, c.Loss);
                    if (pointSides != sides)
                    {
                        // The stencil moves one parameter at a time: the one that differs.
                        crossed[Enumerable.Range(0, θ.Length).First(i => point[i] != θ[i])] = true;
                    }

                    return value;
                }

                // MathNet moves one entry of the array it is given and restores it: a copy.
                var (coarse, fine) = (Stencil(Math.Pow(2, -10)), Stencil(Math.Pow(2, -11)));
                var working = (double[])θ.Clone();
                var numeric = Enumerable.Range(0, θ.Length).Select(i =>
                    ((16 * fine.EvaluatePartialDerivative(L, working, i, 1))
                        - coarse.EvaluatePartialDerivative(L, working, i, 1)) / 15).ToArray();

                var analytic = ReferenceModel.Flatten(
                    c.Network.Backward(c.Network.Forward(c.Inputs), c.Targets, c.Loss));
                var floor = GradientTolerance.Floor(loss);
                var errors = Enumerable.Range(0, θ.Length)
                    .Where(i => !crossed[i])
                    .Select(i => (Index: i, Error:
                        PropertyConfig.RelativeError(analytic[i], numeric[i], floor)))
                    .ToArray();

                counted += errors.Length;
                total += θ.Length;
                if (errors.Length == 0)
                {
                    // Every parameter's stencil crossed a kink: nothing to compare here, and
                    // the share asserted below keeps such cases rare.
                    return Prop.Label(true, "no parameter counted");
                }

                var bad = errors.MaxBy(e => e.Error);
                worst = Math.Max(worst, bad.Error);
                return Prop.Label(
                    bad.Error <= GradientTolerance.Relative,
                    $"parameter {bad.Index} of {θ.Length} (flattened: W row by row, then b): "
                    + $"analytic {analytic[bad.Index]:R}, numeric {numeric[bad.Index]:R}, "
                    + $"relative {bad.Error:E3}");
            }));

        var share = (double)counted / total;
        output.WriteLine(
            $"{pairing}: worst relative error {worst:E2}, "
            + $"counted {counted} of {total} ({share:P2})");
        Assert.True(share >= MinCountedShare, $"only {counted} of {total} parameters were counted");
    }

    /// <summary>
    /// MathNet's five-point first derivative with the step h = step·(1 + |θ|), rounded to a
    /// power of two. (It keeps the step it last used, so each case makes its own.)
    /// </summary>
    private static NumericalDerivative Stencil(double step) =>
        new(5, 2) { StepType = StepType.RelativeX, BaseStepSize = step };
}
