using System.IO;
using Backprop.Functional.Cli.Running;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A run whose every step has a finite loss can still end an epoch with a network whose
/// outputs overflow on the held-out images: one step of η = 10³⁰ on the whole embedded sample
/// does. That is a divergence too: one error line, exit code 1, and no model, since evaluate
/// would refuse such a model.
/// </summary>
public sealed class HeldOutOverflowTests
{
    private const string Hint = "; no model was written (try a smaller --learning-rate)";

    [Theory]
    [InlineData(new string[0], "test")]
    [InlineData(new[] { "--validation", "500" }, "validation")]
    public void Outputs_that_overflow_after_an_epoch_are_a_divergence_and_write_no_model(
        string[] extra, string set)
    {
        // Given an existing model file, and a run of one step (a batch as large as the
        // training set) with an enormous learning rate
        using var dir = new TempDirectory();
        var model = dir.File("m.json");
        File.WriteAllText(model, "old bytes");
        string[] train =
        [
            "train", "--epochs", "1", "--batch-size", "6000", "--learning-rate", "1e30",
            "--out", model,
        ];

        // When it trains
        var result = Cli.Run([.. train, .. extra]);

        // Then its step was finite (the epoch line gives its loss), and the epoch's evaluation
        // ends the run
        Assert.Matches(@"epoch 1/1  loss 2\.\d{4}  ", result.Out);
        Assert.Equal(
            "error: training diverged: the network after epoch 1 gives a mean loss of NaN on "
            + $"the {set} images (its outputs there, or the loss computed from them, are not "
            + "finite), although every step's loss was finite" + Hint,
            result.AssertOneErrorLine(1));
        Assert.Equal("old bytes", File.ReadAllText(model));
        Assert.Equal(["m.json"], dir.Files);
    }

    [Fact]
    public void Finite_held_out_losses_are_no_problem_and_a_validation_overflow_comes_first()
    {
        var finite = Metrics(validation: 0.5, test: 0.25);
        var both = Metrics(validation: double.PositiveInfinity, test: double.NaN);
        var testOnly = Metrics(validation: null, test: double.PositiveInfinity);

        Assert.Null(TrainingLoop.HeldOutProblem(finite));
        Assert.Equal(
            "the network after epoch 3 gives a mean loss of Infinity on the validation images "
            + "(its outputs there, or the loss computed from them, are not finite), although "
            + "every step's loss was finite",
            TrainingLoop.HeldOutProblem(both));
        Assert.Equal(
            "the network after epoch 3 gives a mean loss of Infinity on the test images (its "
            + "outputs there, or the loss computed from them, are not finite), although every "
            + "step's loss was finite",
            TrainingLoop.HeldOutProblem(testOnly));
    }

    private static EpochMetrics Metrics(double? validation, double test) =>
        new(3, 0.1, 0.1, 1.0, 0.5, validation, validation is null ? null : 0.5,
            validation is null ? null : 50, validation is null ? null : 100, test, 0.5, 500,
            1000);
}
