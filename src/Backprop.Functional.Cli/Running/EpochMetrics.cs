namespace Backprop.Functional.Cli.Running;

/// <summary>What one epoch of training did, as printed per line and listed under --json.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingLoss">The mean of the batch losses over the epoch, each weighted by its
/// batch's size: the mean loss per training image, as the network stood when it saw each
/// batch.</param>
/// <param name="LearningRate">η of the epoch's last step, as the schedule gave it.</param>
/// <param name="TrainingSeconds">Wall-clock seconds spent on the epoch's training steps.</param>
/// <param name="EvaluationSeconds">Wall-clock seconds spent evaluating on the validation and
/// test sets after it.</param>
/// <param name="ValidationLoss">The mean loss on the validation set after the epoch, or null
/// without one.</param>
/// <param name="ValidationAccuracy">The fraction of validation images classified correctly, or
/// null.</param>
/// <param name="ValidationCorrect">The validation images classified correctly, or null.</param>
/// <param name="ValidationTotal">The validation images, or null.</param>
/// <param name="TestLoss">The mean loss on the test set after the epoch.</param>
/// <param name="TestAccuracy">The fraction of test images classified correctly, in [0, 1].</param>
/// <param name="TestCorrect">The number of test images classified correctly.</param>
/// <param name="TestTotal">The number of test images.</param>
internal sealed record EpochMetrics(
    int Epoch,
    double TrainingLoss,
    double LearningRate,
    double TrainingSeconds,
    double EvaluationSeconds,
    double? ValidationLoss,
    double? ValidationAccuracy,
    int? ValidationCorrect,
    int? ValidationTotal,
    double TestLoss,
    double TestAccuracy,
    int TestCorrect,
    int TestTotal);
