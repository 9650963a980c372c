using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// <c>backprop gradcheck</c>: compares the gradients of backpropagation with finite
/// differences of the loss, in float64, on a few test images, for a saved model or a fresh
/// network, and reports the worst relative error per layer.
/// </summary>
internal static class GradCheckCommand
{
    // The copies of a fresh network's float64 parameters held at once: the network and its
    // gradient, plus, for the largest layer, the draws of Initialize or a perturbed copy.
    private const int Copies = 4;

    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var model = OptionFactory.Model(
            "A model file written by 'backprop train' (float32 models are widened to float64). "
            + "Defaults to a fresh network built from --hidden, --activation, --output, --loss, "
            + "--init and --seed.",
            required: false);
        var data = OptionFactory.TestData();
        var hidden = OptionFactory.Hidden("32");
        var activation = OptionFactory.Activation(
            "--activation", Activation.ReLU, "The hidden layers' activation, for a fresh network.");
        var output = OptionFactory.Activation(
            "--output", Activation.Softmax, "The output layer's activation, for a fresh network.");
        var loss = OptionFactory.Loss(Loss.SoftmaxCrossEntropy);
        var init = OptionFactory.Init();
        var seed = OptionFactory.Seed(
            "The seed of a fresh network's weights, of the test images chosen and of the "
            + "parameters sampled.");
        var samples = OptionFactory.Integer(
            "--samples", 5, "How many test images the loss is computed on.");
        var maxParameters = OptionFactory.Integer(
            "--max-parameters", 1000, "Check at most this many parameters, a seeded sample when "
            + "the network has more.");
        var tolerance = OptionFactory.PositiveNumber(
            "--tolerance",
            GradientCheckOptions.Default.Tolerance,
            "The largest relative error that passes.");
        var json = OptionFactory.Json(
            "Print one JSON object on stdout instead of the report.");
        var command = new Command(
            "gradcheck", "Check backpropagation's gradients against finite differences.")
        {
            model, data, hidden, activation, output, loss, init, seed, samples, maxParameters,
            tolerance, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model);
            var fresh = new Option[] { hidden, activation, output, loss, init }
                .FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
            if (path is not null && fresh is not null)
            {
                throw CommandFailure.Usage(
                    $"{fresh.Name} cannot be used with --model: it describes a fresh network, "
                    + "which --model replaces");
            }

            var split = DataSource.LoadTest(parse.GetValue(data));
            if (parse.GetValue(samples) > split.Test.Count)
            {
                var given = OptionFactory.Typed(parse, samples)
                    ?? parse.GetValue(samples).ToString(CultureInfo.InvariantCulture);
                var images = split.Test.Count.ToString("N0", CultureInfo.InvariantCulture);
                var noun = Plural.Word(split.Test.Count, "image");
                throw CommandFailure.Usage(
                    $"--samples {given} is more than the {images} test {noun} of the data");
            }

