using System;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Network.Initialize refuses, before allocating anything, a layer whose weight matrix cannot
/// be one array, naming the layer, its sizes and its weight count.
/// </summary>
public sealed class InitializationSizeTests
{
    [Fact]
    public void A_layer_with_more_weights_than_an_array_holds_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Network.Initialize<double>(
            [784, 100_000_000, 2], Activation.ReLU, Activation.Softmax, Initialization.He, 1));

        Assert.Equal("sizes", e.ParamName);
        Assert.StartsWith(
            "layer 1 (784 → 100000000) would have 78,400,000,000 weights, more than one array "
            + "can hold (2,147,483,591), in sizes [784, 100000000, 2]",
            e.Message);
    }

    [Theory]
    [InlineData(new[] { 10, 50_000, 50_000, 3 }, "layer 2 (50000 → 50000)")]
    [InlineData(new[] { 3, 2, int.MaxValue }, "layer 2 (2 → 2147483647)")]
    [InlineData(new[] { 46_341, 46_341 }, "layer 1 (46341 → 46341)")]
    public void The_first_layer_too_large_is_named_even_when_its_count_wraps_an_int(
        int[] sizes, string layer)
    {
        // 46341² = 2,147,488,281 is past int.MaxValue by 4,634 and wraps to a negative int.
        var e = Assert.Throws<ArgumentException>(() => Network.Initialize<float>(
            sizes, Activation.Tanh, Activation.Identity, Initialization.GlorotUniform, 1));

        Assert.StartsWith(layer, e.Message);
        Assert.Contains("more than one array can hold", e.Message);
    }

    [Fact]
    public void A_layer_at_a_size_an_array_holds_is_not_refused_by_the_check()
    {
        // 1 × 1 and wide but small layers are built as before.
        var network = Network.Initialize<double>(
            [1, 1, 70_000], Activation.Tanh, Activation.Identity, Initialization.He, 1);

        Assert.Equal(70_000, network.Layers[1].OutputSize);
    }
}
