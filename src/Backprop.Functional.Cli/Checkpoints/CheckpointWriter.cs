using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Functional.Cli.Models;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Checkpoints;

/// <summary>
/// Turns a <see cref="Checkpoint{T}"/> into the bytes of a checkpoint file, after checking
/// that <see cref="CheckpointReader"/> will accept them.
/// </summary>
/// <remarks>
/// The layout follows the model files': properties in a fixed order, two-space indents, one
/// weight row per line, no time stamp, and every number as the shortest decimal that reads back
/// to the same float or double. The networks are model-file objects, written by
/// <see cref="ModelWriter"/>, so a checkpoint's "model" can be cut out and used as a model.
/// </remarks>
internal static class CheckpointWriter
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// The UTF-8 JSON of a checkpoint file, or the first reason it cannot be written.
    /// </summary>
    /// <param name="checkpoint">The run to save.</param>
    /// <param name="info">What the model files inside record besides their networks; the class
    /// names they record are the header's, which the reader returns in the header.</param>
    public static Fin<byte[]> Serialize<T>(Checkpoint<T> checkpoint, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T>
    {
        var named = info with { ClassNames = checkpoint.Header.ClassNames };
        return
            from model in ModelWriter.Serialize(checkpoint.Network, named)
            from best in SavesBest(checkpoint)
                ? ModelWriter.Serialize(checkpoint.Best!, named).Map(Some)
                : FinSucc(Option<byte[]>.None)
            from buffers in CheckBuffers(checkpoint.Optimizer)
            select Encoding.UTF8.GetBytes(Render(checkpoint, model, best));
    }

    // The best network is saved apart only when it is not the checkpoint's own network.
    private static bool SavesBest<T>(Checkpoint<T> checkpoint)
        where T : struct, IFloatingPointIeee754<T> =>
        checkpoint.Best is not null && checkpoint.Header.BestEpoch != checkpoint.Header.Epoch;

    // The reader takes only finite buffers, as it takes only finite weights.
    private static Fin<Unit> CheckBuffers<T>(OptimizerState<T> state)
        where T : struct, IFloatingPointIeee754<T> =>
        state.Buffers.Find(b => !b.Buffer.IsFinite).Match(
            Some: b => FinFail<Unit>(Error.New(
                $"the optimizer's buffer '{b.Name}' holds a value that is not finite")),
            None: () => FinSucc(unit));

    private static string Render<T>(Checkpoint<T> checkpoint, byte[] model, Option<byte[]> best)
        where T : struct, IFloatingPointIeee754<T>
    {
        var h = checkpoint.Header;
        var text = new StringBuilder();
        text.Append("{\n");
        Property(text, 1, "format", Quote(CheckpointFile.FormatName));
        Property(text, 1, "version", Integer(CheckpointFile.FormatVersion));
        Property(text, 1, "precision", Quote(h.Precision));
        text.Append("  \"settings\": {\n");
        for (var i = 0; i < h.Settings.Count; i++)
        {
            var (key, value) = h.Settings[i];
            text.Append("    ").Append(Quote(key)).Append(": ").Append(Quote(value))
                .Append(i + 1 < h.Settings.Count ? ",\n" : "\n");
        }

        text.Append("  },\n");
        Property(text, 1, "epoch", Integer(h.Epoch));
        Property(text, 1, "batch", Integer(h.Batch));
        Property(text, 1, "batchesPerEpoch", Integer(h.BatchesPerEpoch));
        Property(text, 1, "step", h.Step.ToString(CultureInfo.InvariantCulture));
        Property(text, 1, "skipped", Integer(h.Skipped));
        Property(text, 1, "bestEpoch", h.BestEpoch is { } e ? Integer(e) : "null");
        text.Append("  \"history\": [\n");
        for (var i = 0; i < h.History.Count; i++)
        {
            var entry = JsonSerializer.Serialize(h.History[i], CheckpointFile.HistoryOptions);
            text.Append("    ").Append(entry).Append(i + 1 < h.History.Count ? ",\n" : "\n");
        }

        text.Append("  ],\n");
        RenderOptimizer(text, checkpoint.Optimizer);
        text.Append("  \"model\": ").Append(Nested(model)).Append(",\n");
        text.Append("  \"best\": ").Append(best.Match(Nested, () => "null")).Append('\n');
        text.Append("}\n");
        return text.ToString();
    }

    // The state's step, the η it used, and each named buffer layer by layer: W as one line per
    // row, then b, as in a model file.
    private static void RenderOptimizer<T>(StringBuilder text, OptimizerState<T> state)
        where T : struct, IFloatingPointIeee754<T>
    {
        text.Append("  \"optimizer\": {\n");
        Property(text, 2, "step", state.Step.ToString(CultureInfo.InvariantCulture));
        Property(text, 2, "learningRate", Real(state.LearningRate));
        text.Append("    \"buffers\": [");
        var buffers = state.Buffers.ToArray();
        text.Append(buffers.Length == 0 ? "]\n" : "\n");
        for (var b = 0; b < buffers.Length; b++)
        {
            text.Append("      {\n");
            Property(text, 4, "name", Quote(buffers[b].Name));
            text.Append("        \"layers\": [\n");
            var layers = buffers[b].Buffer.Layers.ToArray();
            for (var l = 0; l < layers.Length; l++)
            {
                text.Append("          {\n");
                Rows(text, layers[l].Weights);
                text.Append("            \"bias\": [")
                    .AppendJoin(", ", layers[l].Bias.Select(ModelWriter.Number))
                    .Append("]\n");
                text.Append(l + 1 < layers.Length ? "          },\n" : "          }\n");
            }

            text.Append("        ]\n");
            text.Append(b + 1 < buffers.Length ? "      },\n" : "      }\n");
        }

        text.Append(buffers.Length == 0 ? string.Empty : "    ]\n");
        text.Append("  },\n");
    }

    private static void Rows<T>(StringBuilder text, Matrix<T> w)
        where T : struct, IFloatingPointIeee754<T>
    {
        text.Append("            \"weights\": [\n");
        for (var r = 0; r < w.RowCount; r++)
        {
            text.Append("              [");
            for (var c = 0; c < w.ColumnCount; c++)
            {
                text.Append(c == 0 ? string.Empty : ", ").Append(ModelWriter.Number(w[r, c]));
            }

            text.Append(r + 1 < w.RowCount ? "],\n" : "]\n");
        }

        text.Append("            ],\n");
    }

    // A model file's text as the value of a property one level down: indented two more spaces,
    // without its final line end.
    private static string Nested(byte[] model) =>
        Encoding.UTF8.GetString(model).TrimEnd('\n').Replace("\n", "\n  ");

    private static void Property(StringBuilder text, int depth, string name, string value) =>
        text.Append(' ', 2 * depth).Append(Quote(name)).Append(": ").Append(value).Append(",\n");

    private static string Quote(string value) => $"\"{JsonEncodedText.Encode(value, Encoder)}\"";

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Real(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
