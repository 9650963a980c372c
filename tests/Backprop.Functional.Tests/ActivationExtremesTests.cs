using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Activations at the ends of their range: saturated values are exact, slopes stay finite, and
/// nothing overflows for |Σ| up to 1e4; plus ReLU's and leaky ReLU's values and slopes.
/// </summary>
public sealed class ActivationExtremesTests
{
    /// <summary>Every activation, softmax included.</summary>
    public static TheoryData<string> Names => new(
        Generators.Elementwise.Append(Activation.Softmax).Select(f => f.Name));

    [Fact]
    public void Sigmoid_saturates_to_exactly_zero_and_one_with_zero_slope()
    {
        // 1/(1 + e^1000) = 1/∞ = 0 and 1/(1 + e^−1000) = 1/(1 + 0) = 1; σ′ = σ(1 − σ) = 0.
        Assert.Equal([0.0, 1.0], Values(Activation.Sigmoid, -1000, 1000));
        Assert.Equal([0.0, 0.0], Slopes(Activation.Sigmoid, -1000, 1000));
        Assert.Equal([0.5], Values(Activation.Sigmoid, 0));
        Assert.Equal([0.25], Slopes(Activation.Sigmoid, 0));
    }

    [Fact]
    public void Tanh_saturates_to_exactly_plus_and_minus_one_with_zero_slope()
    {
        Assert.Equal([-1.0, 1.0], Values(Activation.Tanh, -1e4, 1e4));
        Assert.Equal([0.0, 0.0], Slopes(Activation.Tanh, -1e4, 1e4));
    }

    [Fact]
    public void Softplus_is_exact_at_plus_and_minus_a_thousand()
    {
        // max(Σ, 0) + ln(1 + e^−|Σ|) with e^−1000 = 0: exactly 1000 and 0; slopes σ(Σ) = 1, 0.
        Assert.Equal([0.0, 1000.0], Values(Activation.Softplus, -1000, 1000));
        Assert.Equal([0.0, 1.0], Slopes(Activation.Softplus, -1000, 1000));
    }

    [Fact]
    public void Softplus_keeps_full_relative_accuracy_where_one_plus_e_to_sigma_rounds_to_one()
    {
        // ln(1 + e^−40) = e^−40 − e^−80/2 + … = 4.248354255291589e-18 to 16 digits (the e^−80
        // term is 2e-18 of it); ln(1 + x) computed naively would give 0. Two ulps allowed for
        // the platform's e^x.
        const double expected = 4.248354255291589e-18;
        var actual = Values(Activation.Softplus, -40)[0];

        var ulp = Math.BitIncrement(expected) - expected;
        Assert.True(Math.Abs(actual - expected) <= 2 * ulp, $"softplus(−40) = {actual:R}");
        Assert.Equal(expected, Slopes(Activation.Softplus, -40)[0], expected * 1e-15);
    }

    [Fact]
    public void ReLU_is_zero_below_zero_and_the_identity_above_with_slopes_zero_and_one()
    {
        // At the kink itself the slope is taken to be 0, as documented.
        Assert.Equal([0.0, 0.0, 3.0, 1e4], Values(Activation.ReLU, -2, 0, 3, 1e4));
        Assert.Equal([0.0, 0.0, 1.0, 1.0], Slopes(Activation.ReLU, -2, 0, 3, 1e4));
    }

    [Fact]
    public void Leaky_ReLU_scales_negative_inputs_by_its_slope()
    {
        var leaky = Activation.LeakyReLU(0.01);

        Assert.Equal([-100.0, -0.02, 0.0, 3.0], Values(leaky, -1e4, -2, 0, 3));
        Assert.Equal([0.01, 0.01, 0.01, 1.0], Slopes(leaky, -1e4, -2, 0, 3));
    }

    [Fact]
    public void Softmax_of_a_thousand_and_zero_is_one_and_zero_without_NaN()
    {
        // After subtracting the maximum: e^0 = 1 and e^−1000 = 0, so s = [1/1, 0/1].
        var s = Activation.Softmax.Apply(Column(1000, 0));

        Assert.Equal([1.0, 0.0], s.Column(0).ToArray());
    }

