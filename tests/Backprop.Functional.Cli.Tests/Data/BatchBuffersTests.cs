using System;
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
}
