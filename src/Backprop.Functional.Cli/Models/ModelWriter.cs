using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Turns a network and its <see cref="ModelInfo"/> into the bytes of a model file, after
/// checking that <see cref="ModelReader"/> will accept them.
/// </summary>
/// <remarks>
/// The layout is fixed (properties always in one order, two-space indents, "\n" line ends, one
/// weight row per line) and holds no time stamp, so the same network and info always give the
/// same bytes. Numbers are written in the invariant culture as the shortest decimal that reads
/// back to the same float or double, so every weight survives a round trip bit for bit.
/// </remarks>
internal static class ModelWriter
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The UTF-8 JSON of a model file, or the first reason it cannot be written.</summary>
    public static Fin<byte[]> Serialize<T>(Network<T> network, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T> =>
        from checkedInfo in Check(network, info)
        select Encoding.UTF8.GetBytes(Render(network, checkedInfo));

    // Everything the reader checks, so that a file that was saved can always be loaded.
    private static Fin<ModelInfo> Check<T>(Network<T> network, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T>
    {
        var precision = ModelInfo.PrecisionOf<T>();
        if (precision.IsFail)
        {
            return (Error)precision;
        }

        if ((string)precision != info.Precision)
        {
            return Error.New(
                $"the info says precision {info.Precision} but the network is {(string)precision}");
        }

        if (info.ClassNames.Count != network.OutputSize)
        {
            return Error.New(
                $"the info has {Plural.Of(info.ClassNames.Count, "class name")} but the output "
                + $"layer has {Plural.Of(network.OutputSize, "unit")}; expected one name per unit");
        }

        if (Data.ClassNames.FirstRepeat(info.ClassNames) is var (first, again))
        {
            return Error.New(
                $"the info names class {again} '{info.ClassNames[again]}', as it names class "
                + $"{first}; expected a different name for each class");
        }

        var layers = network.Layers.ToArray();
        for (var l = 0; l < layers.Length; l++)
        {
            var problem = CheckLayer(l + 1, layers[l]);
            if (problem.IsFail)
            {
                return (Error)problem;
            }
        }

        return
            from loss in Loss.Parse(info.Loss)
            from fits in loss.Accepts(network.OutputActivation)
            select info with { Loss = loss.Name };
    }

    private static Fin<Unit> CheckLayer<T>(int number, Layer<T> layer)
        where T : struct, IFloatingPointIeee754<T>
    {
        var parsed = ActivationNames.Parse(layer.Activation.Name);
        if (parsed.IsFail || (Activation)parsed != layer.Activation)
        {
            return Error.New(
                $"layer {number} has activation '{layer.Activation.Name}', which a model file "
                + "cannot hold; expected one that ActivationNames.Parse reads back");
        }

        if (typeof(T) == typeof(float)
            && LeakySlope.Of(layer.Activation) is { } α
            && LeakySlope.IsOneInFloat32(α))
        {
            return Error.New(
                $"layer {number} has activation '{layer.Activation.Name}', whose slope is 1 in "
                + "float32, where it must be below 1; expected at most "
                + LeakySlope.LargestFloat32);
        }

        return
            from weights in Shapes.CheckFinite($"layer {number} weights", layer.Weights)
            from bias in Shapes.CheckFinite($"layer {number} bias", layer.Bias.ToColumnMatrix())
            select unit;
    }

    private static string Render<T>(Network<T> network, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T>
    {
        var text = new StringBuilder();
        text.Append("{\n");
        Property(text, 1, "format", Quote(ModelFile.FormatName));
        Property(text, 1, "version", Integer(ModelFile.FormatVersion));
        Property(text, 1, "precision", Quote(info.Precision));
        Property(text, 1, "sizes", Array(network.Sizes.Select(Integer)));
        Property(text, 1, "loss", Quote(info.Loss));
        Property(text, 1, "classNames", Array(info.ClassNames.Select(Quote)));
        Property(text, 1, "seed", info.Seed.ToString(CultureInfo.InvariantCulture));
        Property(text, 1, "dataset", Quote(info.Dataset));
        text.Append("  \"layers\": [\n");
        var layers = network.Layers.ToArray();
        for (var l = 0; l < layers.Length; l++)
        {
            RenderLayer(text, layers[l]);
            text.Append(l + 1 < layers.Length ? "    },\n" : "    }\n");
        }

        text.Append("  ]\n}\n");
        return text.ToString();
    }

    // One layer object, left open for the caller to close: its activation, W as one line per
    // row (out rows of in numbers), then b (out numbers).
    private static void RenderLayer<T>(StringBuilder text, Layer<T> layer)
        where T : struct, IFloatingPointIeee754<T>
    {
        text.Append("    {\n");
        Property(text, 3, "activation", Quote(layer.Activation.Name));
        text.Append("      \"weights\": [\n");
        var w = layer.Weights;
        for (var r = 0; r < w.RowCount; r++)
        {
            var row = Enumerable.Range(0, w.ColumnCount).Select(c => Number(w[r, c]));
            text.Append("        ").Append(Array(row)).Append(r + 1 < w.RowCount ? ",\n" : "\n");
        }

        text.Append("      ],\n");
        text.Append("      \"bias\": ").Append(Array(layer.Bias.Select(Number))).Append('\n');
    }

    private static void Property(StringBuilder text, int depth, string name, string value) =>
        text.Append(' ', 2 * depth).Append(Quote(name)).Append(": ").Append(value).Append(",\n");

    private static string Array(IEnumerable<string> values) => $"[{string.Join(", ", values)}]";

    private static string Quote(string value) => $"\"{JsonEncodedText.Encode(value, Encoder)}\"";

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    // The shortest round-trip form: "R" on .NET Core 3.0 and later, in the invariant culture
    // whatever the user's, and as float for float so that float32 files read back exactly.
    internal static string Number<T>(T value)
        where T : struct, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? float.CreateTruncating(value).ToString("R", CultureInfo.InvariantCulture)
            : double.CreateTruncating(value).ToString("R", CultureInfo.InvariantCulture);
}
