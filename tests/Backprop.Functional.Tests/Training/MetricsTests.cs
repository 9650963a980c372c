using System;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Mean loss, accuracy and the confusion matrix as folds over batches. Counts are compared
/// exactly; loss sums to <see cref="SumTolerance"/>, since a batch of another width may round
/// its products differently in the last bit.
/// </summary>
public sealed class MetricsTests
{
    private const double SumTolerance = 1e-12;

    [Fact]
    public void A_crafted_case_gives_the_confusion_matrix_worked_out_by_hand()
    {
        // An identity 3 → 3 layer with W = I, b = 0 outputs its input, so the inputs are the
        // scores. (scores → predicted class; true class; ½‖o − y‖²):
        //   (0.9, 0.05, 0.05) → 0; 0; ½(0.01 + 0.0025 + 0.0025) = 0.0075
        //   (0.1, 0.8, 0.1)   → 1; 1; ½(0.01 + 0.04 + 0.01)     = 0.03
        //   (0.2, 0.3, 0.5)   → 2; 1; ½(0.04 + 0.49 + 0.25)     = 0.39
        //   (0.6, 0.3, 0.1)   → 0; 2; ½(0.36 + 0.09 + 0.81)     = 0.63
        //   (0.1, 0.1, 0.8)   → 2; 2; ½(0.01 + 0.01 + 0.04)     = 0.03
        // Rows are true classes, columns predicted: [[1, 0, 0], [0, 1, 1], [1, 0, 1]];
        // 3 of 5 correct; loss sum 1.0875, mean 0.2175.
        var x = Fixtures.Matrix(
            3, 5, 0.9, 0.05, 0.05, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8);
        var y = OneHot(3, 0, 1, 1, 2, 2);

        var e = Metrics.Fold(Evaluation.Empty(3), Identity(3), x, y, Loss.Quadratic);

        Assert.Equal(5, e.Count);
        Assert.Equal(3, e.Correct);
        Assert.Equal(Confusion([1, 0, 0], [0, 1, 1], [1, 0, 1]), e.Confusion);
        Assert.Equal(0.6, e.Accuracy);
        Fixtures.Near(1.0875, e.LossSum, 1e-15, "loss sum");
        Fixtures.Near(0.2175, e.MeanLoss, 1e-15, "mean loss");
    }

