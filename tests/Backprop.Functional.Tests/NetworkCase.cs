using System.Globalization;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>A network with a batch (X, Y) and a loss that fits its output.</summary>
/// <param name="Network">The network, float64.</param>
/// <param name="Inputs">X, n₀ × m.</param>
/// <param name="Targets">Y, n_L × m, valid for <paramref name="Loss"/>.</param>
/// <param name="Loss">The loss.</param>
public sealed record NetworkCase(
    Network<double> Network, Matrix<double> Inputs, Matrix<double> Targets, Loss Loss)
{
    /// <summary>
    /// The whole case, every number round-trippable, so that a failure can be rebuilt.
    /// </summary>
    public override string ToString()
    {
        var layers = Network.Layers.Map(l =>
            $"  {l}: W = {Row(l.Weights.ToRowMajorArray())}, b = {Row(l.Bias.ToArray())}");
        return string.Join(
            "\n",
            new[] { $"{Network}, {Loss}, batch of {Inputs.ColumnCount}" }
                .Concat(layers)
                .Append($"  X = {Row(Inputs.ToColumnMajorArray())} (column-major)")
                .Append($"  Y = {Row(Targets.ToColumnMajorArray())} (column-major)"));
    }

    private static string Row(double[] values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))
        + "]";
}
