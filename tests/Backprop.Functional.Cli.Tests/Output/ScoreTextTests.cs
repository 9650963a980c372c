using Backprop.Functional.Cli.Output;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Output;

/// <summary>
/// A raw output prints to three decimals between 0.0005 and 10⁶ in magnitude, and with an
/// exponent outside, so that a float32 score near its largest value is not spelled out in 39
/// digits and a tiny non-zero one does not read as 0.000 or -0.000.
/// </summary>
public sealed class ScoreTextTests
{
    [Theory]
    [InlineData(0.0, "0.000")]
    [InlineData(0.5, "0.500")]
    [InlineData(-2.5, "-2.500")]
    [InlineData(0.0005, "0.001")]
    [InlineData(-0.0005, "-0.001")]
    [InlineData(0.00049, "4.9E-4")]
    [InlineData(-0.00049, "-4.9E-4")]
    [InlineData(1e-10, "1E-10")]
    [InlineData(-2.802596928649634e-45, "-2.8026E-45")]
    [InlineData(double.Epsilon, "4.9407E-324")]
    [InlineData(123_456.789, "123456.789")]
    [InlineData(999_999.9994, "999999.999")]
    [InlineData(1e6, "1E+6")]
    [InlineData(-12_500_000.0, "-1.25E+7")]
    [InlineData(3.4028234663852886e38, "3.4028E+38")]
    [InlineData(double.MaxValue, "1.7977E+308")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(double.NaN, "NaN")]
    public void A_score_prints_to_three_decimals_between_its_bounds_and_with_an_exponent_outside(
        double score, string expected)
    {
        Assert.Equal(expected, ScoreText.Of(score));
    }

    [Fact]
    public void Minus_zero_prints_as_zero()
    {
        // Three decimals alone print −0 as -0.000, a sign on no negative number.
        Assert.Equal("0.000", ScoreText.Of(-0.0));
    }
}
