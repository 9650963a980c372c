using System;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests.TrainingTests;

/// <summary>
/// Small networks, in-memory data sets and comparisons shared by the training tests.
/// </summary>
internal static class Fixtures
{
    /// <summary>
    /// The tolerance of the hand-worked traces: values of order 1, a few roundings each.
    /// </summary>
    public const double HandTolerance = 1e-12;

    /// <summary>A rows × columns matrix from its values in column-major order.</summary>
    public static Matrix<double> Matrix(int rows, int columns, params double[] columnMajor) =>
        Matrix<double>.Build.Dense(rows, columns, columnMajor);

    /// <summary>A one-layer identity network out × in, from W (column-major) and b.</summary>
    public static Network<double> Affine(
        int outputs, int inputs, double[] weights, double[] bias) =>
        Network.Create(Layer.Create(
            Matrix(outputs, inputs, weights),
            Vector<double>.Build.Dense(bias),
            Activation.Identity));

    /// <summary>A seeded network of the given sizes with tanh hidden layers.</summary>
    public static Network<double> Seeded(ulong seed, Activation output, params int[] sizes) =>
        Network.Initialize<double>(
            sizes, Activation.Tanh, output, Initialization.GlorotUniform, seed);

    /// <summary>
    /// A training set over the columns of X and Y: the batch for indices k₁ … k_b is the matrix
    /// of those columns, in that order.
    /// </summary>
    public static TrainingData<double> InMemory(Matrix<double> inputs, Matrix<double> targets) =>
        new(inputs.ColumnCount, indices => (Columns(inputs, indices), Columns(targets, indices)));

    /// <summary>The columns of <paramref name="m"/> at <paramref name="indices"/>.</summary>
    public static Matrix<double> Columns(Matrix<double> m, Arr<int> indices) =>
        Matrix<double>.Build.DenseOfColumns(indices.Select(k => m.Column(k)));

    /// <summary>Every weight and bias, layer by layer: W column-major, then b.</summary>
    public static double[] Flat(Network<double> network) =>
        network.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias)).ToArray();

    /// <summary>
    /// Every entry of a gradient, in the order of <see cref="Flat(Network{double})"/>.
    /// </summary>
    public static double[] Flat(Gradient<double> gradient) =>
        gradient.Layers.SelectMany(l => l.Weights.ToColumnMajorArray().Concat(l.Bias)).ToArray();

    /// <summary>
    /// A network with the shapes and activations of <paramref name="like"/> over the parameters
    /// <paramref name="flat"/>, in the order of <see cref="Flat(Network{double})"/>.
    /// </summary>
    public static Network<double> WithParameters(Network<double> like, double[] flat) =>
        Network.Create(Split(like, flat).Select((p, i) =>
            Layer.Create(p.W, p.B, like.Layers[i].Activation)).ToArray());

    /// <summary>
    /// A gradient with the shapes of <paramref name="like"/> over <paramref name="flat"/>.
    /// </summary>
    public static Gradient<double> GradientOf(Network<double> like, double[] flat) =>
        new(Prelude.toSeq(
            Split(like, flat).Select(p => new LayerGradient<double>(p.W, p.B)).ToArray()));

    /// <summary>Asserts that two networks hold the same bits in every parameter.</summary>
    public static void SameBits(Network<double> expected, Network<double> actual, string what)
    {
        Assert.Equal(expected.Sizes, actual.Sizes);
        SameBits(Flat(expected), Flat(actual), what);
    }

    /// <summary>Asserts that two arrays hold the same bits, naming the first that differ.</summary>
    public static void SameBits(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var first = Enumerable.Range(0, expected.Length)
            .FirstOrDefault(i => BitConverter.DoubleToInt64Bits(expected[i])
                != BitConverter.DoubleToInt64Bits(actual[i]), -1);
        Assert.True(
            first < 0,
            $"{what}: entry {first} differs, {Show(expected, first)} vs {Show(actual, first)}");
    }

    /// <summary>Asserts that two optimizer states are the same step, η and buffer bits.</summary>
    public static void SameBits(
        OptimizerState<double> expected, OptimizerState<double> actual, string what)
    {
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(
            BitConverter.DoubleToInt64Bits(expected.LearningRate),
            BitConverter.DoubleToInt64Bits(actual.LearningRate));
        Assert.Equal(expected.Buffers.Map(b => b.Name), actual.Buffers.Map(b => b.Name));
        foreach (var (e, a) in expected.Buffers.Zip(actual.Buffers))
        {
            SameBits(Flat(e.Buffer), Flat(a.Buffer), $"{what}, buffer {e.Name}");
        }
    }

    /// <summary>Asserts |expected − actual| ≤ tolerance, naming the quantity if not.</summary>
    public static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (difference {expected - actual:E3}, "
            + $"tolerance {tolerance:E1})");

    // The flat parameters cut into each layer's W (column-major) and b.
    private static (Matrix<double> W, Vector<double> B)[] Split(Network<double> like, double[] flat)
    {
        Assert.Equal(like.ParameterCount, flat.Length);
        var parts = new (Matrix<double>, Vector<double>)[like.Layers.Count];
        var offset = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var (rows, columns) = (like.Layers[i].OutputSize, like.Layers[i].InputSize);
            var w = Matrix(rows, columns, flat[offset..(offset + (rows * columns))]);
            offset += rows * columns;
            parts[i] = (w, Vector<double>.Build.Dense(flat[offset..(offset + rows)]));
            offset += rows;
        }

        return parts;
    }

    private static string Show(double[] values, int i) =>
        i < 0
            ? string.Empty
            : values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
