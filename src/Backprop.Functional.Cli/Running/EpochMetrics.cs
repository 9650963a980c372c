namespace Backprop.Functional.Cli.Running;

/// <summary>What one epoch of training did, as printed per line and listed under --json.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingLoss">The mean of the batch losses over the epoch, each weighted by its
/// batch's size: the mean loss per training image, as the network stood when it saw each
/// batch.</param>
/// <param name="TrainingSeconds">Wall-clock seconds spent on the epoch's training steps.</param>
/// <param name="EvaluationSeconds">Wall-clock seconds spent evaluating on the test set after
/// it.</param>
/// <param name="TestLoss">The mean loss on the test set after the epoch.</param>
/// <param name="TestAccuracy">The fraction of test images classified correctly, in [0, 1].</param>
/// <param name="TestCorrect">The number of test images classified correctly.</param>
/// <param name="TestTotal">The number of test images.</param>
internal sealed record EpochMetrics(
    int Epoch,
    double TrainingLoss,
    double TrainingSeconds,
    double EvaluationSeconds,
    double TestLoss,
    double TestAccuracy,
    int TestCorrect,
    int TestTotal);
