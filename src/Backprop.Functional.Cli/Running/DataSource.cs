using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>Loads the data a command works on, and hands image sets to the core.</summary>
internal static class DataSource
{
    /// <summary>The images evaluated at once: enough for fast products, little memory.</summary>
    public const int EvaluationBatchSize = 1000;

    /// <summary>
    /// The data in <paramref name="directory"/>, or the embedded sample when it is null; a
    /// <see cref="CommandFailure"/> (exit code 1) naming the problem when it cannot be read.
    /// </summary>
    public static DataSplit Load(string? directory) =>
        (directory is null ? DataSets.Embedded() : DataSets.FromDirectory(directory)).OrFail();

    /// <summary>
    /// As <see cref="Load"/>, but only the test set: the training files are neither looked for
    /// nor read, for the commands that measure or classify a model.
    /// </summary>
    public static TestData LoadTest(string? directory) =>
        (directory is null ? DataSets.EmbeddedTest() : DataSets.TestFromDirectory(directory))
        .OrFail();

    /// <summary>
    /// The core's view of <paramref name="set"/>: a size and batches by index, written into
    /// buffers that are reused (see <see cref="BatchBuffers{T}"/>), for one training run or one
    /// evaluation; the next batch is converted on the core's helper thread while a step
    /// computes.
    /// </summary>
    public static TrainingData<T> Batches<T>(ImageSet set)
        where T : struct, IFloatingPointIeee754<T>
    {
        var buffers = new BatchBuffers<T>(set);
        return new(set.Count, indices => buffers.Batch(indices.ToArray()))
        {
            Upcoming = indices => buffers.Prepare(indices.ToArray()),
        };
    }

    /// <summary>
    /// The mean loss, accuracy and confusion matrix of <paramref name="network"/> on every
    /// image of <paramref name="set"/>, in batches of <see cref="EvaluationBatchSize"/>.
    /// </summary>
    public static Evaluation Evaluate<T>(Network<T> network, ImageSet set, Loss loss)
        where T : struct, IFloatingPointIeee754<T> =>
        Metrics.Evaluate(network, Batches<T>(set), loss, EvaluationBatchSize);
}
