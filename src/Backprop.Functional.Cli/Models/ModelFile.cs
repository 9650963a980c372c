using System;
using System.IO;
using System.Numerics;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Saves and loads trained networks as JSON model files.
/// </summary>
/// <remarks>
/// A model file is one UTF-8 JSON object with, in this order: "format"
/// (<see cref="FormatName"/>), "version" (<see cref="FormatVersion"/>), "precision" ("float32"
/// or "float64"), "sizes" ([n₀, n₁, …, n_L]), "loss" (a <c>Loss.Name</c>), "classNames" (one per
/// output unit), "seed", "dataset", and "layers": per layer its "activation" (an
/// <c>Activation.Name</c>), its "weights" W as out rows of in numbers, and its "bias" b as out
/// numbers. Saving is deterministic and atomic, and every weight reads back bit for bit
/// whatever the culture; see <see cref="Save{T}"/> and <see cref="Load(string)"/>.
/// </remarks>
public static class ModelFile
{
    /// <summary>The value of "format" in every model file.</summary>
    public const string FormatName = "backprop-functional-model";

    /// <summary>The version of the format this program writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest model file read, 1 GiB; a bigger one is refused unread.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// Writes <paramref name="network"/> and <paramref name="info"/> to <paramref name="path"/>,
    /// replacing any file there. Nothing is written unless the model passes every check that
    /// loading makes (precision of <typeparamref name="T"/> equal to info's, one class name per
    /// output unit, activations and loss that the format can name, a loss that accepts the
    /// output activation, finite weights and biases). The bytes go to a temporary file in the
    /// same directory, flushed to disk, then renamed over the target, so a failure leaves the
    /// previous file whole and no temporary file behind. The same network and info always give
    /// the same bytes (no time stamps).
    /// </summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="network">The network to save, float or double.</param>
    /// <param name="info">What to record with it; the loss is stored by its canonical name.</param>
    /// <returns>
    /// Unit, or a one-line error that starts "cannot save PATH:" or "cannot write PATH:".
    /// </returns>
    public static Fin<Unit> Save<T>(string path, Network<T> network, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T> =>
        ModelWriter.Serialize(network, info)
            .BiMap(bytes => bytes, e => Error.New($"cannot save {path}: {e.Message}"))
            .Bind(bytes => AtomicFile.Write(path, bytes));

    /// <summary>
    /// The bytes <see cref="Save{T}"/> would write, after the same checks, for callers that
    /// write the model together with other files (<see cref="AtomicFile.WriteAll"/>).
    /// </summary>
    internal static Fin<byte[]> Serialize<T>(string path, Network<T> network, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T> =>
        ModelWriter.Serialize(network, info)
            .BiMap(bytes => bytes, e => Error.New($"cannot save {path}: {e.Message}"));

    /// <summary>
    /// Reads the model at <paramref name="path"/> in whichever precision it was saved, for
    /// callers that dispatch on it (<see cref="LoadedModel.Match{R}"/>).
    /// </summary>
    /// <returns>
    /// The model, or one line naming the file and the first problem in it (see
    /// <see cref="ModelReader"/> for the order of the checks).
    /// </returns>
    public static Fin<LoadedModel> Load(string path) =>
        ReadBytes(path).Bind(bytes => ModelReader.Parse(path, bytes, precision: null));

    /// <summary>
    /// Reads the model at <paramref name="path"/>, which must have been saved in the precision
    /// of <typeparamref name="T"/> (float32 for float, float64 for double).
    /// </summary>
    public static Fin<(Network<T> Network, ModelInfo Info)> Load<T>(string path)
        where T : struct, IFloatingPointIeee754<T> =>
        from precision in ModelInfo.PrecisionOf<T>()
        from bytes in ReadBytes(path)
        from model in ModelReader.Parse(path, bytes, precision)
        select model.Match(
            (n, i) => ((Network<T>)(object)n, i),
            (n, i) => ((Network<T>)(object)n, i));

    /// <summary>Reads a float64 model; a float32 file is an error that says so.</summary>
    public static Fin<(Network<double> Network, ModelInfo Info)> LoadDouble(string path) =>
        Load<double>(path);

    /// <summary>Reads a float32 model; a float64 file is an error that says so.</summary>
    public static Fin<(Network<float> Network, ModelInfo Info)> LoadSingle(string path) =>
        Load<float>(path);

    private static Fin<byte[]> ReadBytes(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return Error.New($"{path}: is a directory; expected a model file");
            }

            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return Error.New(FileKind.NameTooLong(path)
                    ? $"{path}: file name too long; expected a model file"
                    : $"{path}: no such model file");
            }

            if (FileKind.NotRegular(path) is { } kind)
            {
                return Error.New($"{path}: is {kind}; expected a model file");
            }

            if (file.Length > MaxFileBytes)
            {
                return Error.New(
                    $"{path}: the file has {file.Length} bytes; expected a model of at most "
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
