using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Checkpoints;

/// <content>The optimizer state of a checkpoint: its step, its last η and its buffers.</content>
internal static partial class CheckpointReader
{
    private static readonly string[] OptimizerKeys = ["step", "learningRate", "buffers"];

    private static readonly string[] BufferKeys = ["name", "layers"];

    private static readonly string[] LayerBufferKeys = ["weights", "bias"];

    // Buffers that average squared gradients (Adam's and AdamW's v, RMSProp's), which the
    // optimizer takes the square root of: a negative value in one can only be damage.
    private static readonly string[] SquareAverages = ["v", "square-average"];

    // The state after the header's last step, with the buffers that the optimizer the
    // settings make keeps, by name and in order, each with the network's shapes.
    private static Fin<OptimizerState<T>> Optimizer<T>(
        string name, JsonElement root, CheckpointHeader header, Network<T> network)
        where T : struct, IFloatingPointIeee754<T>
    {
        var at = $"{name}: optimizer";
        var made = Made(header.Settings, header.Epoch, header.BatchesPerEpoch).Optimizer;
        return
            from state in ModelReader.Member(name, root, "optimizer", JsonValueKind.Object)
            from keys in ModelReader.OnlyKeys(at, state, OptimizerKeys)
            from step in Long(at, state, "step")
            from updates in ModelReader.Require(
                step == header.Step - header.Skipped,
                () => $"{at} has taken {Plural.Of(step, "step")} but the run "
                    + $"{header.Step - header.Skipped} "
                    + $"({header.Step} less {header.Skipped} skipped)")
            from rate in ModelReader.Member(at, state, "learningRate", JsonValueKind.Number)
            from η in rate.TryGetDouble(out var r) && double.IsFinite(r) && r >= 0
                ? FinSucc(r)
                : Error.New(double.IsFinite(r)
                    ? $"{at}: 'learningRate' is {rate.GetRawText()}; expected a finite number ≥ 0"
                    : $"{at}: 'learningRate' is "
                        + ModelReader.Beyond(rate.GetRawText(), ModelInfo.Float64))
            from lastRate in LastRate(at, η, header)
            from buffers in ModelReader.Member(at, state, "buffers", JsonValueKind.Array)
            from read in Each(
                buffers.EnumerateArray().ToArray(), (b, i) => Buffer(at, b, i, network))
            let saved = read.Select(b => b.Name).ToArray()
            from kept in ModelReader.Require(
                saved.SequenceEqual(made.BufferNames),
                () => $"{name}: optimizer 'buffers' are {Names(saved)} but its run's optimizer "
                    + $"({made.Name}) keeps {Names(made.BufferNames)}")
            select new OptimizerState<T>(step, η, toSeq(read));
    }

    private static string Names(IEnumerable<string> names) =>
        names.Any() ? $"[{string.Join(", ", names.Select(n => $"'{n}'"))}]" : "none";

    // The η the optimizer used last is the one of the last epoch's last step, which its
    // history entry records too (both are written from the same state).
    private static Fin<Unit> LastRate(string at, double η, CheckpointHeader header)
    {
        var last = header.History[^1];
        return η == last.LearningRate
            ? unit
            : Error.New($"{at}: 'learningRate' is {Number(η)} but 'history' entry {last.Epoch}'s "
                + $"is {Number(last.LearningRate)}; expected the same, the η of step "
                + $"{header.Step}, the last taken");
    }

    private static Fin<(string Name, Gradient<T> Buffer)> Buffer<T>(
        string at, JsonElement json, int index, Network<T> network)
        where T : struct, IFloatingPointIeee754<T>
    {
        var place = $"{at} buffer {index + 1}";
        var layers = network.Layers.ToArray();
        return
            from isObject in ModelReader.Require(
                json.ValueKind == JsonValueKind.Object,
                () => $"{place} is {ModelReader.Kind(json)}; expected an object")
            from keys in ModelReader.OnlyKeys(place, json, BufferKeys)
            from bufferName in ModelReader.Text(place, json, "name")
            from named in FinSucc($"{at} buffer '{bufferName}'")
            from array in ModelReader.Member(named, json, "layers", JsonValueKind.Array)
            from count in ModelReader.Require(
                array.GetArrayLength() == layers.Length,
                () => $"{named} has {Plural.Of(array.GetArrayLength(), "layer")} but the "
                    + $"model has {layers.Length}")
            from read in Each(array.EnumerateArray().ToArray(), (l, i) =>
                LayerBuffer<T>(
                    $"{named}, layer {i + 1}", l, layers[i], SquareAverages.Contains(bufferName)))
            select (bufferName, new Gradient<T>(toSeq(read)));
    }

    // W row by row, each row as many numbers as the layer has inputs, then b; every number
    // ≥ 0 in an average of squares.
    private static Fin<LayerGradient<T>> LayerBuffer<T>(
        string at, JsonElement json, Layer<T> layer, bool squares)
        where T : struct, IFloatingPointIeee754<T>
    {
        var (rows, columns) = (layer.OutputSize, layer.InputSize);
        return
            from isObject in ModelReader.Require(
                json.ValueKind == JsonValueKind.Object,
                () => $"{at} is {ModelReader.Kind(json)}; expected an object")
            from keys in ModelReader.OnlyKeys(at, json, LayerBufferKeys)
            from weights in ModelReader.Member(at, json, "weights", JsonValueKind.Array)
            from rowCount in ModelReader.Require(
                weights.GetArrayLength() == rows,
                () => $"{at} weights have {Plural.Of(weights.GetArrayLength(), "row")} but "
                    + $"the layer has {Plural.Of(rows, "output")}")
            from values in Each(weights.EnumerateArray().ToArray(), (row, r) =>
                row.ValueKind == JsonValueKind.Array && row.GetArrayLength() == columns
                    ? Values<T>($"{at} weights row {r + 1}", row, squares)
                    : Error.New($"{at} weights row {r + 1} is not "
                        + $"{Plural.Of(columns, "number")}, the layer's inputs"))
            from bias in ModelReader.Member(at, json, "bias", JsonValueKind.Array)
            from biasLength in ModelReader.Require(
                bias.GetArrayLength() == rows,
                () => $"{at} bias has {Plural.Of(bias.GetArrayLength(), "value")} but the "
                    + $"layer has {Plural.Of(rows, "output")}")
            from b in Values<T>($"{at} bias", bias, squares)
            select new LayerGradient<T>(
                Matrix<T>.Build.Dense(rows, columns, (i, j) => values[i][j]),
                MathNet.Numerics.LinearAlgebra.Vector<T>.Build.Dense(b));
    }

    // The numbers of a row or bias, none of them negative when they average squares (−0 is
    // one a square can round to, and the square root takes).
    private static Fin<T[]> Values<T>(string at, JsonElement array, bool squares)
        where T : struct, IFloatingPointIeee754<T> =>
        ModelReader.Numbers<T>(at, array).Bind(values =>
        {
            var i = squares
                ? System.Array.FindIndex(values, x => T.IsNegative(x) && x != T.Zero)
                : -1;
            return i < 0
                ? FinSucc(values)
                : Error.New($"{at}, value {i + 1} is "
                    + values[i].ToString(null, CultureInfo.InvariantCulture)
                    + "; expected a number ≥ 0, as an average of squared gradients is");
        });
}
