using System.Collections.Generic;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// A data set as the commands use it: a training set and a test set of the same image size and
/// the same classes, the names of those classes, and a one-line description for logs and
/// model files.
/// </summary>
/// <param name="Train">The training images (the validation split is taken from these).</param>
/// <param name="Test">The held-out test images.</param>
/// <param name="ClassNames">The class names, label 0 first.</param>
/// <param name="Description">Where the data came from and how much there is, on one line.</param>
public sealed record DataSplit(
    ImageSet Train, ImageSet Test, IReadOnlyList<string> ClassNames, string Description);
