using System;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Tests;

/// <summary>
/// What a gradient check may claim: a parameter that agrees only because its absolute error is
/// below the rounding noise is reported apart from those judged by relative error, and a check
/// whose noise swamps a layer, or whose loss is not finite, is not called passed.
/// </summary>
public sealed class GradientCheckVerdictTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void A_parameter_within_noise_is_reported_apart_from_the_relative_errors()
    {
        // Given layer 0 with one parameter that agrees to 1e-9 above a noise of 1e-3, and one
        // whose derivatives differ by 5e-4, relative error 1, below that noise
        var judged = Check(layer: 0, analytic: 2.0, numeric: 2.0 + 2e-9, noise: 1e-3);
        var swamped = Check(layer: 0, analytic: 5e-4, numeric: 0.0, noise: 1e-3);
        var report = new GradientCheckReport(Seq(judged, swamped), Tolerance);

        // Then both agree, but only the first is judged by its relative error
        Assert.True(swamped.Agrees(Tolerance));
        Assert.True(swamped.AgreesOnlyWithinNoise(Tolerance));
        Assert.False(judged.AgreesOnlyWithinNoise(Tolerance));
        Assert.Equal([swamped], report.WithinNoise.ToArray());
        Assert.Equal(1.0, report.WorstRelativeError);
        Assert.Equal(judged.RelativeError, report.WorstJudgedRelativeError);
        Assert.True(report.UnresolvedLayers.IsEmpty);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_layer_whose_derivatives_are_all_below_the_noise_cannot_be_checked()
    {
        // Given layer 1 whose only derivatives (0.2 and 0) lie far below a noise of 1e28
        var report = new GradientCheckReport(
            Seq(
                Check(layer: 0, analytic: 3e30, numeric: 3e30, noise: 1e28),
                Check(layer: 1, analytic: 0.2, numeric: 5e25, noise: 1e28),
                Check(layer: 1, analytic: 0.0, numeric: 0.0, noise: 1e28)),
            Tolerance);

        // Then every parameter agrees, as the rule says, but the check is not passed
        Assert.True(report.Passed);
        Assert.Equal([1], report.UnresolvedLayers.ToArray());
        Assert.Equal(GradientCheckVerdict.BelowNoise, report.Verdict);
    }

    [Fact]
    public void A_derivative_matched_under_a_larger_noise_bound_checks_its_layer()
    {
        // Given layer 1, whose derivative of 3e20 the numeric one matches to 1e-7 although the
        // noise bound is 1e28 (weights of 1e19), beside a zero on both sides
        var report = new GradientCheckReport(
            Seq(
                Check(layer: 0, analytic: 3e30, numeric: 3e30, noise: 1e28),
                Check(layer: 1, analytic: 3e20, numeric: 3e20 * (1 + 1e-7), noise: 1e28),
                Check(layer: 1, analytic: 0.0, numeric: 0.0, noise: 1e28)),
            Tolerance);

        // Then that layer is checked, and the check passes: its line and the verdict agree
        Assert.True(report.UnresolvedLayers.IsEmpty);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_layer_whose_derivatives_are_all_exactly_zero_checks_nothing()
    {
        // Layer 1's derivatives are exactly 0 on both sides: each agrees, with relative error
        // 0, but a Backward that returned zeros would agree just as well, so the layer is not
        // checked. Layer 0's exact zero beside a resolved derivative is checked.
        var report = new GradientCheckReport(
            Seq(
                Check(layer: 0, analytic: 0.5, numeric: 0.5, noise: 1e-11),
                Check(layer: 0, analytic: 0.0, numeric: 0.0, noise: 1e-11),
                Check(layer: 1, analytic: 0.0, numeric: 0.0, noise: 1e-11)),
            Tolerance);

        Assert.True(report.WithinNoise.IsEmpty);
        Assert.True(report.Passed);
        Assert.Equal([1], report.UnresolvedLayers.ToArray());
        Assert.Equal(GradientCheckVerdict.BelowNoise, report.Verdict);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 0.0)]
    [InlineData(1e-3, double.NaN)]
    [InlineData(1e-3, double.PositiveInfinity)]
    public void A_loss_beyond_finite_differences_is_not_finite_rather_than_failed(
        double noise, double numeric)
    {
        var report = new GradientCheckReport(
            Seq(
                Check(layer: 0, analytic: 0.5, numeric: 0.5, noise: 1e-11),
                Check(layer: 0, analytic: 0.5, numeric: numeric, noise: noise)),
            Tolerance);

        Assert.Equal(GradientCheckVerdict.NotFinite, report.Verdict);
    }

    [Fact]
    public void A_disagreement_fails_even_when_another_layer_is_below_the_noise()
    {
        var report = new GradientCheckReport(
            Seq(
                Check(layer: 0, analytic: 1.0, numeric: 2.0, noise: 1e-11),
                Check(layer: 1, analytic: 5e-12, numeric: 0.0, noise: 1e-11)),
            Tolerance);

        Assert.False(report.Passed);
        Assert.Equal([1], report.UnresolvedLayers.ToArray());
        Assert.Equal(GradientCheckVerdict.Failed, report.Verdict);
        Assert.Equal(0.5, report.WorstJudgedRelativeError);
    }

    [Fact]
    public void A_NaN_analytic_derivative_fails_and_is_never_within_noise()
    {
        var nan = Check(layer: 0, analytic: double.NaN, numeric: 0.5, noise: 1e-11);
        var report = new GradientCheckReport(Seq1(nan), Tolerance);

        Assert.False(nan.AgreesOnlyWithinNoise(Tolerance));
        Assert.True(report.WithinNoise.IsEmpty);
        Assert.True(double.IsNaN(report.WorstJudgedRelativeError));
        Assert.Equal(GradientCheckVerdict.Failed, report.Verdict);
    }

    [Fact]
    public void Huge_output_weights_leave_small_derivatives_within_noise_in_a_real_check()
    {
        // Given a 6-4-3 network whose output weights W[0,0] and W[1,1] are 3e38: the loss is
        // near 1e38, so the rounding noise of every step h = 1e-3 is near 1e25, far above the
        // derivatives of order 1 of most parameters.
        var (network, x, y) = HugeOutputWeights();

        // When every parameter is checked
        var report = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy);

        // Then those small derivatives agree only within the noise, with relative errors up to
        // 1, while the parameters that finite differences resolve agree closely.
        Assert.Equal(43, report.Counted.Count);
        Assert.NotEmpty(report.WithinNoise);
        Assert.All(report.WithinNoise, p => Assert.True(p.Noise > 1e20, $"noise {p.Noise}"));
        Assert.InRange(report.WorstRelativeError, 1.0 - 1e-9, 1.0);
        Assert.InRange(report.WorstJudgedRelativeError, 0.0, Tolerance);
        Assert.Equal(GradientCheckVerdict.Passed, report.Verdict);
    }

    [Fact]
    public void A_loss_that_does_not_change_with_a_parameter_gives_a_numeric_derivative_of_0()
    {
        // Given a 3-2-2 network whose first hidden unit is dead on every input (its bias is
        // −100): its weights and bias leave every stencil's losses the same bits. The stencil
        // used to add them in an order that left a rounding residue of about ε·|L|/h (5.7e-14
        // here), judged against 0 as a relative error of 5.7e-8.
        var fresh = Network.Initialize<double>(
            [3, 2, 2], Activation.ReLU, Activation.Softmax, Initialization.He, 1);
        var bias = fresh.Layers[0].Bias.Clone();
        bias[0] = -100.0;
        var network = Network.Create(
            Layer.Create(fresh.Layers[0].Weights, bias, Activation.ReLU), fresh.Layers[1]);
        var x = Matrix<double>.Build.DenseOfArray(
            new[,] { { 0.5, 0.1 }, { 0.3, 0.9 }, { 0.7, 0.2 } });
        var y = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.0 }, { 0.0, 1.0 } });

        // When
        var report = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy);

        // Then the dead unit's three weights and its bias, and the output weights it feeds,
        // are 0 on both sides, exactly
        var flat = report.Parameters.Filter(p => (p.Layer == 0 && p.Row == 0)
            || (p.Layer == 1 && p.Kind == ParameterKind.Weight && p.Column == 0));
        Assert.Equal(6, flat.Count);
        Assert.All(
            flat, p => Assert.Equal((0.0, 0.0, 0.0), (p.Analytic, p.Numeric, p.RelativeError)));
    }

    [Fact]
    public void A_real_check_whose_sample_of_a_layer_is_all_within_noise_is_not_passed()
    {
        var (network, x, y) = HugeOutputWeights();

        // When a seeded sample of 10 parameters leaves out both large output weights (the
        // sample of seed 0 does, and Rng gives the same indices on every machine)
        var report = GradientCheck.Run(
            network,
            x,
            y,
            Loss.SoftmaxCrossEntropy,
            GradientCheckOptions.Default with { MaxParameters = 10, Seed = 0 });

        // Then the output layer's sampled derivatives all lie below the noise
        Assert.DoesNotContain(report.Parameters, p => Math.Abs(p.Value) > 1e30);
        Assert.True(report.Passed);
        Assert.Equal([1], report.UnresolvedLayers.ToArray());
        Assert.Equal(GradientCheckVerdict.BelowNoise, report.Verdict);
    }

    [Theory]
    [InlineData("RelativeStep", double.NaN, "RelativeStep must be finite and > 0, got NaN")]
    [InlineData("RelativeStep", 0.0, "RelativeStep must be finite and > 0, got 0")]
    [InlineData("Floor", -1e-6, "Floor must be finite and > 0, got -1E-06")]
    [InlineData("Tolerance", -1.0, "Tolerance must be finite and > 0, got -1")]
    [InlineData("Tolerance", double.NaN, "Tolerance must be finite and > 0, got NaN")]
    [InlineData(
        "Tolerance", double.PositiveInfinity, "Tolerance must be finite and > 0, got Infinity")]
    [InlineData("MaxParameters", 0.0, "MaxParameters must be at least 1, got 0")]
    [InlineData("MaxParameters", -3.0, "MaxParameters must be at least 1, got -3")]
    public void Options_out_of_range_are_refused_before_anything_is_computed(
        string option, double value, string expected)
    {
        var network = Network.Initialize<double>(
            [2, 2], Activation.Identity, Activation.Identity, Initialization.GlorotUniform, 1);
        var x = Matrix<double>.Build.Dense(2, 1, 0.5);
        var o = GradientCheckOptions.Default;
        var options = option switch
        {
            "RelativeStep" => o with { RelativeStep = value },
            "Floor" => o with { Floor = value },
            "Tolerance" => o with { Tolerance = value },
            _ => o with { MaxParameters = (int)value },
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => GradientCheck.Run(network, x, x, Loss.Quadratic, options));

        Assert.Equal(expected + " (Parameter 'options')", e.Message);
    }

    [Fact]
    public void A_sample_checks_the_same_parameters_as_listing_them_all_would()
    {
        // The sample picks indices into the parameters in layer order, W row by row, then b.
        var network = Network.Initialize<double>(
            [5, 4, 3], Activation.Tanh, Activation.Softmax, Initialization.He, 7);
        var x = Matrix<double>.Build.Dense(5, 2, (i, j) => (i - j) / 5.0);
        var y = Matrix<double>.Build.Dense(3, 2, (i, j) => i == j ? 1.0 : 0.0);
        var options = GradientCheckOptions.Default with { MaxParameters = 9, Seed = 3 };

        var all = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy).Parameters;
        var sample = GradientCheck.Run(network, x, y, Loss.SoftmaxCrossEntropy, options)
            .Parameters;

        var (indices, _) = Rng.FromSeed(3).NextSample(network.ParameterCount, 9);
        Assert.Equal(indices.OrderBy(i => i).Select(i => all[i]), sample);
        var last = all.Last;
        Assert.Equal((1, ParameterKind.Bias, 2, 0), (last.Layer, last.Kind, last.Row, last.Column));
        Assert.Equal(
            (0, ParameterKind.Weight, 1, 0),
            (all[5].Layer, all[5].Kind, all[5].Row, all[5].Column));
    }

    private static (Network<double> Network, Matrix<double> X, Matrix<double> Y)
        HugeOutputWeights()
    {
        var fresh = Network.Initialize<double>(
            [6, 4, 3], Activation.ReLU, Activation.Softmax, Initialization.He, 1);
        var output = fresh.Layers[1];
        var w = output.Weights.Clone();
        w[0, 0] = 3e38;
        w[1, 1] = 3e38;
        var network = Network.Create(
            fresh.Layers[0], Layer.Create(w, output.Bias, output.Activation));
        var x = Matrix<double>.Build.Dense(6, 2, (i, j) => (i + 1 + j) / 7.0);
        var y = Matrix<double>.Build.Dense(3, 2, (i, _) => i == 2 ? 1.0 : 0.0);
        return (network, x, y);
    }

    private static ParameterCheck Check(int layer, double analytic, double numeric, double noise)
    {
        var abs = Math.Abs(analytic - numeric);
        var rel = double.IsNaN(analytic) || double.IsNaN(numeric)
            ? double.NaN
            : abs / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), 1e-6);
        return new ParameterCheck(
            layer,
            ParameterKind.Weight,
            Row: 0,
            Column: 0,
            Value: 0.1,
            Step: 1e-3,
            analytic,
            numeric,
            abs,
            rel,
            NearKink: false,
            noise);
    }
}