            var (network, lossFunction, source, single) = path is null
                ? FreshNetwork(
                    parse, split, hidden, activation, output, loss, init, seed,
                    parse.GetValue(samples))
                : SavedNetwork(path, split);
            var report = Check(
                network,
                single,
                lossFunction,
                source,
                split,
                parse.GetValue(samples),
                new GradientCheckOptions(
                    Tolerance: parse.GetValue(tolerance),
                    MaxParameters: parse.GetValue(maxParameters),
                    Seed: parse.GetValue(seed)));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, report);
            }
            else
            {
                Print(report, context.Out);
            }

            return Outcome(report);
        });
        return command;
    }

    /// <summary>
    /// The exit code of a check that passed; the one error line of one that failed or could
    /// not say, as a <see cref="CommandFailure"/> (exit code 1).
    /// </summary>
    internal static int Outcome(GradCheckReport report) => report.Verdict switch
    {
        GradientCheckVerdict.Passed => ExitCode.Success,
        GradientCheckVerdict.Failed => throw CommandFailure.Failed(
            $"gradient check failed: worst relative error "
            + $"{Scientific(report.WorstRelativeError)} exceeds the tolerance "
            + $"{Scientific(report.Tolerance)}"),
        _ => throw CommandFailure.Failed($"gradient check inconclusive: {report.Reason}"),
    };

    private static (Network<double> Network, Loss Loss, string Source, Network<float>? Single)
        FreshNetwork(
        ParseResult parse,
        TestData data,
        Option<IReadOnlyList<int>> hidden,
        Option<Activation> activation,
        Option<Activation> output,
        Option<Loss> loss,
        Option<Initialization?> init,
        Option<ulong> seed,
        int samples)
    {
        var f = parse.GetRequiredValue(activation);
        var o = parse.GetRequiredValue(output);
        var l = parse.GetRequiredValue(loss);
        l.Accepts(o).IfFail(e => throw CommandFailure.Usage(
            $"--loss {l.Name} cannot follow --output {o.Name}: {e.Message}"));
        var scheme = parse.GetValue(init) ?? InitializationNames.DefaultFor(f);
        int[] sizes =
            [data.Test.Features, .. parse.GetRequiredValue(hidden), data.ClassNames.Count];
        SizeGuard.Check(sizes, sizeof(double), Copies, "check", samples);
        var network = Network.Initialize<double>(sizes, f, o, scheme, parse.GetValue(seed));
        var source = $"a fresh network, {scheme.Name()} init, seed {parse.GetValue(seed)}";
        return (network, l, source, null);
    }

    // A saved model widened to float64, and as saved when that is float32.
    private static (Network<double> Network, Loss Loss, string Source, Network<float>? Single)
        SavedNetwork(string path, TestData data)
    {
        var loaded = ModelSource.Load(path);
        var network = loaded.Match(
            (n, _) => Precisions.ToDouble(n),
            (n, _) => Precisions.ToDouble(n));
        ModelSource.CheckFits(network, data, path);
        var loss = ModelSource.LossOf(loaded.Info, path);
        var single = loaded.Match((_, _) => null, (n, _) => (Network<float>?)n);
        return (network, loss, $"{path} ({loaded.Info.Precision})", single);
    }

    private static GradCheckReport Check(
        Network<double> network,
        Network<float>? single,
        Loss loss,
        string source,
        TestData data,
        int samples,
        GradientCheckOptions options)
    {
        var (chosen, _) = Rng.FromSeed(options.Seed).NextSample(data.Test.Count, samples);
        var images = chosen.ToArray();
        var (x, y) = data.Test.Batch<double>(images);
        var result = GradientCheck.Run(network, x, y, loss, options);
        var layers = network.Layers.ToArray();
        var withinNoise = result.WithinNoise;
        var unresolved = Unresolved(result);
        // Every layer, including one that a small sample missed (checked 0).
        var perLayer = layers.Select((layer, l) => new LayerCheck(
            l + 1,
            $"{layer.InputSize} → {layer.OutputSize}",
            result.Parameters.Count(p => p.Layer == l),
            result.Counted.Count(p => p.Layer == l),
            withinNoise.Count(p => p.Layer == l),
            Worst(result.Counted.Filter(p =>
                p.Layer == l && !p.AgreesOnlyWithinNoise(result.Tolerance))),
            Largest((unresolved.Contains(l) ? result.Counted : withinNoise)
                .Filter(p => p.Layer == l).Map(p => p.Noise)),
            !unresolved.Contains(l)))
            .ToArray();
        return new GradCheckReport(
            "gradcheck",
            source,
            ModelSource.Describe(network),
            loss.Name,
            images,
            network.ParameterCount,
            result.Parameters.Count,
            result.NearKinkCount,
            perLayer,
            result.WorstJudgedRelativeError,
            withinNoise.Count,
            Largest(result.Counted.Map(p => p.Noise)),
            result.Tolerance,
            result.Verdict,
            Reason(result),
            result.Verdict == GradientCheckVerdict.Passed,
            single is null ? null : Float32Overflow.Find(single, network, x, y, loss));
    }

    // The layers (0 for the first) that finite differences could not check, as the verdict
    // counts them, whose every counted parameter agrees: their relative errors compare
    // derivatives below the rounding noise, and mean nothing. Without a finite noise (the
    // verdict notFinite), none is told apart: the reason says what is not finite.
    private static LanguageExt.Seq<int> Unresolved(GradientCheckReport result) =>
        result.Verdict == GradientCheckVerdict.NotFinite
            ? LanguageExt.Seq<int>.Empty
            : result.UnresolvedLayers.Filter(l =>
                result.Counted.Filter(p => p.Layer == l).ForAll(p => p.Agrees(result.Tolerance)));

    // Why finite differences could not check anything, for a verdict that is neither passed
    // nor failed: the first non-finite noise or numeric derivative, or the noise that swamps
    // every derivative of some layers.
    private static string? Reason(GradientCheckReport result)
    {
        const string TooLarge =
            "the loss or the output layer's Σ is too large for finite differences";
        var counted = result.Counted;
        switch (result.Verdict)
        {
            case GradientCheckVerdict.NotFinite:
                return counted.Find(p => !double.IsFinite(p.Noise)).Match(
                    p => $"{TooLarge} (it is not finite within the stencil: rounding noise "
                        + $"{Scientific(p.Noise)})",
                    () => $"{TooLarge} (it is not finite within the stencil: a finite "
                        + $"difference is {Scientific(counted.Find(p => !double.IsFinite(p.Numeric))
                            .Map(p => p.Numeric).IfNone(double.NaN))})");
            case GradientCheckVerdict.BelowNoise:
                var layers = result.UnresolvedLayers;
                var swamped = counted.Filter(p => layers.Contains(p.Layer));
                var names = layers.Count == 1
                    ? $"layer {layers[0] + 1}"
                    : $"layers {string.Join(", ", layers.Map(l => l + 1))}";
                if (swamped.ForAll(p => p.Analytic == 0))
                {
                    return $"backpropagation gives 0 for every derivative of {names} checked, "
                        + "and finite differences find nothing above their rounding noise "
                        + $"{Scientific(Largest(swamped.Map(p => p.Noise)))}: the loss does not "
                        + "change with those parameters here, so the check cannot tell a right "
                        + "gradient from a wrong one";
                }

                return $"{TooLarge} (rounding noise "
                    + $"{Scientific(Largest(swamped.Map(p => p.Noise)))}, above every "
                    + $"derivative of {names}, at most "
                    + $"{Scientific(Largest(swamped.Map(p => Math.Abs(p.Analytic))))})";
            default:
                return null;
        }
    }

    // The worst relative error of some checks: NaN if any is NaN, 0 if there are none.
    private static double Worst(IEnumerable<ParameterCheck> checks) =>
        checks.Aggregate(0.0, (worst, p) => Math.Max(worst, p.RelativeError));

    private static double Largest(IEnumerable<double> values) =>
        values.Aggregate(0.0, Math.Max);

    /// <summary>
    /// The report as text: a line for the network, the images, the sample, each layer and the
    /// verdict.
    /// </summary>
    internal static void Print(GradCheckReport r, TextWriter o)
    {
        var invariant = CultureInfo.InvariantCulture;
        // The source is the model's path as given: a line break in it would split the line.
        o.WriteLine(
            Printable.Line($"network: {r.Network} from {r.Source}; loss {r.Loss}; float64"));
        o.WriteLine($"test images: {string.Join(", ", r.Images)}");
        if (r.Float32Overflow is { } overflow)
        {
            o.WriteLine(overflow);
        }

        var sample = r.Checked < r.Parameters ? " (a seeded sample)" : string.Empty;
        var kinks = r.NearKink > 0
            ? string.Create(invariant, $"; {r.NearKink:N0} near a kink, not counted")
            : string.Empty;
        o.WriteLine(string.Create(
            invariant, $"checked {r.Checked:N0} of {r.Parameters:N0} parameters{sample}{kinks}"));
        foreach (var layer in r.Layers)
        {
            var judged = layer.Counted - layer.WithinNoise;
            var noise = layer.WithinNoise > 0
                ? string.Create(invariant, $"; {layer.WithinNoise:N0} within rounding noise ")
                    + Scientific(layer.RoundingNoise)
                : string.Empty;
            var name = $"layer {layer.Layer} ({layer.Sizes})";
            if (layer.Checked == 0)
            {
                o.WriteLine($"{name}: not in the sample, none of its parameters checked");
            }
            else if (!layer.Resolved)
            {
                o.WriteLine($"{name}: cannot check, no derivative above rounding noise "
                    + $"{Scientific(layer.RoundingNoise)} among {Parameters(layer.Counted)}");
            }
            else if (judged > 0)
            {
                o.WriteLine($"{name}: worst relative error {Scientific(layer.WorstRelativeError)} "
                    + $"over {Parameters(judged)}{noise}");
            }
            else
            {
                var kinked = layer.Checked - layer.Counted;
                o.WriteLine(layer.WithinNoise > 0
                    ? $"{name}: none judged by relative error{noise}"
                    : $"{name}: none judged by relative error, "
                        + $"{Parameters(kinked)} near a kink");
            }
        }

        if (r.Reason is not null)
        {
            o.WriteLine($"cannot check: {r.Reason}");
            return;
        }

        var within = r.WithinNoise > 0
            ? $" ({Parameters(r.WithinNoise)} within rounding noise "
                + $"{Scientific(r.Layers.Max(l => l.RoundingNoise))}, not judged by relative "
                + "error)"
            : string.Empty;
        o.WriteLine(
            $"{(r.Passed ? "passed" : "FAILED")}: worst relative error "
            + $"{Scientific(r.WorstRelativeError)}, tolerance {Scientific(r.Tolerance)}{within}");
    }

    // A count of parameters as the report's first lines print one: "2,220 parameters".
    private static string Parameters(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} ")
        + Plural.Word(count, "parameter");

    // 1.61e-08, 1e-06: the mantissa's needed digits (at most 3) and a two-digit exponent.
    private static string Scientific(double x) =>
        x.ToString("0.##e+00", CultureInfo.InvariantCulture);
}

