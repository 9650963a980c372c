using System.Linq;
using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// The three sets a training run uses: the images it trains on, the images it holds out of the
/// training set to validate on (when --validation asks for some), and the test set.
/// </summary>
/// <param name="Train">The images the run trains on.</param>
/// <param name="Validation">The held-out training images, or null without --validation.</param>
/// <param name="Test">The test images.</param>
internal sealed record TrainingSets(ImageSet Train, ImageSet? Validation, ImageSet Test)
{
    /// <summary>
    /// The sets for <paramref name="data"/>: the last <paramref name="validation"/> images of a
    /// permutation of the training set drawn from <paramref name="seed"/> are held out, the
    /// rest trained on. The split ignores the classes, and each part keeps the images in the
    /// order of the file. With <paramref name="validation"/> 0 nothing is held out.
    /// </summary>
    /// <remarks>
    /// The permutation is the one <see cref="Training.ShuffleSeed"/> gives for epoch 0, an
    /// epoch that training never uses, so the split depends on the seed alone.
    /// </remarks>
    /// <param name="data">The data set.</param>
    /// <param name="validation">N, in [0, n) for n training images.</param>
    /// <param name="seed">The run's seed.</param>
    public static TrainingSets Split(DataSplit data, int validation, ulong seed)
    {
        if (validation == 0)
        {
            return new(data.Train, null, data.Test);
        }

        var n = data.Train.Count;
        var (permutation, _) = Rng.FromSeed(Training.ShuffleSeed(seed, 0)).NextPermutation(n);
        var order = permutation.ToArray();
        var kept = order[..(n - validation)];
        var held = order[(n - validation)..];
        return new(
            data.Train.Take(kept.Order()),
            data.Train.Take(held.Order()),
            data.Test);
    }
}
