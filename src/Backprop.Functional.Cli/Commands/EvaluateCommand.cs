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
/// <c>backprop evaluate</c>: a saved model's accuracy and mean loss on the test set, its
/// accuracy per class, and the confusion matrix.
/// </summary>
internal static class EvaluateCommand
{
    // What the report shows for the accuracy of a class with no test images, which has none.
    private const string NoAccuracy = "–";

    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var model = OptionFactory.Model(
            "The model file written by 'backprop train'.", required: true);
        var data = OptionFactory.TestData();
        var json = OptionFactory.Json(
            "Print one JSON object on stdout instead of the report.");
        var command = new Command("evaluate", "Measure a saved model on the test set.")
        {
            model, data, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            var loaded = ModelSource.Load(path);
            var split = DataSource.LoadTest(parse.GetValue(data));
            var report = loaded.Match(
                (network, info) => Evaluate(network, info, split, path),
                (network, info) => Evaluate(network, info, split, path));
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

    private static EvaluateReport Evaluate<T>(
        Network<T> network, ModelInfo info, TestData data, string path)
        where T : struct, IFloatingPointIeee754<T>
    {
        ModelSource.CheckFits(network, data, path);
        var loss = ModelSource.LossOf(info, path);
        var result = DataSource.Evaluate(network, data.Test, loss);
        if (!double.IsFinite(result.MeanLoss))
        {
            throw CommandFailure.Failed(
                $"{path}: the model's outputs on the test images, or the loss computed from "
                + $"them, are not finite (the mean loss is {result.MeanLoss}), so its accuracy "
                + "would mean nothing; its weights are large enough to overflow "
                + info.Precision);
        }

        var confusion = result.Confusion.Select(row => row.ToArray()).ToArray();
        var classes = confusion
            .Select((row, i) => (Correct: row[i], Total: row.Sum()))
            .Select((c, i) => new ClassAccuracy(
                i,
                data.ClassNames[i],
                c.Correct,
                c.Total,
                c.Total == 0 ? null : (double)c.Correct / c.Total))
            .ToArray();
        return new EvaluateReport(
            "evaluate",
            path,
            ModelSource.Describe(network),
            info.Precision,
            data.Description,
            result.Correct,
            result.Count,
            result.Accuracy,
            loss.Name,
            result.MeanLoss,
            classes,
            confusion);
    }

    private static void Print(EvaluateReport r, TextWriter o)
    {
        var invariant = CultureInfo.InvariantCulture;
        o.WriteLine(Printable.Line($"model: {r.Model} ({r.Network}, {r.Precision})"));
        o.WriteLine(Printable.Line($"data: {r.Dataset}"));
        o.WriteLine(string.Create(
            invariant, $"test accuracy: {r.Correct}/{r.Total} ({r.Accuracy * 100:F2}%)"));
        o.WriteLine(string.Create(
            invariant, $"test loss: {LossText.Of(r.MeanLoss)} (mean {r.Loss})"));
        o.WriteLine();

        // Class names as they print: a control character in classes.txt as its escape.
        var names = r.Classes.ToDictionary(c => c.Index, c => Printable.Line(c.Name));
        var nameWidth = Math.Max(5, names.Values.Max(n => n.Length));
        o.WriteLine("per class:");
        foreach (var c in r.Classes)
        {
            var accuracy = c.Accuracy is { } a
                ? string.Create(invariant, $"{a * 100,7:F2}%")
                : NoAccuracy.PadLeft(7);
            o.WriteLine(string.Create(
                invariant,
                $"  {c.Index,3} {names[c.Index].PadRight(nameWidth)}  {c.Correct,6}/{c.Total,-6} "
                + $"{accuracy}"));
        }

        o.WriteLine();
        o.WriteLine("confusion matrix (rows: true class, columns: predicted class):");
        var widest = r.Confusion.Max(row => row.Max()).ToString(invariant).Length;
        var cellWidth = Math.Max(4, widest + 1);
        var header = new string(' ', 6 + nameWidth)
            + string.Concat(r.Classes.Select(c => c.Index.ToString(invariant).PadLeft(cellWidth)));
        o.WriteLine(header);
        foreach (var c in r.Classes)
        {
            o.WriteLine(
                $"  {c.Index,3} {names[c.Index].PadRight(nameWidth)}"
                + string.Concat(r.Confusion[c.Index]
                    .Select(n => n.ToString(invariant).PadLeft(cellWidth))));
        }
    }
}

/// <summary>What <c>backprop evaluate</c> found: printed as text, or as JSON (--json).</summary>
/// <param name="Command">"evaluate".</param>
/// <param name="Model">The model file.</param>
/// <param name="Network">The sizes and activations, as "784 → 128 → 10 (relu, softmax)".</param>
/// <param name="Precision">"float32" or "float64".</param>
/// <param name="Dataset">The data's one-line description.</param>
/// <param name="Correct">The test images classified correctly.</param>
/// <param name="Total">The test images.</param>
/// <param name="Accuracy">Correct / Total.</param>
/// <param name="Loss">The model's loss.</param>
/// <param name="MeanLoss">The mean loss over the test set.</param>
/// <param name="Classes">Per class: its index, name, and accuracy.</param>
/// <param name="Confusion">Confusion[t][p]: test images of class t predicted as p.</param>
internal sealed record EvaluateReport(
    string Command,
    string Model,
    string Network,
    string Precision,
    string Dataset,
    int Correct,
    int Total,
    double Accuracy,
    string Loss,
    double MeanLoss,
    IReadOnlyList<ClassAccuracy> Classes,
    int[][] Confusion);

/// <summary>How well one class is recognised.</summary>
/// <param name="Index">The label.</param>
/// <param name="Name">The class name.</param>
/// <param name="Correct">Its test images classified correctly.</param>
/// <param name="Total">Its test images.</param>
/// <param name="Accuracy">Correct / Total, or null for a class with no test images, which has
/// no accuracy.</param>
internal sealed record ClassAccuracy(
    int Index, string Name, int Correct, int Total, double? Accuracy);
