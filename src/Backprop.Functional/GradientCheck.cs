using System;
using System.Globalization;
using System.Linq;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>Which kind of parameter a <see cref="ParameterCheck"/> is about.</summary>
public enum ParameterKind
{
    /// <summary>An entry W[row, column] of a weight matrix.</summary>
    Weight,

    /// <summary>An entry b[row] of a bias vector (column 0).</summary>
    Bias,
}

/// <summary>
/// What a gradient check concluded: see <see cref="GradientCheckReport.Verdict"/>.
/// </summary>
public enum GradientCheckVerdict
{
    /// <summary>
    /// Every counted parameter agrees, and every layer has a derivative that finite differences
    /// resolve: one above the rounding noise.
    /// </summary>
    Passed,

    /// <summary>
    /// Some counted parameter disagrees: a relative error above the tolerance with an absolute
    /// error above the rounding noise, or a NaN derivative.
    /// </summary>
    Failed,

    /// <summary>
    /// Some counted parameter's numeric derivative or rounding noise is not finite: the loss
    /// overflows (or is NaN) within the stencil, so finite differences check nothing.
    /// </summary>
    NotFinite,

    /// <summary>
    /// None of some layer's counted derivatives rises above the rounding noise
    /// (<see cref="GradientCheckReport.UnresolvedLayers"/>): the loss is too large, or those
    /// derivatives too small (all exactly 0 included), for finite differences.
    /// </summary>
    BelowNoise,
}

/// <summary>
/// The analytic and numeric derivative of the loss with respect to one parameter.
/// </summary>
/// <param name="Layer">The layer, 0 for the first (input side).</param>
/// <param name="Kind">Weight or bias.</param>
/// <param name="Row">The row of W, or the index into b.</param>
/// <param name="Column">The column of W; 0 for a bias.</param>
/// <param name="Value">θ, the parameter's value.</param>
/// <param name="Step">h, the finite-difference step used for it.</param>
/// <param name="Analytic">∂L/∂θ from Backward.</param>
/// <param name="Numeric">∂L/∂θ from central differences.</param>
/// <param name="AbsoluteError">|analytic − numeric|.</param>
/// <param name="RelativeError">|a − n| / max(|a|, |n|, floor); NaN whenever either is NaN.</param>
/// <param name="NearKink">Whether a step of up to ±2h moved some Σ across a kink (ReLU's 0), an
/// output across a probability clamp, or some Σ through a smooth activation's bend by more than
/// its width (a softmax's largest logits tying, σ's 0, at weights so large that the bend acts as
/// a kink); such a parameter's numeric derivative is not meaningful and it is not counted as a
/// failure.</param>
/// <param name="Noise">What rounding in the loss can put into the numeric derivative, about
/// 33·ε·max(1, |L|, |Σ_L|)/h: an absolute error below it is no evidence against Backward.</param>
public sealed record ParameterCheck(
    int Layer,
    ParameterKind Kind,
    int Row,
    int Column,
    double Value,
    double Step,
    double Analytic,
    double Numeric,
    double AbsoluteError,
    double RelativeError,
    bool NearKink,
    double Noise)
{
    /// <summary>
    /// Whether the two derivatives agree: the relative error is within
    /// <paramref name="tolerance"/>, or the absolute error is below the rounding
    /// <see cref="Noise"/>. Never true when either derivative is NaN.
    /// </summary>
    public bool Agrees(double tolerance) =>
        !double.IsNaN(RelativeError) && (RelativeError <= tolerance || AbsoluteError <= Noise);

    /// <summary>
    /// Whether the two derivatives agree only because the absolute error is below the rounding
    /// <see cref="Noise"/>: <see cref="Agrees"/>, with a relative error above
    /// <paramref name="tolerance"/>. Such a parameter is not judged by its relative error.
    /// </summary>
    public bool AgreesOnlyWithinNoise(double tolerance) =>
        Agrees(tolerance) && RelativeError > tolerance;

    // Whether finite differences resolve this derivative: both are finite and one of them is
    // larger than what rounding alone can put into the numeric one.
    internal bool AboveNoise =>
        double.IsFinite(Numeric) && double.IsFinite(Noise)
        && (Math.Abs(Analytic) > Noise || Math.Abs(Numeric) > Noise);
}

