using System;
using System.Globalization;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// What of a float32 model is not finite in float32 on the images of a gradient check, which
/// runs in float64: a model whose weights are finite in float32 can have a Σ or a loss past
/// float32's largest number, 3.4e38, that float64 holds. The check then compares derivatives
/// that the model, in its own precision, never has, and its verdict says nothing of that.
/// </summary>
internal static class Float32Overflow
{
    private static readonly string Largest =
        float.MaxValue.ToString("0.#e+00", CultureInfo.InvariantCulture);

    /// <summary>
    /// The report line that names the first layer whose Σ, or else whose outputs, are not
    /// finite in float32 on <paramref name="inputs"/>, or else the loss, with its largest
    /// magnitude in float64; null when all are finite.
    /// </summary>
    /// <param name="model">The model as saved, in float32.</param>
    /// <param name="widened">The same model in float64, as the check runs it.</param>
    /// <param name="inputs">The check's images, one a column, in float64.</param>
    /// <param name="targets">Their one-hot labels, in float64.</param>
    /// <param name="loss">The model's loss.</param>
    public static string? Find(
        Network<float> model,
        Network<double> widened,
        Matrix<double> inputs,
        Matrix<double> targets,
        Loss loss)
    {
        var narrow = model.Forward(inputs.Map(x => (float)x));
        var wide = widened.Forward(inputs);
        for (var l = 0; l < narrow.Layers.Count; l++)
        {
            var (single, full) = (narrow.Layers[l], wide.Layers[l]);
            if (!AllFinite(single.WeightedInput))
            {
                return Line(
                    $"layer {l + 1}'s Σ is", "its largest magnitude is", full.WeightedInput);
            }

            if (!AllFinite(single.Output))
            {
                return Line(
                    $"layer {l + 1}'s outputs are", "their largest magnitude is", full.Output);
            }
        }

        return float.IsFinite(loss.Value(narrow.OutputLayer, targets.Map(y => (float)y)))
            ? null
            : Line(
                "the loss is",
                "it is",
                Matrix<double>.Build.Dense(1, 1, loss.Value(wide.OutputLayer, targets)));
    }

    private static bool AllFinite(Matrix<float> m) => m.Enumerate().All(float.IsFinite);

    // "float32: layer 2's Σ is not finite in float32, the model's precision, on these images;
    // in float64, where this check runs, its largest magnitude is 3.05e+39 (float32 holds at
    // most 3.4e+38)".
    private static string Line(string what, string magnitude, Matrix<double> wide)
    {
        var largest = wide.Enumerate().Select(Math.Abs).Max()
            .ToString("0.##e+00", CultureInfo.InvariantCulture);
        return $"float32: {what} not finite in float32, the model's precision, on these images; "
            + $"in float64, where this check runs, {magnitude} {largest} (float32 holds at most "
            + $"{Largest})";
    }
}
