using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// <c>backprop predict</c>: a saved model's top classes for test images chosen by index, with
/// their scores and each image's true label.
/// </summary>
internal static class PredictCommand
{
    private const string IndexReason = "must be a whole number ≥ 0";

    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var model = OptionFactory.Model(
            "The model file written by 'backprop train'.", required: true);
        var data = OptionFactory.TestData();
        var index = new Option<int[]>("--index")
        {
            Description = "A test image by its index, from 0; repeat the option for more images.",
            HelpName = "N",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result => result.Tokens.Select(t =>
                (OptionFactory.OptionAsValue(result, t.Value) is { } missing
                    ? LanguageExt.Fin<int>.Fail(LanguageExt.Common.Error.New(missing))
                    : OptionFactory.WholeNumber("--index", t.Value, 0, IndexReason))
                .Match(n => n, e => Reject(result, e.Message))).ToArray(),
        };
        var top = OptionFactory.Integer("--top", 3, "How many of the likeliest classes to show.");
        var json = OptionFactory.Json(
            "Print one JSON object on stdout instead of the report.");
        var command = new Command("predict", "Classify test images with a saved model.")
        {
            model, data, index, top, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            var loaded = ModelSource.Load(path);
            var split = DataSource.LoadTest(parse.GetValue(data));
            var indices = parse.GetRequiredValue(index);
            var outOfRange = Array.FindIndex(indices, i => i >= split.Test.Count);
            if (outOfRange >= 0)
            {
                // The tokens and the indices are in step: the parser maps one to the other.
                var typed = parse.GetResult(index)!.Tokens[outOfRange].Value;
                throw CommandFailure.Usage(
                    $"--index {typed} is out of range: the test set has "
                    + (split.Test.Count == 1
                        ? "only image 0"
                        : $"images 0 to {split.Test.Count - 1}"));
            }

            var report = loaded.Match(
                (network, info) => Predict(network, split, indices, parse.GetValue(top), path),
                (network, info) => Predict(network, split, indices, parse.GetValue(top), path));
            ModelSource.WarnIfClassesDiffer(loaded.Info, split, path, context.Error);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, report);
            }
            else
            {
                Print(report, context.Out);
            }

            return ExitCode.Success;
        });
        return command;
    }

    // Records the error of one --index token; the value returned stands in for it unused.
    private static int Reject(System.CommandLine.Parsing.ArgumentResult result, string error)
    {
        result.AddError(error);
        return 0;
    }

    private static PredictReport Predict<T>(
        Network<T> network, TestData data, int[] indices, int top, string path)
        where T : struct, IFloatingPointIeee754<T>
    {
        ModelSource.CheckFits(network, data, path);
        var (x, _) = data.Test.Batch<T>(indices);
        var outputs = network.Predict(x);
        var bad = Enumerable.Range(0, indices.Length).FirstOrDefault(
            k => !outputs.Column(k).ToArray().All(T.IsFinite), -1);
        if (bad >= 0)
        {
            throw CommandFailure.Failed(
                $"{path}: the model's outputs for image {indices[bad]} are not finite (its "
                + "weights overflow), so there is no prediction to rank");
        }

        var probabilities = network.OutputActivation == Activation.Softmax;
        var predictions = indices.Select((image, k) =>
        {
            var label = data.Test.Labels[image];
            var ranked = Enumerable.Range(0, outputs.RowCount)
                .Select(c => new ClassScore(
                    c, data.ClassNames[c], double.CreateChecked(outputs[c, k])))
                .OrderByDescending(s => s.Score)
                .ThenBy(s => s.Index)
                .ToArray();
            return new Prediction(
                image,
                label,
                data.ClassNames[label],
                ranked[0].Index == label,
                ranked.Take(top).ToArray());
        }).ToArray();
        return new PredictReport(
            "predict",
            path,
            ModelSource.Describe(network),
            data.Description,
            probabilities ? "probability" : "output",
            predictions);
    }

    private static void Print(PredictReport r, TextWriter o)
    {
        var invariant = CultureInfo.InvariantCulture;
        o.WriteLine(Printable.Line($"model: {r.Model} ({r.Network})"));
        o.WriteLine(Printable.Line($"data: {r.Dataset}"));
        foreach (var p in r.Predictions)
        {
            var ranked = string.Join(", ", p.Top.Select(s => r.ScoreKind == "probability"
                ? string.Create(invariant, $"{s.Name} {s.Score * 100:F1}%")
                : $"{s.Name} {ScoreText.Of(s.Score)}"));
            o.WriteLine(Printable.Line(
                $"image {p.Index}: {ranked}; true label {p.LabelName} "
                + (p.Correct ? "(correct)" : "(wrong)")));
        }
    }
}

/// <summary>What <c>backprop predict</c> found: printed as text, or as JSON (--json).</summary>
/// <param name="Command">"predict".</param>
/// <param name="Model">The model file.</param>
/// <param name="Network">The sizes and activations, as "784 → 128 → 10 (relu, softmax)".</param>
/// <param name="Dataset">The data's one-line description.</param>
/// <param name="ScoreKind">"probability" after a softmax output layer; "output" otherwise,
/// when scores are the raw outputs and need not sum to 1.</param>
/// <param name="Predictions">One per --index, in the order given.</param>
internal sealed record PredictReport(
    string Command,
    string Model,
    string Network,
    string Dataset,
    string ScoreKind,
    IReadOnlyList<Prediction> Predictions);

/// <summary>The prediction for one test image.</summary>
/// <param name="Index">The image's index in the test set.</param>
/// <param name="Label">Its true class.</param>
/// <param name="LabelName">The true class's name.</param>
/// <param name="Correct">Whether the top class is the true one.</param>
/// <param name="Top">The likeliest classes, best first.</param>
internal sealed record Prediction(
    int Index, int Label, string LabelName, bool Correct, IReadOnlyList<ClassScore> Top);

/// <summary>One class and the network's output for it.</summary>
/// <param name="Index">The class.</param>
/// <param name="Name">Its name.</param>
/// <param name="Score">The output for it: a probability after softmax.</param>
internal sealed record ClassScore(int Index, string Name, double Score);