/// <summary>What <c>backprop gradcheck</c> found: printed as text, or as JSON (--json).</summary>
/// <param name="Command">"gradcheck".</param>
/// <param name="Source">The model file, or a description of the fresh network.</param>
/// <param name="Network">The sizes and activations.</param>
/// <param name="Loss">The loss differentiated.</param>
/// <param name="Images">The test images the loss is computed on.</param>
/// <param name="Parameters">The network's weights and biases.</param>
/// <param name="Checked">The parameters checked.</param>
/// <param name="NearKink">Checked parameters near a kink (ReLU's 0, a clamp, or a smooth
/// activation's bend under a huge step), reported but not counted.</param>
/// <param name="Layers">Per layer, the worst relative error of its counted parameters.</param>
/// <param name="WorstRelativeError">The worst over all layers of the counted parameters judged
/// by relative error, all but those within rounding noise (NaN if any is NaN).</param>
/// <param name="WithinNoise">Counted parameters whose relative error exceeds the tolerance but
/// whose absolute error is below the rounding noise of finite differences: they agree, and
/// are not judged by relative error.</param>
/// <param name="RoundingNoise">The largest rounding noise of a counted parameter, about
/// 33·ε·max(1, |L|, |Σ_L|)/h.</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
/// <param name="Verdict">passed, failed, notFinite (the loss or its finite differences are not
/// finite) or belowNoise (the rounding noise swamps every derivative of some layer).</param>
/// <param name="Reason">Why a notFinite or belowNoise check cannot say anything; else
/// null.</param>
/// <param name="Passed">Whether the verdict is passed.</param>
/// <param name="Float32Overflow">For a float32 model, the line that names what is not finite
/// in float32 on the images (a layer's Σ or outputs, or the loss), which the check, in
/// float64, does not see; else null.</param>
internal sealed record GradCheckReport(
    string Command,
    string Source,
    string Network,
    string Loss,
    IReadOnlyList<int> Images,
    int Parameters,
    int Checked,
    int NearKink,
    IReadOnlyList<LayerCheck> Layers,
    double WorstRelativeError,
    int WithinNoise,
    double RoundingNoise,
    double Tolerance,
    GradientCheckVerdict Verdict,
    string? Reason,
    bool Passed,
    string? Float32Overflow = null);

/// <summary>The gradient check of one layer.</summary>
/// <param name="Layer">The layer, from 1 on the input side.</param>
/// <param name="Sizes">"in → out".</param>
/// <param name="Checked">Its parameters checked.</param>
/// <param name="Counted">Those not near a kink.</param>
/// <param name="WithinNoise">Those of the counted that agree only within rounding
/// noise.</param>
/// <param name="WorstRelativeError">The worst relative error among the others, judged by
/// it.</param>
/// <param name="RoundingNoise">The largest rounding noise of those within it, or of all those
/// counted when the layer is not <paramref name="Resolved"/>; 0 if there are none.</param>
/// <param name="Resolved">False when finite differences could not check the layer: none of its
/// counted derivatives rises above the rounding noise (all exactly 0 included), and each
/// agrees, so its relative errors compare rounding with rounding. The verdict is then not
/// passed; true otherwise.</param>
internal sealed record LayerCheck(
    int Layer,
    string Sizes,
    int Checked,
    int Counted,
    int WithinNoise,
    double WorstRelativeError,
    double RoundingNoise,
    bool Resolved = true);
