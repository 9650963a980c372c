using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Predict and evaluation keep their hidden layers' Σ and o in buffers of the calling thread
/// (<see cref="ThreadScratch{T}"/>): calls that share those buffers, on other networks and
/// shapes, before and after, leave every result as it was and give the bits of the traced
/// forward pass, on one thread or several at once.
/// </summary>
public sealed class ThreadScratchProperties
{
    private static Gen<(NetworkCase A, NetworkCase B)> Pairs { get; } =
        from a in Generators.AnyCase
        from b in Generators.AnyCase
        select (a, b);

    [Property(MaxTest = PropertyConfig.Cases)]
    public Property Interleaved_predictions_keep_their_results_and_bits() =>
        Prop.ForAll(Pairs.ToArbitrary(), p =>
        {
            var expected = Bits.Of(p.A.Network.Forward(p.A.Inputs).Output);
            var first = p.A.Network.Predict(p.A.Inputs);
            var kept = Bits.Of(first);

            var other = p.B.Network.Predict(p.B.Inputs);
            _ = Propagation.OutputTrace(p.B.Network, p.B.Inputs);
            var again = p.A.Network.Predict(p.A.Inputs);

            return Prop.Label(kept.SequenceEqual(expected), "the first prediction")
                .And(Prop.Label(Bits.Of(first).SequenceEqual(kept), "kept after other calls"))
                .And(Prop.Label(Bits.Of(again).SequenceEqual(expected), "the repeat"))
                .And(Prop.Label(
                    Bits.Of(other).SequenceEqual(
                        Bits.Of(p.B.Network.Forward(p.B.Inputs).Output)),
                    "the other network"));
        });

    [Fact]
    public void More_shapes_than_a_thread_keeps_still_give_the_traced_bits()
    {
        var network = Network.Initialize<double>(
            [6, 5, 4, 3], Activation.Tanh, Activation.Softmax, Initialization.GlorotUniform, 7);
        var shapes = ThreadScratch<double>.Capacity + 5;

        // Two passes over more batch sizes than the thread's set holds, so that buffers are
        // dropped and made again between uses of one shape.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var m = 1; m <= shapes; m++)
            {
                var x = Matrix<double>.Build.Dense(
                    6, m, (i, j) => (((i * 7) + (j * 3) + m) % 11) / 11.0);
                Assert.Equal(
                    Bits.Of(network.Forward(x).Output), Bits.Of(network.Predict(x)));
            }
        }
    }

    [Fact]
    public void A_hidden_layer_too_large_to_keep_is_fresh_and_gives_the_traced_bits()
    {
        // 4200 units × 1000 samples is above the largest kept buffer: taken fresh each call.
        var units = 4200;
        Assert.True(units * 1000 > ThreadScratch<double>.LargestKept);
        var network = Network.Initialize<double>(
            [2, units, 1], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 5);
        var x = Matrix<double>.Build.Dense(2, 1000, (i, j) => ((i + (3 * j)) % 17) / 17.0);

        var first = network.Predict(x);
        var kept = Bits.Of(first);
        var again = network.Predict(x);

        Assert.Equal(Bits.Of(network.Forward(x).Output), kept);
        Assert.Equal(kept, Bits.Of(again));
        Assert.Equal(kept, Bits.Of(first));
    }

    [Fact]
    public void A_prediction_made_inside_an_activation_does_not_touch_the_outer_one()
    {
        // A custom activation that predicts with another network of the same shape on the same
        // thread, in the middle of the outer call's hidden layer.
        var other = Network.Initialize<double>(
            [12, 9, 4], Activation.ReLU, Activation.Softmax, Initialization.He, 99);
        var x = Matrix<double>.Build.Dense(12, 10, (i, j) => ((i + (2 * j)) % 9) / 9.0);
        var calls = 0;
        var reentrant = Activation.Custom(
            "reentrant",
            v =>
            {
                if (calls++ == 0)
                {
                    _ = other.Predict(x);
                    _ = Propagation.OutputTrace(other, x);
                }

                return Math.Max(0, v);
            },
            v => v > 0 ? 1 : 0);
        var plain = Activation.Custom("plain", v => Math.Max(0, v), v => v > 0 ? 1 : 0);
        var withCalls = Network.Initialize<double>(
            [12, 9, 4], reentrant, Activation.Softmax, Initialization.He, 11);
        var without = Network.Initialize<double>(
            [12, 9, 4], plain, Activation.Softmax, Initialization.He, 11);

        Assert.Equal(Bits.Of(without.Predict(x)), Bits.Of(withCalls.Predict(x)));
        calls = 0;
        Assert.Equal(
            Bits.Of(Propagation.OutputTrace(without, x).Output),
            Bits.Of(Propagation.OutputTrace(withCalls, x).Output));
    }

    [Fact]
    public void Threads_predicting_at_once_give_the_bits_of_one_thread()
    {
        var network = Network.Initialize<double>(
            [30, 20, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 3);
        var batches = Enumerable.Range(1, 12)
            .Select(m => Matrix<double>.Build.Dense(
                30, m, (i, j) => ((i + (5 * j) + m) % 13) / 13.0))
            .ToArray();
        var alone = batches.Select(x => Bits.Of(network.Predict(x))).ToArray();

        var together = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Select(t => Enumerable.Range(0, 60)
                .Select(r => (Index: (r + t) % batches.Length,
                    Bits: Bits.Of(network.Predict(batches[(r + t) % batches.Length]))))
                .ToArray())
            .ToArray();

        foreach (var run in together)
        {
            foreach (var (index, bits) in run)
            {
                Assert.Equal(alone[index], bits);
            }
        }
    }
}
