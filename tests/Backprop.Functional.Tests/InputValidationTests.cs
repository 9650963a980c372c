using System;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Bad data at the boundary of Forward, Predict, Backward and the losses: each is refused with
/// an <see cref="ArgumentException"/> whose message names what was expected and what was found.
/// </summary>
public sealed class InputValidationTests
{
    // A [2, 3, 1] network: inputs must be 2 × m, targets 1 × m.
    private static readonly Network<double> Network = Functional.Network.Initialize<double>(
        [2, 3, 1], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 3);

    private static readonly Matrix<double> X = Matrix<double>.Build.Dense(2, 4, 0.5);
    private static readonly Matrix<double> Y = Matrix<double>.Build.Dense(1, 4, 1.0);

    public static TheoryData<double> NonFinite => new(
        double.NaN, double.PositiveInfinity, double.NegativeInfinity);

    [Fact]
    public void Inputs_with_the_wrong_number_of_rows_are_refused_naming_both_sizes()
    {
        var bad = Matrix<double>.Build.Dense(3, 4);

        var forward = Assert.Throws<ArgumentException>(() => Network.Forward(bad));
        var predict = Assert.Throws<ArgumentException>(() => Network.Predict(bad));

        Assert.Contains("inputs are 3 × 4", forward.Message);
        Assert.Contains("expects 2 rows", forward.Message);
        Assert.Equal("inputs", forward.ParamName);
        Assert.Equal(forward.Message, predict.Message);
    }

