using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Tests;

/// <summary>
/// FsCheck generators for small random networks and batches: 1–4 layers, widths 1–8 (2–8 for a
/// softmax output, since softmax over one unit is the constant 1), every weight, bias and input
/// in [−1, 1], batches of 1–5 samples, and targets valid for the loss.
/// </summary>
/// <remarks>
/// Reals are drawn on a grid of 10⁻⁶ across their range. Hidden layers draw their activation
/// from every elementwise kind; softmax appears only at the output, where a loss fits it.
/// </remarks>
public static class Generators
{
    /// <summary>Grid points per unit length of the generated reals.</summary>
    private const int Steps = 1_000_000;

    /// <summary>
    /// The clamped cross-entropies floor probabilities at <see cref="Loss.ProbabilityFloor"/>;
    /// below it the loss is flat but Backward still pushes, so finite differences and Backward
    /// disagree by design. Cases whose outputs come within this of 0 or 1 are redrawn; the
    /// margin is a thousand times the floor so that a ±2h perturbation cannot reach it either.
    /// </summary>
    private const double SaturationMargin = 1e-9;

    /// <summary>
    /// Binary cross-entropy after a softmax computes ln(1 − o) from o, which multiplies the
    /// rounding of o by 1/(1 − o), and finite differences multiply that noise by 1/h. At
    /// o = 1 − 5e-5 the numeric derivative was off by 2e-9, a relative 2e-6, while Backward
    /// agreed with a 60-digit evaluation to 1e-11. Such cases keep o ≤ 0.99, where the
    /// amplification stays below 100.
    /// </summary>
    private const double ConditioningMargin = 0.01;

    /// <summary>A real in [−1, 1].</summary>
    public static Gen<double> Unit { get; } =
        Gen.Choose(-Steps, Steps).Select(k => (double)k / Steps);

    /// <summary>A real in [0, 1].</summary>
    public static Gen<double> Fraction { get; } =
        Gen.Choose(0, Steps).Select(k => (double)k / Steps);

    /// <summary>Every elementwise activation, leaky ReLU with two slopes.</summary>
    public static Activation[] Elementwise { get; } =
    [
        Activation.Identity,
        Activation.Sigmoid,
        Activation.Tanh,
        Activation.ReLU,
        Activation.LeakyReLU(0.01),
        Activation.LeakyReLU(0.2),
        Activation.Softplus,
    ];

    /// <summary>A hidden layer's activation.</summary>
    public static Gen<Activation> Hidden { get; } = Gen.Elements(Elementwise);

    /// <summary>A rows × columns matrix of values from <paramref name="entries"/>.</summary>
    public static Gen<Matrix<double>> Matrices(int rows, int columns, Gen<double> entries) =>
        entries.ArrayOf(rows * columns).Select(a => Matrix<double>.Build.Dense(rows, columns, a));

    /// <summary>A layer n_in → n_out with weights and biases in [−1, 1].</summary>
    public static Gen<Layer<double>> Layers(int nIn, int nOut, Activation activation) =>
        from w in Matrices(nOut, nIn, Unit)
        from b in Unit.ArrayOf(nOut)
        select Layer.Create(w, Vector<double>.Build.Dense(b), activation);

    /// <summary>
    /// Sizes [n₀, …, n_L] of 1–4 layers, widths 1–8, the output's in [min, max].
    /// </summary>
    public static Gen<int[]> Sizes(int minOutput, int maxOutput) =>
        from depth in Gen.Choose(1, 4)
        from widths in Gen.Choose(1, 8).ArrayOf(depth)
        from output in Gen.Choose(minOutput, maxOutput)
        select widths.Append(output).ToArray();

    /// <summary>A network of the given sizes with random hidden activations.</summary>
    public static Gen<Network<double>> Networks(int[] sizes, Activation output) =>
        Gen.CollectToArray(Enumerable.Range(0, sizes.Length - 1).Select(l =>
                from activation in l == sizes.Length - 2 ? Gen.Constant(output) : Hidden
                from layer in Layers(sizes[l], sizes[l + 1], activation)
                select layer))
            .Select(Network.Create);

    /// <summary>Targets of n × m valid for <paramref name="kind"/>.</summary>
    public static Gen<Matrix<double>> Targets(TargetKind kind, int n, int m) => kind switch
    {
        TargetKind.Any => Matrices(n, m, Unit),
        TargetKind.UnitInterval => Matrices(n, m, Fraction),
        _ => Gen.CollectToArray(Enumerable.Repeat(Distribution(n), m))
            .Select(columns => Matrix<double>.Build.DenseOfColumnArrays(columns)),
    };

    /// <summary>A probability vector of length n: one-hot half the time, else spread out.</summary>
    public static Gen<double[]> Distribution(int n) =>
        Gen.Choose(0, n - 1).Select(k => Enumerable.Range(0, n).Select(i => i == k ? 1.0 : 0.0)
                .ToArray())
            .Or(Gen.Choose(1, Steps).ArrayOf(n).Select(w =>
            {
                var total = w.Sum(x => (double)x);
                return w.Select(x => x / total).ToArray();
            }));

    /// <summary>A network, batch and targets for <paramref name="pairing"/>.</summary>
    public static Gen<NetworkCase> Cases(Pairing pairing)
    {
        var minOutput = pairing.Output == Activation.Softmax ? 2 : 1;
        var cases =
            from sizes in Sizes(minOutput, 8)
            from network in Networks(sizes, pairing.Output)
            from m in Gen.Choose(1, 5)
            from x in Matrices(sizes[0], m, Unit)
            from y in Targets(pairing.Targets, sizes[^1], m)
            select new NetworkCase(network, x, y, pairing.Loss);
        var top = pairing.ComplementsOutput ? ConditioningMargin : SaturationMargin;
        return pairing.Clamps ? cases.Where(c => AwayFromSaturation(c, top)) : cases;
    }

    /// <summary>A case for any pairing.</summary>
    public static Gen<NetworkCase> AnyCase { get; } =
        Gen.Elements(Pairing.All).SelectMany(Cases);

    private static bool AwayFromSaturation(NetworkCase c, double top) =>
        c.Network.Predict(c.Inputs).Enumerate()
            .All(o => o > SaturationMargin && o < 1.0 - top);
}

/// <summary>
/// The generators as FsCheck arbitraries, for <c>[Property(Arbitrary = …)]</c>: a test method
/// that takes a <see cref="NetworkCase"/> gets one for a random pairing.
/// </summary>
public static class NetworkArbitraries
{
    /// <summary>
    /// Cases for every pairing; not shrunk (a smaller network is a different case).
    /// </summary>
    public static Arbitrary<NetworkCase> Cases() => Generators.AnyCase.ToArbitrary();
}