    [Fact]
    public void A_tie_goes_to_the_lower_class()
    {
        var x = Fixtures.Matrix(3, 2, 0.5, 0.5, 0, 0.2, 0.4, 0.4);

        var e = Metrics.Fold(Evaluation.Empty(3), Identity(3), x, OneHot(3, 0, 1), Loss.Quadratic);

        Assert.Equal(Confusion([1, 0, 0], [0, 1, 0], [0, 0, 0]), e.Confusion);
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, "its largest entry, 0, appears 3 times")]
    [InlineData(0.5, 0.5, 0.0, "its largest entry, 0.5, appears 2 times")]
    public void A_target_column_that_names_no_class_is_refused(
        double y0, double y1, double y2, string why)
    {
        // Column 1 of Y; column 0 is class 0. Counted as class 0 before, a column of zeros
        // made a sample predicted as 0 correct.
        var x = Fixtures.Matrix(3, 2, 0.9, 0.05, 0.05, 0.9, 0.05, 0.05);
        var y = Fixtures.Matrix(3, 2, 1.0, 0.0, 0.0, y0, y1, y2);

        var e = Assert.Throws<ArgumentException>(
            () => Metrics.Fold(Evaluation.Empty(3), Identity(3), x, y, Loss.Quadratic));

        Assert.StartsWith(
            $"target column 1 names no class: {why}; expected one largest entry per column",
            e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_names_the_sample_whose_target_names_no_class()
    {
        // Six samples in batches of 4: sample 5, the second of the second batch, is all zeros.
        var x = Fixtures.Matrix(3, 6, Enumerable.Repeat(0.5, 18).ToArray());
        var y = OneHot(3, 0, 1, 2, 0, 1, 2);
        y.SetColumn(5, new double[3]);

        var e = Assert.Throws<ArgumentException>(() => Metrics.Evaluate(
            Identity(3), Fixtures.InMemory(x, y), Loss.Quadratic, batchSize: 4));

        Assert.StartsWith(
            "the target of sample 5 names no class: its largest entry, 0, appears 3 times",
            e.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "the network's 1 output gives 2")]
    [InlineData(4, "the network's 4 outputs give 4")]
    public void A_state_of_another_class_count_is_refused_with_the_networks_outputs(
        int outputs, string counted)
    {
        var x = Fixtures.Matrix(outputs, 1, new double[outputs]);

        var e = Assert.Throws<ArgumentException>(
            () => Metrics.Fold(Evaluation.Empty(3), Identity(outputs), x, x, Loss.Quadratic));

        Assert.StartsWith($"the evaluation counts 3 classes but {counted}", e.Message);
    }

    [Theory]
    [InlineData(1, "1 sample")]
    [InlineData(2, "2 samples")]
    public void A_batch_size_below_1_is_refused_with_the_sample_count(
        int samples, string counted)
    {
        var x = Fixtures.Matrix(3, samples, new double[3 * samples]);

        var e = Assert.Throws<ArgumentException>(() => Metrics.Evaluate(
            Identity(3), Fixtures.InMemory(x, x), Loss.Quadratic, batchSize: 0));

        Assert.Equal(
            $"an evaluation needs samples and a batch size ≥ 1, got {counted} and batch size 0",
            e.Message);
    }

    [Fact]
    public void One_output_is_a_binary_classifier_at_one_half()
    {
        // Outputs 0.7, 0.2, 0.5, 0.49 → classes 1, 0, 1, 0; targets 1, 0, 0, 1.
        var x = Fixtures.Matrix(1, 4, 0.7, 0.2, 0.5, 0.49);
        var y = Fixtures.Matrix(1, 4, 1, 0, 0, 1);

        var e = Metrics.Fold(Evaluation.Empty(2), Identity(1), x, y, Loss.Quadratic);

        Assert.Equal(2, Metrics.ClassesOf(Identity(1)));
        Assert.Equal(Confusion([1, 1], [1, 1]), e.Confusion);
        Assert.Equal(2, e.Correct);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(10)]
    public void A_fold_over_batches_equals_one_pass_over_all_data(int batchSize)
    {
        var (network, x, y) = Classifier();
        var all = Metrics.Fold(Evaluation.Empty(3), network, x, y, Loss.SoftmaxCrossEntropy);

        var folded = Enumerable.Range(0, (10 + batchSize - 1) / batchSize)
            .Select(b => Enumerable.Range(b * batchSize, Math.Min(batchSize, 10 - (b * batchSize))))
            .Aggregate(Evaluation.Empty(3), (e, k) => Part(e, network, x, y, k.ToArray()));
        var evaluated = Metrics.Evaluate(
            network, Fixtures.InMemory(x, y), Loss.SoftmaxCrossEntropy, batchSize);

        foreach (var e in new[] { folded, evaluated })
        {
            Assert.Equal(Counts(all), Counts(e));
            Fixtures.Near(all.LossSum, e.LossSum, SumTolerance, "loss sum");
        }

        Assert.Equal(all.MeanLoss, all.LossSum / 10);
        Assert.Equal(network.Loss(x, y, Loss.SoftmaxCrossEntropy), all.MeanLoss, SumTolerance);
    }

    [Fact]
    public void Evaluations_of_two_parts_add_up_to_the_whole()
    {
        var (network, x, y) = Classifier();
        var whole = Metrics.Fold(Evaluation.Empty(3), network, x, y, Loss.SoftmaxCrossEntropy);
        var a = Part(Evaluation.Empty(3), network, x, y, [0, 1, 2, 3]);
        var b = Part(Evaluation.Empty(3), network, x, y, [4, 5, 6, 7, 8, 9]);
        var sum = a + b;

        Assert.Equal(Counts(whole), Counts(sum));
        Fixtures.Near(whole.LossSum, sum.LossSum, SumTolerance, "loss sum");
        Assert.Equal(sum, Metrics.Combine(a, b));
        Assert.Equal(a, a + Evaluation.Empty(3));
    }

    [Fact]
    public void The_empty_evaluation_has_no_mean()
    {
        var e = Evaluation.Empty(4);

        Assert.Equal((0, 0.0, 0, 4), (e.Count, e.LossSum, e.Correct, e.Classes));
        Assert.True(double.IsNaN(e.MeanLoss));
        Assert.True(double.IsNaN(e.Accuracy));
        Assert.All(e.Confusion, row => Assert.Equal(new[] { 0, 0, 0, 0 }, row));
    }

    [Fact]
    public void Mismatched_class_counts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.Empty(1));
        Assert.Throws<ArgumentException>(() => Evaluation.Empty(2) + Evaluation.Empty(3));
        var (network, x, y) = Classifier();
        var e = Assert.Throws<ArgumentException>(
            () => Metrics.Fold(Evaluation.Empty(4), network, x, y, Loss.SoftmaxCrossEntropy));
        Assert.Contains("4 classes", e.Message);
    }

    private static Network<double> Identity(int n) => Fixtures.Affine(
        n, n, Matrix<double>.Build.DenseIdentity(n).ToColumnMajorArray(), new double[n]);

    // The state with the samples at `indices` folded in, as one batch.
    private static Evaluation Part(
        Evaluation state,
        Network<double> network,
        Matrix<double> x,
        Matrix<double> y,
        int[] indices)
    {
        var k = Arr.create(indices);
        var (xk, yk) = (Fixtures.Columns(x, k), Fixtures.Columns(y, k));
        return Metrics.Fold(state, network, xk, yk, Loss.SoftmaxCrossEntropy);
    }

    private static (int Count, int Correct, Arr<Arr<int>> Confusion) Counts(Evaluation e) =>
        (e.Count, e.Correct, e.Confusion);

    private static Matrix<double> OneHot(int classes, params int[] labels) =>
        Matrix<double>.Build.Dense(classes, labels.Length, (i, k) => i == labels[k] ? 1 : 0);

    private static Arr<Arr<int>> Confusion(params int[][] rows) =>
        Arr.create(rows.Select(r => Arr.create(r)).ToArray());

    // A seeded 2 → 4 → 3 softmax classifier and ten samples with one-hot labels.
    private static (Network<double> Network, Matrix<double> X, Matrix<double> Y) Classifier()
    {
        var network = Fixtures.Seeded(12, Activation.Softmax, 2, 4, 3);
        var x = Matrix<double>.Build.Dense(2, 10, (i, k) => Math.Sin((5 * k) + (2 * i)));
        return (network, x, OneHot(3, 0, 1, 2, 0, 1, 2, 2, 1, 0, 0));
    }
}
