using Backprop.Functional.Cli.Running;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A run that diverges says what to try in its one error line: a smaller learning rate, and a
/// smaller --l2 or --weight-decay too when η·λ is above 1, where that decay alone carries each
/// weight past zero every step.
/// </summary>
public sealed class DivergenceHintTests
{
    private const string PastZero = "and above 1 the decay alone carries each weight past zero";

    [Theory]
    [InlineData(
        "--l2|1e3",
        "try a smaller --learning-rate or --l2: η·λ is 100, " + PastZero)]
    [InlineData(
        "--weight-decay|30",
        "try a smaller --learning-rate or --weight-decay: η·λ is 3, " + PastZero)]
    [InlineData(
        "--l2|1e3|--weight-decay|30",
        "try a smaller --learning-rate, --l2 or --weight-decay: η·λ is 100 for --l2 and 3 for "
            + "--weight-decay, " + PastZero)]
    [InlineData(
        "--optimizer|momentum|--l2|500",
        "try a smaller --learning-rate or --l2: η·λ is 5, " + PastZero)]
    public void A_divergence_from_a_large_decay_names_it_in_the_hint(
        string arguments, string hint)
    {
        using var dir = new TempDirectory();

        string[] train = ["train", "--epochs", "1", "--hidden", "8", "--out", dir.File("m.json")];

        var result = Cli.Run([.. train, .. arguments.Split('|')]);

        var line = result.AssertOneErrorLine(1);
        Assert.StartsWith("error: training diverged: ", line);
        Assert.EndsWith($"; no model was written ({hint})", line);
        Assert.Empty(dir.Files);
    }

    [Theory]
    [InlineData("sgd", 0.1, 0.0, 0.0, "try a smaller --learning-rate")]
    [InlineData("sgd", 1e6, 1e-7, 0.0, "try a smaller --learning-rate")]
    [InlineData("sgd", 0.1, 10.0, 0.0, "try a smaller --learning-rate")]
    [InlineData("adam", 0.001, 1e5, 0.0, "try a smaller --learning-rate")]
    [InlineData("rmsprop", 0.001, 1e5, 0.0, "try a smaller --learning-rate")]
    [InlineData(
        "adamw", 0.001, 0.0, 2e3,
        "try a smaller --learning-rate or --weight-decay: η·λ is 2, " + PastZero)]
    [InlineData(
        "nesterov", 0.01, 1e3, 0.0,
        "try a smaller --learning-rate or --l2: η·λ is 10, " + PastZero)]
    public void The_hint_names_a_decay_only_where_eta_times_lambda_is_above_1(
        string optimizer, double η, double l2, double weightDecay, string hint)
    {
        var kind = OptimizerKinds.Parse(optimizer)!.Value;
        var settings = new OptimizerSettings(
            kind,
            η,
            kind.HasMomentum() ? 0.9 : null,
            kind.DefaultBeta2(),
            weightDecay,
            l2,
            null,
            ScheduleKind.Constant,
            null,
            null,
            0);

        Assert.Equal(hint, TrainingLoop.DivergenceHint(settings));
    }
}
