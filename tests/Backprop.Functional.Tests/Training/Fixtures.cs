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

    /// <summary>
    /// Asserts that <paramref name="actual"/> is the SGD step from <paramref name="before"/>
    /// along <paramref name="gradient"/> as a run takes it: every bias the bits of
    /// <see cref="Sgd.Update{T}"/>, every weight within 4·u·(|W| + η·|∂W|) of Update's, u the
    /// unit roundoff of T (<see cref="SgdStepMismatch{T}"/>).
    /// </summary>
    public static void SameSgdStep<T>(
        Network<T> before, Gradient<T> gradient, T η, Network<T> actual, string what)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var mismatch = SgdStepMismatch(before, gradient, η, actual);
        Assert.True(mismatch is null, $"{what}: {mismatch}");
    }

    /// <summary>
    /// Where <paramref name="actual"/> is not the SGD step of <see cref="SameSgdStep{T}"/>, or
    /// null if it is.
    /// </summary>
    /// <remarks>
    /// With plain SGD on OpenBLAS a run writes W + (−η)·δ·Xᵀ in the gradient product: the BLAS
    /// may round α·acc + W once (a fused multiply-add) where Update rounds −η·∂W and then the
    /// sum. Both start from the same acc, bit for bit ∂W, while the BLAS sums each dot product
    /// in one block (batches of up to 32 in these tests; it blocks above 256). Each rounding is
    /// within u·(|W| + η·|acc|)·(1 + u) of the exact W − η·acc, three of them in all, so the
    /// two results are within 4·u·(|W| + η·|∂W|); a wrong η, W or product misses by far more.
    /// Biases take the same step in both. Values are compared in float64, to which float32
    /// widens exactly.
    /// </remarks>
    public static string? SgdStepMismatch<T>(
        Network<T> before, Gradient<T> gradient, T η, Network<T> actual)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!before.Sizes.SequenceEqual(actual.Sizes))
        {
            return $"sizes {string.Join("-", actual.Sizes)}, not {string.Join("-", before.Sizes)}";
        }

        var expected = before.Update(gradient, η);
        var u = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        var rate = double.CreateTruncating(η);
        foreach (var l in Enumerable.Range(0, before.Layers.Count))
        {
            var w = Wide(before.Layers[l].Weights.ToColumnMajorArray());
            var g = Wide(gradient.Layers[l].Weights.ToColumnMajorArray());
            var e = Wide(expected.Layers[l].Weights.ToColumnMajorArray());
            var a = Wide(actual.Layers[l].Weights.ToColumnMajorArray());
            var bound = w.Zip(g, (wi, gi) => 4 * u * (Math.Abs(wi) + (rate * Math.Abs(gi))));
            var far = bound.Select((b, i) => Math.Abs(a[i] - e[i]) <= b ? -1 : i)
                .FirstOrDefault(i => i >= 0, -1);
            if (far >= 0)
            {
                return $"layer {l + 1}, weight {far}: {Show(a, far)}, Update gives "
                    + $"{Show(e, far)} (W {Show(w, far)}, ∂W {Show(g, far)}, η {rate:R})";
            }

            var eb = Wide(expected.Layers[l].Bias.ToArray());
            var ab = Wide(actual.Layers[l].Bias.ToArray());
            var differs = Enumerable.Range(0, eb.Length).FirstOrDefault(
                i => BitConverter.DoubleToInt64Bits(eb[i]) != BitConverter.DoubleToInt64Bits(ab[i]),
                -1);
            if (differs >= 0)
            {
                return $"layer {l + 1}, bias {differs}: {Show(ab, differs)}, Update gives "
                    + $"{Show(eb, differs)}";
            }
        }

        return null;
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

    private static double[] Wide<T>(T[] values)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        values.Select(double.CreateTruncating).ToArray();

    private static string Show(double[] values, int i) =>
        i < 0
            ? string.Empty
            : values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
