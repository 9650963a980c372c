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
    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var model = OptionFactory.Model(
            "A model file written by 'backprop train' (float32 models are widened to float64). "
            + "Defaults to a fresh network built from --hidden, --activation, --output, --loss, "
            + "--init and --seed.",
            required: false);
        var data = OptionFactory.Data();
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
        var json = OptionFactory.Json();
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
                    $"{fresh.Name} describes a fresh network and cannot be used with --model, "
                    + $"got '--model {path}'");
            }

            var split = DataSource.Load(parse.GetValue(data));
            var (network, lossFunction, source) = path is null
                ? FreshNetwork(parse, split, hidden, activation, output, loss, init, seed)
                : SavedNetwork(path, split);
            var report = Check(
                network,
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

            return report.Passed
                ? ExitCode.Success
                : throw CommandFailure.Failed(
                    $"gradient check failed: worst relative error "
                    + $"{Scientific(report.WorstRelativeError)} exceeds the tolerance "
                    + $"{Scientific(report.Tolerance)}");
        });
        return command;
    }

    private static (Network<double> Network, Loss Loss, string Source) FreshNetwork(
        ParseResult parse,
        DataSplit data,
        Option<IReadOnlyList<int>> hidden,
        Option<Activation> activation,
        Option<Activation> output,
        Option<Loss> loss,
        Option<Initialization?> init,
        Option<ulong> seed)
    {
        var f = parse.GetRequiredValue(activation);
        var o = parse.GetRequiredValue(output);
        var l = parse.GetRequiredValue(loss);
        l.Accepts(o).IfFail(e => throw CommandFailure.Usage(
            $"--loss {l.Name} cannot follow --output {o.Name}: {e.Message}"));
        var scheme = parse.GetValue(init) ?? InitializationNames.DefaultFor(f);
        int[] sizes =
            [data.Test.Features, .. parse.GetRequiredValue(hidden), data.ClassNames.Count];
        var network = Network.Initialize<double>(sizes, f, o, scheme, parse.GetValue(seed));
        return (network, l, $"a fresh network, {scheme.Name()} init, seed {parse.GetValue(seed)}");
    }

    private static (Network<double> Network, Loss Loss, string Source) SavedNetwork(
        string path, DataSplit data)
    {
        var loaded = ModelSource.Load(path);
        var network = loaded.Match(
            (n, _) => Precisions.ToDouble(n),
            (n, _) => Precisions.ToDouble(n));
        ModelSource.CheckFits(network, data, path);
        var loss = ModelSource.LossOf(loaded.Info, path);
        return (network, loss, $"{path} ({loaded.Info.Precision})");
    }

    private static GradCheckReport Check(
        Network<double> network,
        Loss loss,
        string source,
        DataSplit data,
        int samples,
        GradientCheckOptions options)
    {
        var (chosen, _) = Rng.FromSeed(options.Seed).NextSample(data.Test.Count, samples);
        var images = chosen.ToArray();
        var (x, y) = data.Test.Batch<double>(images);
        var result = GradientCheck.Run(network, x, y, loss, options);
        var layers = network.Layers.ToArray();
        var perLayer = result.WorstByLayer.Map(w => new LayerCheck(
            w.Layer + 1,
            $"{layers[w.Layer].InputSize} → {layers[w.Layer].OutputSize}",
            result.Parameters.Count(p => p.Layer == w.Layer),
            result.Counted.Count(p => p.Layer == w.Layer),
            w.WorstRelativeError)).ToArray();
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
            result.WorstRelativeError,
            result.Tolerance,
            result.Passed);
    }

    private static void Print(GradCheckReport r, TextWriter o)
    {
        var invariant = CultureInfo.InvariantCulture;
        o.WriteLine($"network: {r.Network} from {r.Source}; loss {r.Loss}; float64");
        o.WriteLine($"test images: {string.Join(", ", r.Images)}");
        var sample = r.Checked < r.Parameters ? " (a seeded sample)" : string.Empty;
        var kinks = r.NearKink > 0 ? $"; {r.NearKink} near a kink, not counted" : string.Empty;
        o.WriteLine(string.Create(
            invariant, $"checked {r.Checked:N0} of {r.Parameters:N0} parameters{sample}{kinks}"));
        foreach (var layer in r.Layers)
        {
            o.WriteLine(
                $"layer {layer.Layer} ({layer.Sizes}): worst relative error "
                + $"{Scientific(layer.WorstRelativeError)} over {layer.Counted} parameters");
        }

        o.WriteLine(
            $"{(r.Passed ? "passed" : "FAILED")}: worst relative error "
            + $"{Scientific(r.WorstRelativeError)}, tolerance {Scientific(r.Tolerance)}");
    }

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
/// <param name="NearKink">Checked parameters near a kink (ReLU's 0), reported but not
/// counted.</param>
/// <param name="Layers">Per layer, the worst relative error of its counted parameters.</param>
/// <param name="WorstRelativeError">The worst over all layers (NaN if any is NaN).</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
/// <param name="Passed">Whether every counted parameter is within the tolerance.</param>
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
    double Tolerance,
    bool Passed);

/// <summary>The gradient check of one layer.</summary>
/// <param name="Layer">The layer, from 1 on the input side.</param>
/// <param name="Sizes">"in → out".</param>
/// <param name="Checked">Its parameters checked.</param>
/// <param name="Counted">Those not near a kink.</param>
/// <param name="WorstRelativeError">The worst relative error among the counted.</param>
internal sealed record LayerCheck(
    int Layer, string Sizes, int Checked, int Counted, double WorstRelativeError);
