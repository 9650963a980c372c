using Backprop.Functional.Cli.Output;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Output;

/// <summary>
/// A loss prints to four decimals below 10⁶ and with an exponent from there on, so that a
/// diverging float64 run's epoch line does not spell out a 300-digit number.
/// </summary>
public sealed class LossTextTests
{
    [Theory]
    [InlineData(0.0, "0.0000")]
    [InlineData(0.43216, "0.4322")]
    [InlineData(2.302585092994046, "2.3026")]
    [InlineData(999_999.99994, "999999.9999")]
    [InlineData(1e6, "1E+6")]
    [InlineData(1_234_567.0, "1.2346E+6")]
    [InlineData(-1_234_567.0, "-1.2346E+6")]
    [InlineData(1e300, "1E+300")]
    [InlineData(double.MaxValue, "1.7977E+308")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(double.NaN, "NaN")]
    public void A_loss_prints_to_four_decimals_below_a_million_and_with_an_exponent_above(
        double loss, string expected)
    {
        Assert.Equal(expected, LossText.Of(loss));
    }
}