/// <summary>Settings of <see cref="GradientCheck.Run"/>.</summary>
/// <param name="RelativeStep">h = RelativeStep·max(1, |θ|) per parameter. Defaults to 1e-3:
/// rounding then adds about 1e-13·|L| to the estimate and the h⁶ truncation is far smaller.</param>
/// <param name="Floor">The least denominator of the relative error, so that derivatives smaller
/// than the stencil can resolve are compared absolutely. Defaults to 1e-6.</param>
/// <param name="Tolerance">The largest relative error that passes. Defaults to 1e-6.</param>
/// <param name="MaxParameters">Check at most this many parameters, a seeded sample when the
/// network has more. Defaults to all.</param>
/// <param name="Seed">The seed of that sample. Defaults to 0.</param>
public sealed record GradientCheckOptions(
    double RelativeStep = 1e-3,
    double Floor = 1e-6,
    double Tolerance = 1e-6,
    int MaxParameters = int.MaxValue,
    ulong Seed = 0)
{
    /// <summary>The defaults.</summary>
    public static GradientCheckOptions Default { get; } = new();
}

/// <summary>
/// The outcome of a gradient check: one <see cref="ParameterCheck"/> per parameter checked.
/// </summary>
/// <param name="Parameters">The parameters checked, in layer order, W row by row, then b.</param>
/// <param name="Tolerance">The relative error that passes.</param>
public sealed record GradientCheckReport(Seq<ParameterCheck> Parameters, double Tolerance)
{
    /// <summary>The parameters that count: those not flagged as near a kink.</summary>
    public Seq<ParameterCheck> Counted => Parameters.Filter(p => !p.NearKink);

    /// <summary>The number of parameters flagged as near a kink.</summary>
    public int NearKinkCount => Parameters.Count(p => p.NearKink);

    /// <summary>
    /// The worst relative error among counted parameters: NaN if any is NaN, 0 if none counts.
    /// This includes those that agree only within the rounding noise (<see cref="WithinNoise"/>),
    /// whose relative error may be up to 1; see <see cref="WorstJudgedRelativeError"/>.
    /// </summary>
    public double WorstRelativeError => WorstOf(Counted);

    /// <summary>
    /// The counted parameters that agree only because their absolute error is below the
    /// rounding noise (<see cref="ParameterCheck.AgreesOnlyWithinNoise"/>), not by their
    /// relative error.
    /// </summary>
    public Seq<ParameterCheck> WithinNoise =>
        Counted.Filter(p => p.AgreesOnlyWithinNoise(Tolerance));

    /// <summary>
    /// The worst relative error among the counted parameters judged by it, that is all but
    /// <see cref="WithinNoise"/>: NaN if any is NaN, 0 if there are none.
    /// </summary>
    public double WorstJudgedRelativeError =>
        WorstOf(Counted.Filter(p => !p.AgreesOnlyWithinNoise(Tolerance)));

    /// <summary>
    /// The layers (0 for the first) that finite differences could not check: none of their
    /// counted derivatives, analytic or numeric, rises above the rounding noise, and none is a
    /// non-zero derivative that the numeric one matches within the tolerance (the noise is an
    /// upper bound: rounding that large could not land within it of a non-zero derivative, as
    /// with weights of 10¹⁹, where the output layer's derivatives agreed to 1e-7 under a noise
    /// bound of 10²⁸). That includes a layer whose derivatives are all exactly 0, where the loss
    /// is flat in every parameter checked: a Backward that returned zeros there would agree as
    /// well.
    /// </summary>
    public Seq<int> UnresolvedLayers =>
        toSeq(Counted.GroupBy(p => p.Layer).OrderBy(layer => layer.Key)
            .Where(layer => !layer.Any(p => p.AboveNoise
                || (p.Analytic != 0 && p.Numeric != 0 && p.RelativeError <= Tolerance)))
            .Select(layer => layer.Key)
            .ToArray());

