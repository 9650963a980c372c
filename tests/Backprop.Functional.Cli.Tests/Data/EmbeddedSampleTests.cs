using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

public class EmbeddedSampleTests
{
    private static readonly DataSplit Sample = FinAssert.Succeeds(DataSets.Embedded());

    [Fact]
    public void The_training_set_has_600_images_of_each_class()
    {
        Assert.Equal(6000, Sample.Train.Count);
        Assert.All(Sample.Train.CountPerClass(), count => Assert.Equal(600, count));
    }

    [Fact]
    public void The_test_set_has_100_images_of_each_class()
    {
        Assert.Equal(1000, Sample.Test.Count);
        Assert.All(Sample.Test.CountPerClass(), count => Assert.Equal(100, count));
    }

    [Fact]
    public void The_images_are_28_by_28_with_the_Fashion_MNIST_names()
    {
        Assert.Equal((28, 28), (Sample.Train.Rows, Sample.Train.Columns));
        Assert.Equal((28, 28), (Sample.Test.Rows, Sample.Test.Columns));
        Assert.Equal(ClassNames.FashionMnist, Sample.ClassNames);
        Assert.Equal(10, Sample.Train.ClassCount);
        Assert.StartsWith(
            "embedded Fashion-MNIST sample (6000 training and 1000 test", Sample.Description);
    }

    [Fact]
    public void The_images_are_not_blank()
    {
        // Fashion-MNIST images use the full range, with the background at 0.
        Assert.Equal(255, Sample.Train.Pixels.Max());
        Assert.Equal(0, Sample.Train.Pixels.Min());
        Assert.All(
            Enumerable.Range(0, Sample.Test.Count),
            i => Assert.Contains(Sample.Test.Image(i).ToArray(), p => p > 0));
    }
}
