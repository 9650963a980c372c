using System.Numerics;
using DoubleMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
using DoubleVector = MathNet.Numerics.LinearAlgebra.Vector<double>;

namespace Backprop.Functional.Cli.Running;

/// <summary>Moves networks between element types.</summary>
internal static class Precisions
{
    /// <summary>
    /// The same network in float64: every weight and bias widened exactly (a float32 value is
    /// also a float64 value), the activations unchanged.
    /// </summary>
    public static Network<double> ToDouble<T>(Network<T> network)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (network is Network<double> same)
        {
            return same;
        }

        var layers = network.Layers.Map(layer => Layer.Create(
            DoubleMatrix.Build.Dense(
                layer.OutputSize,
                layer.InputSize,
                (i, j) => double.CreateChecked(layer.Weights[i, j])),
            DoubleVector.Build.Dense(layer.OutputSize, i => double.CreateChecked(layer.Bias[i])),
            layer.Activation));
        return Network.Create(layers.Strict());
    }
}