    /// <summary>
    /// What the check concluded, in this order: <see cref="GradientCheckVerdict.NotFinite"/>
    /// when a counted parameter's numeric derivative or rounding noise is not finite,
    /// <see cref="GradientCheckVerdict.Failed"/> when one does not agree,
    /// <see cref="GradientCheckVerdict.BelowNoise"/> when <see cref="UnresolvedLayers"/> is not
    /// empty, else <see cref="GradientCheckVerdict.Passed"/>. Unlike <see cref="Passed"/>, it
    /// does not call a check passed when rounding noise swamps what it compares.
    /// </summary>
    public GradientCheckVerdict Verdict =>
        Counted.Exists(p => !double.IsFinite(p.Numeric) || !double.IsFinite(p.Noise))
            ? GradientCheckVerdict.NotFinite
            : !Passed
                ? GradientCheckVerdict.Failed
                : !UnresolvedLayers.IsEmpty
                    ? GradientCheckVerdict.BelowNoise
                    : GradientCheckVerdict.Passed;

    /// <summary>
    /// The counted parameter that disagrees worst (a NaN one first), or, when all agree, the
    /// one with the largest relative error.
    /// </summary>
    public Option<ParameterCheck> Worst =>
        Counted.Find(p => double.IsNaN(p.RelativeError))
        || Counted.Filter(p => !p.Agrees(Tolerance)).OrderByDescending(p => p.RelativeError)
            .HeadOrNone()
        || Counted.OrderByDescending(p => p.RelativeError).HeadOrNone();

    /// <summary>The worst relative error of each layer's counted parameters, by layer.</summary>
    public Seq<(int Layer, double WorstRelativeError)> WorstByLayer =>
        toSeq(Parameters.Map(p => p.Layer).Distinct().OrderBy(l => l)
            .Select(l => (l, WorstOf(Counted.Filter(p => p.Layer == l)))).ToArray());

    /// <summary>
    /// Whether every counted parameter agrees (<see cref="ParameterCheck.Agrees"/>); false if
    /// any derivative is NaN. True also when some agree only within a rounding noise larger
    /// than their derivatives; <see cref="Verdict"/> tells those checks apart.
    /// </summary>
    public bool Passed => Counted.ForAll(p => p.Agrees(Tolerance));

    private static double WorstOf(Seq<ParameterCheck> checks) =>
        checks.Exists(p => double.IsNaN(p.RelativeError))
            ? double.NaN
            : checks.Fold(0.0, (worst, p) => Math.Max(worst, p.RelativeError));
}

