using System.Collections.Generic;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>Loads the model files that commands read, and checks them against the data.</summary>
internal static class ModelSource
{
    /// <summary>
    /// The model at <paramref name="path"/> in the precision it was saved in; a
    /// <see cref="CommandFailure"/> (exit code 1) naming the file and the problem otherwise.
    /// </summary>
    public static LoadedModel Load(string path) => ModelFile.Load(path).OrFail();

    /// <summary>
    /// The loss the model was trained with, or a failure naming the file when it is unknown.
    /// </summary>
    public static Loss LossOf(ModelInfo info, string path) =>
        Loss.Parse(info.Loss).OrFail(path);

    /// <summary>
    /// Throws a <see cref="CommandFailure"/> (exit code 1) unless the network takes the data's
    /// images as input and has one output per class.
    /// </summary>
    public static void CheckFits<T>(Network<T> network, TestData data, string path)
        where T : struct, IFloatingPointIeee754<T>
    {
        var test = data.Test;
        if (network.InputSize != test.Features)
        {
            throw CommandFailure.Failed(
                $"{path}: the model takes {Plural.Of(network.InputSize, "input")} but the data's "
                + $"images are {test.Rows} × {test.Columns} = {Plural.Of(test.Features, "pixel")}");
        }

        if (network.OutputSize != data.ClassNames.Count)
        {
            throw CommandFailure.Failed(
                $"{path}: the model has {Plural.Of(network.OutputSize, "output")} but the data "
                + $"has {Plural.Of(data.ClassNames.Count, "class", "classes")}");
        }
    }

    /// <summary>
    /// A warning, on <paramref name="error"/>, when the model at <paramref name="path"/> names
    /// its classes otherwise than <paramref name="data"/> does (a model trained on MNIST's
    /// digits, evaluated on Fashion-MNIST): the reports show the data's names, and the
    /// figures mean little. Nothing when the names agree or their counts differ (which
    /// <see cref="CheckFits{T}"/> refuses).
    /// </summary>
    public static void WarnIfClassesDiffer(
        ModelInfo info, TestData data, string path, System.IO.TextWriter error)
    {
        if (ClassDifference(info.ClassNames, data.ClassNames) is { } difference)
        {
            error.WriteLine(Printable.Line(
                $"warning: {path} was trained on other classes than the data's ({difference}); "
                + "the data's names are shown"));
        }
    }

    /// <summary>
    /// The first class that <paramref name="model"/> names otherwise than
    /// <paramref name="data"/>, as "class 0: '0' against 'T-shirt/top'"; null when the names
    /// agree, or when their counts differ (a mismatch of sizes, refused elsewhere).
    /// </summary>
    public static string? ClassDifference(
        IReadOnlyList<string> model, IReadOnlyList<string> data)
    {
        if (model.Count != data.Count)
        {
            return null;
        }

        for (var c = 0; c < model.Count; c++)
        {
            if (model[c] != data[c])
            {
                return $"class {c}: '{model[c]}' against '{data[c]}'";
            }
        }

        return null;
    }

    /// <summary>"784 → 128 → 10 (relu, softmax)": the sizes, then the activations.</summary>
    public static string Describe<T>(Network<T> network)
        where T : struct, IFloatingPointIeee754<T> =>
        $"{string.Join(" → ", network.Sizes)} "
        + $"({string.Join(", ", network.Layers.Map(l => l.Activation.Name))})";
}