    [Fact]
    public void Softmax_of_equal_logits_is_uniform_whatever_their_size()
    {
        Assert.Equal([0.25, 0.25, 0.25, 0.25], Values(Activation.Softmax, 1e4, 1e4, 1e4, 1e4));
        Assert.Equal([0.5, 0.5], Values(Activation.Softmax, -1e4, -1e4));
    }

    [Fact]
    public void The_softmax_Jacobian_is_diag_s_minus_s_s_transposed()
    {
        // s = softmax([0, ln 3]) = [1/4, 3/4]; J = diag(s) − s·sᵀ = [[3/16, −3/16], [−3/16, 3/16]],
        // so Jᵀ·[1, 0] = [3/16, −3/16] and Jᵀ·[0, 1] = [−3/16, 3/16].
        var z = Column(0, Math.Log(3));
        var s = Activation.Softmax.Apply(z);
        var J = Activation.Softmax.Differentiate(z, s);

        var columns = J.Apply(Matrix<double>.Build.DenseOfArray(new[,] { { 1.0 }, { 0.0 } }));
        Assert.Equal(0.25, s[0, 0], 1e-15);
        Assert.Equal(3.0 / 16, columns[0, 0], 1e-15);
        Assert.Equal(-3.0 / 16, columns[1, 0], 1e-15);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Values_and_slopes_are_finite_for_weighted_inputs_up_to_ten_thousand(string name)
    {
        var f = Activation.Parse(name).Match(a => a, e => throw new ArgumentException(e.Message));
        var columns =
            from rows in Gen.Choose(1, 8)
            from z in Gen.Choose(-1_000_000, 1_000_000).Select(k => k / 100.0).ArrayOf(rows)
            select Matrix<double>.Build.Dense(rows, 1, z);

        PropertyConfig.Verify(Prop.ForAll(columns.ToArbitrary(), z =>
        {
            var o = f.Apply(z);
            var δ = f.Differentiate(z, o).Apply(Matrix<double>.Build.Dense(z.RowCount, 1, 1.0));
            var single = f.Apply(z.Map(v => (float)v));
            var δSingle = f.Differentiate(z.Map(v => (float)v), single)
                .Apply(Matrix<float>.Build.Dense(z.RowCount, 1, 1f));
            return o.Enumerate().Concat(δ.Enumerate()).All(double.IsFinite)
                && single.Enumerate().Concat(δSingle.Enumerate()).All(float.IsFinite);
        }));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_ends_of_the_range_give_finite_values_and_slopes(string name)
    {
        var f = Activation.Parse(name).Match(a => a, e => throw new ArgumentException(e.Message));
        var z = Column(-1e4, -1000, -745, -709.8, -40, -1e-300, 0, 1e-300, 40, 709.8, 745, 1e4);

        var o = f.Apply(z);
        var δ = f.Differentiate(z, o).Apply(Matrix<double>.Build.Dense(z.RowCount, 1, 1.0));

        Assert.All(o.Enumerate(), v => Assert.True(double.IsFinite(v), $"{name}: value {v}"));
        Assert.All(δ.Enumerate(), v => Assert.True(double.IsFinite(v), $"{name}: slope {v}"));
    }

    private static Matrix<double> Column(params double[] z) =>
        Matrix<double>.Build.Dense(z.Length, 1, z);

    private static double[] Values(Activation f, params double[] z) =>
        f.Apply(Column(z)).Column(0).ToArray();

    // The diagonal of ∂o/∂Σ: Jᵀ·1 for an elementwise activation is its slopes.
    private static double[] Slopes(Activation f, params double[] z)
    {
        var Σ = Column(z);
        return f.Differentiate(Σ, f.Apply(Σ))
            .Apply(Matrix<double>.Build.Dense(z.Length, 1, 1.0)).Column(0).ToArray();
    }
}