/// <summary>
/// Compares Backward with finite differences of the loss, parameter by parameter.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Checks ∂L/∂θ from Backward against central differences for every parameter θ (or a
    /// seeded sample of <see cref="GradientCheckOptions.MaxParameters"/>), in float64: the
    /// fourth-order stencil D(h) = (8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))) / 12h at h and
    /// at h/2, combined by Richardson extrapolation into (16·D(h/2) − D(h)) / 15, of order h⁶.
    /// A loss that is the same bits at every point of the stencil gives 0 exactly.
    /// </summary>
    /// <remarks>
    /// The step is chosen per parameter from its magnitude. A parameter whose ±2h perturbation
    /// moves a weighted input Σ across an activation's kink (ReLU and leaky ReLU at 0) is
    /// flagged <see cref="ParameterCheck.NearKink"/>, as is one that moves an output across the
    /// probability clamp of an unfused cross-entropy: the loss is not differentiable there and
    /// the finite difference means nothing, so it is reported but not counted. So is one whose
    /// perturbation moves a Σ of a sigmoid, tanh or softplus layer through 0, or the gap between
    /// the two largest Σ of a softmax column through a tie, by more than 1/4 while coming within
    /// 37 of it: these activations bend over a width of about 1, so under such moves (weights
    /// so large that a step of h is far more than 1 in Σ) they and the fused losses after them
    /// act as the kinks of their limits (a step, max(Σ, 0), max(Σ)); smaller moves are smooth
    /// and checked. The relative error is
    /// |a − n| / max(|a|, |n|, <see cref="GradientCheckOptions.Floor"/>), never 0/0.
    /// A parameter agrees (<see cref="ParameterCheck.Agrees"/>) when that is within the
    /// tolerance or when |a − n| is below the rounding noise of the stencil, about
    /// 33·ε·max(1, |L|, |Σ_L|)/h (near 7e-12 for h = 1e-3): finite differences cannot resolve
    /// a derivative more finely than that. A NaN in either derivative never agrees. When that
    /// noise swamps a whole layer's derivatives, or the loss is not finite within the stencil,
    /// the check cannot say anything: see <see cref="GradientCheckReport.Verdict"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The network has more than
    /// <see cref="int.MaxValue"/> parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range: the
    /// relative step, the floor and the tolerance must be finite and &gt; 0, and
    /// MaxParameters at least 1.</exception>
    public static GradientCheckReport Run(
        Network<double> network,
        Matrix<double> inputs,
        Matrix<double> targets,
        Loss loss,
        GradientCheckOptions? options = null)
    {
        var o = options ?? GradientCheckOptions.Default;
        Validate(o);
        var baseTrace = network.Forward(inputs);
        var analytic = network.Backward(baseTrace, targets, loss);
        var count = network.Layers.Sum(l => (long)l.OutputSize * (l.InputSize + 1));
        if (count > int.MaxValue)
        {
            throw new ArgumentException(
                $"the network has {count} parameters, more than the check can index "
                + $"({int.MaxValue})",
                nameof(network));
        }

        var scale = Math.Max(1.0, baseTrace.OutputLayer.WeightedInput.Enumerate().Max(Math.Abs));
        var indices = count <= o.MaxParameters
            ? Enumerable.Range(0, (int)count)
            : Rng.FromSeed(o.Seed).NextSample((int)count, o.MaxParameters).Indices.OrderBy(i => i);
        var chosen = toSeq(indices.Select(i => Locate(network, i)).ToArray());

        var checks = chosen.Map(p =>
        {
            var (layer, kind, row, column) = p;
            var θ = kind == ParameterKind.Weight
                ? network.Layers[layer].Weights[row, column]
                : network.Layers[layer].Bias[row];
            var h = o.RelativeStep * Math.Max(1.0, Math.Abs(θ));
            var traces = Offsets.Map(k => With(network, p, θ + (k * h)).Forward(inputs)).Strict();
            var L = traces.Map(t => loss.Value(t.OutputLayer, targets)).ToArray();
            var numeric = Richardson(L, h);
            var a = kind == ParameterKind.Weight
                ? analytic.Layers[layer].Weights[row, column]
                : analytic.Layers[layer].Bias[row];
            var abs = Math.Abs(a - numeric);

            // What rounding in L alone can explain: each L is good to about 10 ulps of the
            // terms it is computed from, at least 1 and at least the output logits (lse(Σ) − Σᵢ
            // is small when both terms are large), and the stencil multiplies that by about
            // 3.3/h. A disagreement below that noise is no evidence against Backward.
            var noise = 33.0 * Epsilon * Math.Max(scale, L.Max(Math.Abs)) / h;
            var rel = double.IsNaN(a) || double.IsNaN(numeric)
                ? double.NaN
                : abs / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), o.Floor);
            var nearKink = traces.Exists(t =>
                CrossesKink(baseTrace, t)
                || CrossesClamp(loss, baseTrace, t)
                || Bends.Straddled(baseTrace, t));
            return new ParameterCheck(
                layer, kind, row, column, θ, h, a, numeric, abs, rel, nearKink, noise);
        });
        return new GradientCheckReport(checks.Strict(), o.Tolerance);
    }

    private const double Epsilon = 2.220446049250313e-16; // 2⁻⁵², float64's spacing at 1

    private static void Validate(GradientCheckOptions o)
    {
        Positive(o.RelativeStep, nameof(o.RelativeStep));
        Positive(o.Floor, nameof(o.Floor));
        Positive(o.Tolerance, nameof(o.Tolerance));
        if (o.MaxParameters < 1)
        {
            throw new ArgumentOutOfRangeException(
                "options", $"MaxParameters must be at least 1, got {o.MaxParameters}");
        }

        static void Positive(double x, string name)
        {
            if (!(double.IsFinite(x) && x > 0))
            {
                var shown = x.ToString(CultureInfo.InvariantCulture);
                throw new ArgumentOutOfRangeException(
                    "options", $"{name} must be finite and > 0, got {shown}");
            }
        }
    }

    // ±2h, ±h and ±h/2: the fourth-order stencils at h and h/2 share ±h.
    private static readonly Seq<double> Offsets = Seq(2.0, 1.0, 0.5, -0.5, -1.0, -2.0);

    // D(h) = (8(L(+h) − L(−h)) − (L(+2h) − L(−2h))) / 12h has error O(h⁴); combining D(h)
    // and D(h/2) as (16·D(h/2) − D(h)) / 15 cancels the h⁴ term, leaving O(h⁶). The symmetric
    // differences come first: each is exact when its two losses are within a factor of 2
    // (Sterbenz), and 0 when they are equal, so a loss that does not change with θ gives 0,
    // not the residue of adding −L + 8L − 8L + L in turn (about ε·|L|/h).
    private static double Richardson(double[] L, double h)
    {
        var (p2, p1, pHalf, mHalf, m1, m2) = (L[0], L[1], L[2], L[3], L[4], L[5]);
        var (d2, d1, dHalf) = (p2 - m2, p1 - m1, pHalf - mHalf);
        var atH = ((8.0 * d1) - d2) / (12.0 * h);
        var atHalf = ((8.0 * dHalf) - d1) / (6.0 * h);
        return ((16.0 * atHalf) - atH) / 15.0;
    }

    // The index-th parameter in layer order, W row by row, then b, found without listing the
    // others, so that a seeded sample of a large network costs no memory per parameter.
    private static (int Layer, ParameterKind Kind, int Row, int Column) Locate(
        Network<double> network, int index)
    {
        var l = 0;
        foreach (var layer in network.Layers)
        {
            var weights = (long)layer.OutputSize * layer.InputSize;
            if (index < weights)
            {
                return (l, ParameterKind.Weight, index / layer.InputSize, index % layer.InputSize);
            }

            if (index < weights + layer.OutputSize)
            {
                return (l, ParameterKind.Bias, (int)(index - weights), 0);
            }

            index -= (int)(weights + layer.OutputSize);
            l++;
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, "past the last parameter");
    }

    private static Network<double> With(
        Network<double> network,
        (int Layer, ParameterKind Kind, int Row, int Column) p,
        double value)
    {
        var layers = network.Layers.Indexed().Map(item =>
        {
            var (layer, l) = item;
            if (l != p.Layer)
            {
                return layer;
            }

            var w = layer.Weights.Clone();
            var b = layer.Bias.Clone();
            if (p.Kind == ParameterKind.Weight)
            {
                w[p.Row, p.Column] = value;
            }
            else
            {
                b[p.Row] = value;
            }

            return new Layer<double>(w, b, layer.Activation);
        });
        return new Network<double>(layers.Strict());
    }

    private static bool CrossesClamp(Loss loss, Trace<double> baseline, Trace<double> perturbed) =>
        loss.OutputKinks(baseline.OutputLayer.Activation).Exists(kink =>
            Crosses(Dense.Values(baseline.Output), Dense.Values(perturbed.Output), kink));

    private static bool Crosses(double[] before, double[] after, double kink)
    {
        for (var i = 0; i < before.Length; i++)
        {
            if (Math.Sign(before[i] - kink) != Math.Sign(after[i] - kink) || before[i] == kink)
            {
                return true;
            }
        }

        return false;
    }

    private static bool CrossesKink(Trace<double> baseline, Trace<double> perturbed) =>
        baseline.Layers.Zip(perturbed.Layers).Exists(pair =>
            pair.Item1.Activation.Kinks.Exists(kink => Crosses(
                Dense.Values(pair.Item1.WeightedInput),
                Dense.Values(pair.Item2.WeightedInput),
                kink)));
}
