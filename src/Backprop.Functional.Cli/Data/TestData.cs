using System.Collections.Generic;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// The part of a data set that the commands which only measure or classify use: the test set,
/// the names of its classes, and a one-line description that counts only what was read.
/// </summary>
/// <param name="Test">The held-out test images.</param>
/// <param name="ClassNames">The class names, label 0 first.</param>
/// <param name="Description">Where the data came from and how much was read, on one line.</param>
public sealed record TestData(ImageSet Test, IReadOnlyList<string> ClassNames, string Description);
