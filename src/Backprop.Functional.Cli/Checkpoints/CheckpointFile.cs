using System;
using System.IO;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Checkpoints;

/// <summary>
/// Saves and loads checkpoints: a training run at the end of an epoch, as one JSON file from
/// which <c>backprop train --resume</c> continues exactly as the run would have gone on.
/// </summary>
/// <remarks>
/// A checkpoint file is one UTF-8 JSON object with, in this order: "format"
/// (<see cref="FormatName"/>), "version" (<see cref="FormatVersion"/>), "precision", "settings"
/// (the run's settings as text, key by key), "epoch", "batch", "batchesPerEpoch", "step",
/// "skipped", "bestEpoch", "history" (one object per epoch finished, as <c>--json</c> lists
/// them), "optimizer" ("step", "learningRate" and the named "buffers", each one W and b per
/// layer), "model" (a model file's object) and "best" (another, or null). Saving is atomic and
/// deterministic, and every number reads back bit for bit.
/// </remarks>
internal static class CheckpointFile
{
    /// <summary>The value of "format" in every checkpoint file.</summary>
    public const string FormatName = "backprop-functional-checkpoint";

    /// <summary>The version of the format this program writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest checkpoint read, 2 GiB less a byte: the most one read holds.</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>How the history entries are written and read: one line each, camelCase.</summary>
    internal static readonly JsonSerializerOptions HistoryOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>
    /// Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically, replacing
    /// any file there; the model files inside record <paramref name="info"/>, with the header's
    /// class names. The whole save, from the first byte made, is one write for a stop signal
    /// to wait for (<see cref="AtomicFile.Save"/>).
    /// </summary>
    /// <param name="path">Where the checkpoint goes.</param>
    /// <param name="checkpoint">The run to save.</param>
    /// <param name="info">What the model files inside record besides their networks.</param>
    /// <param name="held">The directory of <paramref name="path"/> as the run holds it, for
    /// the save to go through; null to open it for the save.</param>
    /// <returns>Unit, or a one-line error that starts "cannot save PATH:" or "cannot write
    /// PATH:".</returns>
    public static Fin<Unit> Save<T>(
        string path, Checkpoint<T> checkpoint, ModelInfo info, DirectoryHandle? held = null)
        where T : struct, IFloatingPointIeee754<T> =>
        AtomicFile.Save(
            [path],
            () => CheckpointWriter.Serialize(checkpoint, info)
                .BiMap(bytes => bytes, e => Error.New($"cannot save {path}: {e.Message}"))
                .Bind(bytes => AtomicFile.Write(path, bytes)),
            held);

    /// <summary>
    /// The header of the checkpoint at <paramref name="path"/>: its settings, position,
    /// history and class names, checked, without reading its networks into memory.
    /// </summary>
    public static Fin<CheckpointHeader> ReadHeader(string path) =>
        ReadBytes(path).Bind(bytes => CheckpointReader.Parse(path, bytes, CheckpointReader.Header));

    /// <summary>
    /// The whole checkpoint at <paramref name="path"/>, which must have been saved in the
    /// precision of <typeparamref name="T"/>.
    /// </summary>
    public static Fin<Checkpoint<T>> Load<T>(string path)
        where T : struct, IFloatingPointIeee754<T> =>
        ReadBytes(path).Bind(bytes =>
            CheckpointReader.Parse(path, bytes, CheckpointReader.Whole<T>));

    private static Fin<byte[]> ReadBytes(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return Error.New($"{path}: is a directory; expected a checkpoint file");
            }

            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return Error.New(FileKind.NameTooLong(path)
                    ? $"{path}: file name too long; expected a checkpoint file"
                    : $"{path}: no such checkpoint file");
            }

            if (FileKind.NotRegular(path) is { } kind)
            {
                return Error.New($"{path}: is {kind}; expected a checkpoint file");
            }

            if (file.Length > MaxFileBytes)
            {
                return Error.New(
                    $"{path}: the file has {file.Length} bytes; expected a checkpoint of at most "
                    + $"{MaxFileBytes} bytes");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Error.New($"{path}: cannot read the file ({ExceptionMessage.Of(e)})");
        }
    }
}