    [Fact]
    public void A_single_sample_of_the_wrong_length_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Network.Predict(Vector<double>.Build.Dense(5)));

        Assert.Contains("inputs are 5 × 1", e.Message);
        Assert.Contains("expects 2 rows", e.Message);
    }

    [Fact]
    public void An_empty_batch_is_refused()
    {
        var empty = Matrix<double>.Build.Dense(2, 0);

        var e = Assert.Throws<ArgumentException>(() => Network.Forward(empty));

        Assert.Contains("empty (2 × 0)", e.Message);
        Assert.Contains("at least one column", e.Message);
        Assert.Throws<ArgumentException>(() => Network.Loss(empty, Y, Loss.Quadratic));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_input_is_refused_naming_its_value_and_place(double value)
    {
        var bad = X.Clone();
        bad[1, 2] = value;

        var e = Assert.Throws<ArgumentException>(() => Network.Forward(bad));

        Assert.Contains($"inputs contain {value} at row 1, column 2", e.Message);
        Assert.Contains("expected finite numbers", e.Message);
        Assert.Throws<ArgumentException>(() => Network.Predict(bad));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_input_behind_zero_weights_is_still_refused(double value)
    {
        // The first layer's weights on input row 1 are all zero and every other input is
        // finite, so only 0·x carries the bad value into Σ₁ (as NaN): the check must not
        // depend on a non-zero weight. Also through a network of one layer, whose first layer
        // is its output layer.
        var w = Matrix<double>.Build.DenseOfArray(new[,] { { 0.5, 0.0 }, { -1.0, 0.0 } });
        var one = Functional.Network.Create(
            Layer.Create(w, Vector<double>.Build.Dense(2), Activation.ReLU));
        var two = Functional.Network.Create(
            Layer.Create(w, Vector<double>.Build.Dense(2), Activation.ReLU),
            Layer.Create(
                Matrix<double>.Build.Dense(1, 2, 1.0),
                Vector<double>.Build.Dense(1),
                Activation.Sigmoid));
        var bad = X.Clone();
        bad[1, 2] = value;

        foreach (var network in new[] { one, two })
        {
            foreach (var call in new Func<object>[]
            {
                () => network.Forward(bad),
                () => network.Predict(bad),
                () => Metrics.Evaluate(
                    network,
                    TrainingData.FromColumns(bad, X.SubMatrix(0, network.OutputSize, 0, 4)),
                    Loss.Quadratic,
                    4),
            })
            {
                var e = Assert.Throws<ArgumentException>(() => call());
                Assert.Contains($"inputs contain {value} at row 1, column 2", e.Message);
            }
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(783, 999)]
    [InlineData(400, 504)]
    public void A_non_finite_input_in_either_half_of_a_cut_product_is_refused(int row, int column)
    {
        // 30 × 784 by 784 × 1000: cut across Σ₁'s columns at 504, so column 999 lies in the
        // half that may run on the helper thread, which checks its own part of Σ₁.
        var wide = Functional.Network.Initialize<float>(
            [784, 30, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 5);
        var x = Matrix<float>.Build.Dense(784, 1000, (i, j) => (((i * 7) + j) % 256) / 255f);
        x[row, column] = float.NaN;

        var forward = Assert.Throws<ArgumentException>(() => wide.Forward(x));
        var predict = Assert.Throws<ArgumentException>(() => wide.Predict(x));

        Assert.Contains($"inputs contain NaN at row {row}, column {column}", forward.Message);
        Assert.Contains($"inputs contain NaN at row {row}, column {column}", predict.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(391, 17)]
    [InlineData(392, 40)]
    [InlineData(783, 63)]
    public void A_non_finite_input_in_either_half_of_a_depth_cut_product_is_refused(
        int row, int column)
    {
        // 128 × 784 by 784 × 64: cut across the dot products at 392, so rows 392 to 783 of X
        // feed the partial sums that may be computed on the helper thread and added after.
        Assert.True(GemmCall.CutsDepthAt(128, 64, 784));
        foreach (var single in new[] { true, false })
        {
            var e = single ? Refusal<float>(row, column) : Refusal<double>(row, column);
            Assert.Contains($"inputs contain NaN at row {row}, column {column}", e.Message);
        }
    }

    [Fact]
    public void A_product_whose_result_is_over_2_GB_is_computed()
    {
        // Σ₁ of a 540,000-unit layer on 1000 samples: 5.4·10⁸ float32 values, 2.16 GB, within
        // one array but past 2³¹ bytes, which overflowed a span of its bytes on OpenBLAS.
        var wide = Functional.Network.Create(
            Layer.Create(
                Matrix<float>.Build.Dense(540_000, 1, 1f),
                Vector<float>.Build.Dense(540_000, 0.5f),
                Activation.ReLU),
            Layer.Create(
                Matrix<float>.Build.Dense(1, 540_000, 1f / 540_000),
                Vector<float>.Build.Dense(1),
                Activation.Identity));
        var x = Matrix<float>.Build.Dense(1, 1000, (_, j) => j % 2);

        var o = wide.Predict(x);

        // Every unit gives x + 0.5, and the output their mean: 0.5 or 1.5, within float32's
        // rounding of a sum of 540,000 terms.
        Assert.InRange(o[0, 0], 0.5f - 1e-3f, 0.5f + 1e-3f);
        Assert.InRange(o[0, 1], 1.5f - 1e-3f, 1.5f + 1e-3f);
    }

    [Fact]
    public void A_batch_whose_layer_outputs_exceed_one_array_is_refused_naming_the_shape()
    {
        // A layer of 3,000,000 units on 1000 samples: 3·10⁹ outputs. This used to surface as
        // "Arithmetic operation resulted in an overflow".
        var wide = Functional.Network.Initialize<float>(
            [1, 3_000_000, 1], Activation.ReLU, Activation.Identity, Initialization.He, 1);
        var x = Matrix<float>.Build.Dense(1, 1000, 0.5f);

        var e = Assert.Throws<ArgumentException>(() => wide.Predict(x));

        Assert.Equal(
            "a 3000000 × 1000 matrix has 3,000,000,000 elements, more than one array can hold "
            + "(2,147,483,591); use smaller batches",
            e.Message);
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_target_is_refused_naming_its_value_and_place(double value)
    {
        var bad = Y.Clone();
        bad[0, 3] = value;
        var trace = Network.Forward(X);

        var e = Assert.Throws<ArgumentException>(() =>
            Network.Backward(trace, bad, Loss.Quadratic));

        Assert.Contains($"targets contain {value} at row 0, column 3", e.Message);
        Assert.Equal("targets", e.ParamName);
        Assert.Throws<ArgumentException>(() => Network.Loss(X, bad, Loss.Quadratic));
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(1, 3)]
    [InlineData(1, 5)]
    public void Targets_of_the_wrong_shape_are_refused_naming_both_shapes(int rows, int columns)
    {
        var bad = Matrix<double>.Build.Dense(rows, columns);

        var e = Assert.Throws<ArgumentException>(() =>
            Network.Backward(Network.Forward(X), bad, Loss.Quadratic));

        Assert.Contains($"targets are {rows} × {columns}", e.Message);
        Assert.Contains("the outputs are 1 × 4", e.Message);
        Assert.Throws<ArgumentException>(() => Network.Loss(X, bad, Loss.Quadratic));
        Assert.Throws<ArgumentException>(() => Network.Step(X, bad, Loss.Quadratic, 0.1));
    }

    [Fact]
    public void A_trace_of_another_network_is_refused_naming_both_sizes()
    {
        var other = Functional.Network.Initialize<double>(
            [2, 5, 1], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 3);

        var e = Assert.Throws<ArgumentException>(() =>
            Network.Backward(other.Forward(X), Y, Loss.Quadratic));

        Assert.Contains("the trace has sizes [2, 5, 1]", e.Message);
        Assert.Contains("the network has [2, 3, 1]", e.Message);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("identity")]
    [InlineData("relu")]
    public void Softmax_cross_entropy_after_a_non_softmax_output_is_refused(string output)
    {
        var activation = Activation.Parse(output)
            .Match(a => a, e => throw new ArgumentException(e.Message));
        var network = Functional.Network.Initialize<double>(
            [2, 3, 2], Activation.Tanh, activation, Initialization.GlorotUniform, 3);
        var y = Matrix<double>.Build.Dense(2, 4, 0.5);

        var e = Assert.Throws<ArgumentException>(() =>
            network.Backward(network.Forward(X), y, Loss.SoftmaxCrossEntropy));
        var accepts = Loss.SoftmaxCrossEntropy.Accepts(activation);

        Assert.Contains("needs a softmax output layer", e.Message);
        Assert.Contains($"found {output}", e.Message);
        Assert.True(accepts.IsFail);
        Assert.Throws<ArgumentException>(() =>
            network.Loss(X, y, Loss.SoftmaxCrossEntropy));
    }

    [Fact]
    public void Every_other_loss_accepts_every_output()
    {
        var losses = new[] { Loss.Quadratic, Loss.BinaryCrossEntropy, Loss.CrossEntropy };

        Assert.All(losses, loss => Assert.All(
            Generators.Elementwise,
            f => Assert.True(loss.Accepts(f).IsSucc, $"{loss} after {f}")));
        Assert.True(Loss.SoftmaxCrossEntropy.Accepts(Activation.Softmax).IsSucc);
    }

    [Fact]
    public void The_checks_return_failures_naming_expected_and_found()
    {
        Fin<Matrix<double>> rows = Shapes.CheckInput(2, Matrix<double>.Build.Dense(3, 1));
        Fin<Matrix<double>> shape = Shapes.CheckTargets(Y, Matrix<double>.Build.Dense(2, 4));

        Assert.True(rows.IsFail);
        Assert.True(shape.IsFail);
        Assert.Equal(
            "inputs are 3 × 1 but the network expects 2 rows (one sample a column)",
            Message(rows));
        Assert.Equal("targets are 2 × 4 but the outputs are 1 × 4", Message(shape));
    }

    [Theory]
    [InlineData(1, "1 row")]
    [InlineData(4, "4 rows")]
    public void The_input_check_counts_the_rows_expected(int rows, string counted)
    {
        Fin<Matrix<double>> checkedInput =
            Shapes.CheckInput(rows, Matrix<double>.Build.Dense(3, 1));

        Assert.Equal(
            $"inputs are 3 × 1 but the network expects {counted} (one sample a column)",
            Message(checkedInput));
    }

    private static string Message<TValue>(Fin<TValue> fin) =>
        fin.Match(_ => string.Empty, e => e.Message);

    // Forward of a 784-128-10 network on a batch of 64 with one NaN input: its refusal.
    private static ArgumentException Refusal<T>(int row, int column)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var network = Functional.Network.Initialize<T>(
            [784, 128, 10], Activation.ReLU, Activation.Softmax, Initialization.He, 7);
        var x = Matrix<T>.Build.Dense(
            784, 64, (i, j) => T.CreateTruncating((((i * 5) + j) % 256) / 255.0));
        x[row, column] = T.NaN;
        return Assert.Throws<ArgumentException>(() => network.Forward(x));
    }
}
