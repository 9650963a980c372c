using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public sealed class UnitScaleTests
{
    // Every byte value, at every offset from a vector boundary, in runs long enough for the
    // vector loop and short enough for the scalar tail alone.
    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(784)]
    [InlineData(1000)]
    public void Scaling_gives_the_bits_of_v_over_255_in_float32_and_float64(int length)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)((i * 37) + (i / 256))).ToArray();

        Assert.Equal(Expected<float>(bytes), Scaled<float>(bytes));
        Assert.Equal(Expected<double>(bytes), Scaled<double>(bytes));
    }

    private static T[] Scaled<T>(byte[] bytes)
        where T : struct, IFloatingPointIeee754<T>
    {
        var values = new T[bytes.Length];
        UnitScale.Divide<T>(bytes, values);
        return values;
    }

    private static T[] Expected<T>(byte[] bytes)
        where T : struct, IFloatingPointIeee754<T> =>
        bytes.Select(v => T.CreateChecked(v) / T.CreateChecked(255)).ToArray();
}
