using System;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

public class TrainingDataTests
{
    [Fact]
    public void FromColumns_gives_the_columns_at_the_indices_in_that_order()
    {
        var x = Matrix<double>.Build.Dense(2, 4, (i, j) => (10 * j) + i);
        var y = Matrix<double>.Build.Dense(1, 4, (i, j) => j);
        var data = TrainingData.FromColumns(x, y);

        var (inputs, targets) = data.Batch(Arr.create(3, 0));

        Assert.Equal(4, data.Count);
        Assert.Equal(new[] { 30.0, 31.0, 0.0, 1.0 }, inputs.ToColumnMajorArray());
        Assert.Equal(new[] { 3.0, 0.0 }, targets.ToColumnMajorArray());
    }

    [Fact]
    public void FromColumns_copies_so_later_writes_to_the_source_do_not_leak_in()
    {
        var x = Matrix<double>.Build.Dense(1, 2, 1.0);
        var data = TrainingData.FromColumns(x, x);

        x[0, 0] = 99.0;

        Assert.Equal(1.0, data.Batch(Arr.create(0)).Inputs[0, 0]);
    }

    [Fact]
    public void FromColumns_refuses_mismatched_column_counts_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingData.FromColumns(
            Matrix<double>.Build.Dense(2, 3), Matrix<double>.Build.Dense(1, 4)));

        Assert.Contains("2 × 3", e.Message);
        Assert.Contains("1 × 4", e.Message);
    }
}
