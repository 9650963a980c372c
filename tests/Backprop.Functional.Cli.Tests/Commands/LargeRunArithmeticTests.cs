using Backprop.Functional.Cli.Running;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// The arithmetic on --epochs, --batch-size and the step counts holds up to the largest values
/// the options take: nothing overflows into a negative period or an internal error.
/// </summary>
public sealed class LargeRunArithmeticTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(10, 4)]
    [InlineData(2147483645, 715827882)]
    [InlineData(2147483646, 715827882)]
    [InlineData(int.MaxValue, 715827883)]
    public void The_default_decay_period_is_a_third_of_the_epochs_rounded_up(
        int epochs, int every)
    {
        Assert.Equal(every, OptimizerSettings.DefaultDecayEvery(epochs));
    }

    [Theory]
    [InlineData("step", "η = step(0.1 × 0.1 every 1537228672809129301)")]
    [InlineData("exponential", "η = exponential(0.1 × 0.1 per 1537228672809129301)")]
    [InlineData("cosine", "η = cosine(0.1 → 0 over 4611686014132420609)")]
    public void The_schedule_of_the_most_epochs_and_batches_counts_its_steps_in_full(
        string name, string expected)
    {
        // Given the most epochs, and the most batches an epoch (2³¹ − 1 images, batch size 1)
        var schedule = ScheduleKinds.Parse(name)!.Value;
        var decays = schedule != ScheduleKind.Cosine;
        var settings = new OptimizerSettings(
            OptimizerKind.Sgd,
            0.1,
            null,
            null,
            0,
            0,
            null,
            schedule,
            decays ? OptimizerSettings.DefaultDecayFactor : null,
            decays ? OptimizerSettings.DefaultDecayEvery(int.MaxValue) : null,
            int.MaxValue);

        // When the chain is built
        var optimizer = settings.Build(int.MaxValue, int.MaxValue);

        // Then its periods are the products in full (a third of the epochs × the batches)
        Assert.Contains(expected, optimizer.Name, System.StringComparison.Ordinal);
    }
}
