using System;
using System.Threading;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class BatchBuffersTests
{
    // Three 2 × 2 images with labels 2, 0, 1 among three classes.
    private static readonly ImageSet Set = ImageSetTests.Set;

    [Fact]
    public void Each_batch_has_the_values_of_a_fresh_one_even_after_other_batches_in_the_buffer()
    {
        // The second batch of two overwrites the first in the same buffers; its one-hot rows
        // must not keep the first batch's ones (labels 2, 0 then 0, 1).
        var buffers = new BatchBuffers<double>(Set);

        var first = buffers.Batch([2, 0]);
        var firstInputs = first.Inputs.ToColumnMajorArray();
        var single = buffers.Batch([1]);
        var second = buffers.Batch([1, 2]);

        Assert.Equal(Set.Batch<double>([2, 0]).Inputs.ToColumnMajorArray(), firstInputs);
        Assert.Equal(Set.Batch<double>([1]).Inputs, single.Inputs);
        Assert.Equal(Set.Batch<double>([1, 2]).Inputs, second.Inputs);
        Assert.Equal(new[] { 1.0, 0.0, 0.0, 0.0, 1.0, 0.0 }, second.Targets.ToColumnMajorArray());
        Assert.Same(first.Inputs, second.Inputs);
    }

    [Fact]
    public void An_index_outside_the_set_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchBuffers<float>(Set).Batch([3]));
    }

    [Fact]
    public void A_prepared_batch_is_the_fresh_one_and_leaves_the_batch_in_use_alone()
    {
        // Batches alternate between two pairs of buffers: preparing the next batch while the
        // current one is in use must not touch the current one.
        var buffers = new BatchBuffers<double>(Set);
        int[][] order = [[2, 0], [1, 2], [0, 1], [2, 1], [0, 2]];

        var current = buffers.Batch(order[0]);
        for (var t = 1; t < order.Length; t++)
        {
            var (inputs, targets) = (current.Inputs.Clone(), current.Targets.Clone());
            buffers.Prepare(order[t]);
            Thread.Sleep(5);

            Assert.Equal(inputs, current.Inputs);
            Assert.Equal(targets, current.Targets);

            var next = buffers.Batch(order[t]);
            var fresh = Set.Batch<double>(order[t]);
            Assert.NotSame(current.Inputs, next.Inputs);
            Assert.Equal(fresh.Inputs, next.Inputs);
            Assert.Equal(fresh.Targets, next.Targets);
            current = next;
        }
    }

    [Fact]
    public void A_batch_of_other_indices_than_the_prepared_ones_is_converted_anew()
    {
        var buffers = new BatchBuffers<float>(Set);
        _ = buffers.Batch([0, 1]);

        buffers.Prepare([1, 2]);
        var other = buffers.Batch([2, 0]);
        buffers.Prepare([0]);
        var shorter = buffers.Batch([1]);

        Assert.Equal(Set.Batch<float>([2, 0]).Inputs, other.Inputs);
        Assert.Equal(Set.Batch<float>([2, 0]).Targets, other.Targets);
        Assert.Equal(Set.Batch<float>([1]).Inputs, shorter.Inputs);
    }

    [Fact]
    public void Preparing_an_index_outside_the_set_prepares_nothing_and_the_batch_refuses_it()
    {
        var buffers = new BatchBuffers<double>(Set);

        buffers.Prepare([1, 3]);

        Assert.Throws<ArgumentOutOfRangeException>(() => buffers.Batch([1, 3]));
        Assert.Equal(Set.Batch<double>([1, 2]).Inputs, buffers.Batch([1, 2]).Inputs);
    }
}
