using System;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class ImageSetTests
{
    // Three 2 × 2 images with labels 2, 0, 1 among three classes (also BatchBuffersTests').
    internal static readonly ImageSet Set = new(
        "crafted", 3, 2, 2, [0, 51, 102, 255, 10, 20, 30, 40, 255, 255, 0, 0], [2, 0, 1], 3);

    [Fact]
    public void Batch_scales_pixels_by_255_one_sample_a_column_in_the_order_given()
    {
        var (x, _) = Set.Batch<double>([2, 0]);

        Assert.Equal((4, 2), (x.RowCount, x.ColumnCount));
        Assert.Equal(new[] { 1.0, 1.0, 0.0, 0.0 }, x.Column(0).ToArray());
        Assert.Equal(new[] { 0.0, 0.2, 0.4, 1.0 }, x.Column(1).ToArray());
    }

    [Fact]
    public void Prefetch_skips_indices_outside_the_set_and_changes_no_batch()
    {
        var before = Set.Batch<double>([2, 0]).Inputs.ToColumnMajorArray();

        Set.Prefetch([-1, 3, int.MaxValue, 2, 0]);

        Assert.Equal(before, Set.Batch<double>([2, 0]).Inputs.ToColumnMajorArray());
        Assert.Equal(new[] { 1.0, 1.0, 0.0, 0.0, 0.0, 0.2, 0.4, 1.0 }, before);
    }

    [Fact]
    public void The_core_s_view_of_a_set_prepares_through_Upcoming_and_skips_bad_indices()
    {
        var data = Backprop.Functional.Cli.Running.DataSource.Batches<float>(Set);

        Assert.NotNull(data.Upcoming);
        data.Upcoming!(LanguageExt.Arr.create(1, 7, -2));
        data.Upcoming!(LanguageExt.Arr.create(2, 0));
        Assert.Equal(3, data.Count);
        Assert.Equal(
            Set.Batch<float>([2, 0]).Inputs, data.Batch(LanguageExt.Arr.create(2, 0)).Inputs);
    }

    [Fact]
    public void A_run_on_batches_prepared_ahead_takes_the_steps_of_one_without()
    {
        // 150 steps of 64 on the embedded sample, over an epoch's end: whichever thread
        // converted which image of a prepared batch, the weights come out the same bits.
        var train = FinAssert.Succeeds(DataSets.Embedded()).Train;
        var network = Network.Initialize<float>(
            [784, 32, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 3);
        var options = new TrainingOptions(Optimizer.Sgd(0.1), Loss.SoftmaxCrossEntropy, 64, 5);
        var prepared = Backprop.Functional.Cli.Running.DataSource.Batches<float>(train);
        var plain = Backprop.Functional.Cli.Running.DataSource.Batches<float>(train)
            with { Upcoming = null };

        var a = Training.Run(network, prepared, options).Take(150).Last().Network;
        var b = Training.Run(network, plain, options).Take(150).Last().Network;

        foreach (var (x, y) in a.Layers.Zip(b.Layers))
        {
            Assert.Equal(
                x.Weights.ToColumnMajorArray().Select(BitConverter.SingleToInt32Bits),
                y.Weights.ToColumnMajorArray().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(
                x.Bias.ToArray().Select(BitConverter.SingleToInt32Bits),
                y.Bias.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Batch_gives_one_hot_targets_in_the_row_of_the_label()
    {
        var (_, y) = Set.Batch<double>([0, 1, 2, 0]);

        Assert.Equal((3, 4), (y.RowCount, y.ColumnCount));
        Assert.Equal(new[] { 0.0, 0.0, 1.0 }, y.Column(0).ToArray());
        Assert.Equal(new[] { 1.0, 0.0, 0.0 }, y.Column(1).ToArray());
        Assert.Equal(new[] { 0.0, 1.0, 0.0 }, y.Column(2).ToArray());
        Assert.Equal(new[] { 0.0, 0.0, 1.0 }, y.Column(3).ToArray());
    }

    [Fact]
    public void Batch_in_float_matches_the_float_division()
    {
        var (x, y) = Set.Batch<float>([1]);

        float[] expected = [10f / 255f, 20f / 255f, 30f / 255f, 40f / 255f];
        Assert.Equal(expected, x.Column(0).ToArray());
        Assert.Equal(new[] { 1f, 0f, 0f }, y.Column(0).ToArray());
    }

    [Fact]
    public void Batch_refuses_an_index_outside_the_set()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Set.Batch<double>([3]));
    }

    [Fact]
    public void Take_copies_the_chosen_images_in_order()
    {
        var subset = Set.Take([2, 1]);

        Assert.Equal(2, subset.Count);
        Assert.Equal(new byte[] { 255, 255, 0, 0, 10, 20, 30, 40 }, subset.Pixels);
        Assert.Equal(new byte[] { 1, 0 }, subset.Labels);
        Assert.Equal((2, 2, 3), (subset.Rows, subset.Columns, subset.ClassCount));
        Assert.Equal("crafted", subset.Source);
        Assert.NotSame(Set.Pixels, subset.Pixels);
    }

    [Fact]
    public void Image_and_CountPerClass_describe_the_set()
    {
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, Set.Image(1).ToArray());
        Assert.Equal(new[] { 1, 1, 1 }, Set.CountPerClass());
        Assert.Equal(4, Set.Features);
    }

    [Fact]
    public void TryCreate_refuses_a_label_count_that_differs_from_the_image_count()
    {
        var images = (2, 1, 1, new byte[] { 1, 2 });

        var message = FinAssert.Fails(ImageSet.TryCreate("imgs", images, "labs", [0, 1, 1], 10));

        Assert.Equal(
            "labs has 3 labels but imgs has 2 images; expected one label per image", message);
    }

    [Fact]
    public void TryCreate_names_the_first_label_outside_the_classes_and_its_record()
    {
        var images = (3, 1, 1, new byte[] { 1, 2, 3 });

        var message = FinAssert.Fails(ImageSet.TryCreate("imgs", images, "labs", [9, 10, 11], 10));

        Assert.Equal("labs: record 1 has label 10; expected a class in 0–9 (10 classes)", message);
    }
}
