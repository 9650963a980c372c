using System;
using System.Globalization;
using System.Linq;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// A second, deliberately plain implementation of the loss of a network: loops over arrays and
/// the textbook formulas, sharing no code with the library. It reads a network's parameters
/// from one flat array, so that a finite-difference routine can differentiate it.
/// </summary>
/// <remarks>
/// The flat order is the one GradientCheck reports: layer by layer, W row by row, then b.
/// </remarks>
public static class ReferenceModel
{
    /// <summary>θ, the parameters of <paramref name="network"/> flattened.</summary>
    public static double[] Flatten(Network<double> network) =>
        network.Layers.SelectMany(l => l.Weights.ToRowMajorArray().Concat(l.Bias)).ToArray();

    /// <summary>
    /// A gradient flattened in the same order as <see cref="Flatten(Network{double})"/>.
    /// </summary>
    public static double[] Flatten(Gradient<double> gradient) =>
        gradient.Layers.SelectMany(l => l.Weights.ToRowMajorArray().Concat(l.Bias)).ToArray();

    /// <summary>
    /// L(θ): the mean loss over the columns of <paramref name="x"/> of a network with the sizes
    /// and activations of <paramref name="shape"/> and the parameters θ.
    /// </summary>
    public static double Loss(
        Network<double> shape, double[] θ, Matrix<double> x, Matrix<double> y, Loss loss) =>
        Evaluate(shape, θ, x, y, loss).Loss;

    /// <summary>
    /// L(θ) as <see cref="Loss"/>, and the side of the kink (Σ &gt; 0 or not) of every weighted
    /// input of every ReLU or leaky-ReLU layer, sample by sample.
    /// </summary>
    public static (double Loss, string Sides) Evaluate(
        Network<double> shape, double[] θ, Matrix<double> x, Matrix<double> y, Loss loss)
    {
        var total = 0.0;
        var sides = new StringBuilder();
        for (var k = 0; k < x.ColumnCount; k++)
        {
            var a = x.Column(k).ToArray();
            var z = a;
            var offset = 0;
            foreach (var layer in shape.Layers)
            {
                (z, offset) = Affine(θ, offset, layer.OutputSize, a);
                a = Activate(layer.Activation, z);
                if (!layer.Activation.Kinks.IsEmpty)
                {
                    sides.Append(z.Select(v => v > 0 ? '+' : '-').ToArray());
                }
            }

            total += Sample(loss, shape.OutputActivation, z, a, y.Column(k).ToArray());
        }

        return (total / x.ColumnCount, sides.ToString());
    }

    // Σᵢ = Σⱼ Wᵢⱼ aⱼ + bᵢ, reading W (row by row) then b from θ at offset.
    private static (double[] Z, int Next) Affine(double[] θ, int offset, int rows, double[] a)
    {
        var z = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < a.Length; j++)
            {
                z[i] += θ[offset + (i * a.Length) + j] * a[j];
            }
        }

        var bias = offset + (rows * a.Length);
        for (var i = 0; i < rows; i++)
        {
            z[i] += θ[bias + i];
        }

        return (z, bias + rows);
    }

    private static double[] Activate(Activation f, double[] z)
    {
        if (f == Activation.Softmax)
        {
            var max = z.Max();
            var e = z.Select(v => Math.Exp(v - max)).ToArray();
            var sum = e.Sum();
            return e.Select(v => v / sum).ToArray();
        }

        return z.Select(v => Elementwise(f, v)).ToArray();
    }

    private static double Elementwise(Activation f, double z) => f.Name switch
    {
        "identity" => z,
        "sigmoid" => 1.0 / (1.0 + Math.Exp(-z)),
        "tanh" => Math.Tanh(z),
        "relu" => z > 0 ? z : 0.0,
        "softplus" => z > 30 ? z + Math.Exp(-z) : Math.Log(1.0 + Math.Exp(z)),
        var name when name.StartsWith("leaky-relu:", StringComparison.Ordinal) =>
            z > 0 ? z : Slope(name) * z,
        var name => throw new ArgumentException($"no reference for activation {name}"),
    };

    private static double Slope(string name) =>
        double.Parse(name["leaky-relu:".Length..], CultureInfo.InvariantCulture);

    private static double Sample(Loss loss, Activation output, double[] z, double[] o, double[] y)
    {
        var ℓ = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            ℓ += loss.Name switch
            {
                "quadratic" => 0.5 * (o[i] - y[i]) * (o[i] - y[i]),

                // After a sigmoid, 1 − σ(z) is taken as σ(−z) so that it does not cancel.
                "binary-cross-entropy" when output == Activation.Sigmoid =>
                    -((y[i] * Math.Log(1.0 / (1.0 + Math.Exp(-z[i]))))
                        + ((1.0 - y[i]) * Math.Log(1.0 / (1.0 + Math.Exp(z[i]))))),
                "binary-cross-entropy" =>
                    -((y[i] * Math.Log(o[i])) + ((1.0 - y[i]) * Math.Log(1.0 - o[i]))),
                "cross-entropy" => -y[i] * Math.Log(o[i]),
                "softmax-cross-entropy" => -y[i] * LogSoftmax(z, i),
                var name => throw new ArgumentException($"no reference for loss {name}"),
            };
        }

        return ℓ;
    }

    // ln softmax(z)ᵢ = zᵢ − max − ln Σⱼ e^(zⱼ − max).
    private static double LogSoftmax(double[] z, int i)
    {
        var max = z.Max();
        return z[i] - max - Math.Log(z.Sum(v => Math.Exp(v - max)));
    }
}
