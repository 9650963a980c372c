using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// Reads the JSON of a model file, checking it from top to bottom and stopping at the first
/// problem, which it names with where it is ("model.json: layer 2 weights have 64 columns but
/// layer 1 has 128 outputs").
/// </summary>
/// <remarks>
/// In order: valid JSON (after a UTF-8 byte order mark, if there is one) that is valid UTF-8,
/// strings included, in which no string or key escapes half a UTF-16 surrogate pair alone and
/// no object holds a key twice; the format name and version; the precision; the loss name; the
/// class names (none twice), seed and dataset; the sizes; then layer by layer its activation
/// name (read as --activation reads it, see <see cref="ActivationNames"/>; in a float32 model,
/// with a leaky ReLU slope that float32 holds below 1), the shape of
/// its weights against the sizes and the layer before, the length of its bias, and every
/// number finite in the file's precision; last, one class name per output unit and a loss
/// that accepts the output activation. A key that the format does not define (a typo such as
/// "clasNames", or one added by hand) is refused, at the top and in every layer, before the
/// object's other keys are read.
/// </remarks>
internal static class ModelReader
{
    // The deepest nesting read (a checkpoint's weight rows are 6 levels deep).
    private const int MaxDepth = 16;

    /// <summary>
    /// What a whole number read from a model or checkpoint file must be, beyond its range: written
    /// as the writers write one.
    /// </summary>
    internal const string DigitsAlone =
        "expected a whole number in digits alone, with no decimal point or exponent";

    /// <summary>
    /// What a whole number written -0 must be instead: the writers write 0 without a sign, and
    /// every whole-number field refuses -0 alike rather than reading it as 0.
    /// </summary>
    internal const string UnsignedZero =
        "expected a whole number in digits alone, with no '-' before 0";

    private static readonly string LargestFloat =
        float.MaxValue.ToString("R", CultureInfo.InvariantCulture);

    private static readonly string LargestDouble =
        double.MaxValue.ToString("R", CultureInfo.InvariantCulture);

    // The keys of a model file's object and of each of its layers, as ModelWriter writes them.
    private static readonly string[] ModelKeys =
    [
        "format", "version", "precision", "sizes", "loss", "classNames", "seed", "dataset",
        "layers",
    ];

    private static readonly string[] LayerKeys = ["activation", "weights", "bias"];

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The model in <paramref name="json"/>, or the first problem with it.</summary>
    /// <param name="name">The file's name, which starts every error message.</param>
    /// <param name="json">The file's bytes, UTF-8 JSON.</param>
    /// <param name="precision">The precision the caller needs, or null to take either.</param>
    public static Fin<LoadedModel> Parse(string name, byte[] json, string? precision) =>
        ParseJson(name, json, "model", root => Read(name, root, precision));

    /// <summary>
    /// What <paramref name="read"/> makes of the top-level value of <paramref name="json"/>, the
    /// bytes of a model or checkpoint file: UTF-8 JSON, after a byte order mark or not, in
    /// which no object holds a key twice; or the first problem with the JSON, named for a
    /// <paramref name="what"/> ("model", "checkpoint").
    /// </summary>
    internal static Fin<T> ParseJson<T>(
        string name, byte[] json, string what, Func<JsonElement, Fin<T>> read)
    {
        var text = json.AsMemory();
        if (text.Span.StartsWith(Utf8ByteOrderMark))
        {
            text = text[Utf8ByteOrderMark.Length..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            return Error.New(JsonProblem(name, text.Span, e, what));
        }

        using (document)
        {
            var problem = InvalidUtf8(name, text.Span)
                ?? LoneSurrogate(name, text.Span)
                ?? DuplicateKey(name, text.Span);
            return problem is null ? read(document.RootElement) : Error.New(problem);
        }
    }

    /// <summary>
    /// A message naming the first byte of <paramref name="text"/> that is not UTF-8, with where
    /// it is (1-based line and column, in bytes); null if all of it is UTF-8.
    /// </summary>
    /// <param name="name">The file's name, which starts the message.</param>
    /// <param name="text">The file's bytes, after any byte order mark.</param>
    internal static string? InvalidUtf8(string name, ReadOnlySpan<byte> text)
    {
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            return null;
        }

        var offset = 0;
        while (System.Text.Rune.DecodeFromUtf8(text[offset..], out _, out var consumed)
            == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        var (line, column) = Position(text, offset);
        return $"{name}: invalid UTF-8 at line {line}, column {column} (byte "
            + $"0x{text[offset]:X2}); expected UTF-8 text";
    }

    /// <summary>
    /// A message naming the first \u escape in a string or key of the (valid, UTF-8) JSON
    /// <paramref name="text"/> that is half of a UTF-16 surrogate pair without the other half,
    /// with where it is (1-based line and column, in bytes); null if there is none. Such a
    /// string is not text (.NET refuses to read it), so it is refused before any is read.
    /// </summary>
    /// <param name="name">The file's name, which starts the message.</param>
    /// <param name="text">The file's bytes, after any byte order mark.</param>
    internal static string? LoneSurrogate(string name, ReadOnlySpan<byte> text)
    {
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)
                || !reader.ValueIsEscaped)
            {
                continue;
            }

            // The raw value starts after the opening quote; the reader has checked its escapes.
            var value = reader.ValueSpan;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] != (byte)'\\')
                {
                    continue;
                }

                if (value[i + 1] != (byte)'u')
                {
                    i++;
                    continue;
                }

                var unit = Hex(value.Slice(i + 2, 4));
                var paired = unit is >= 0xD800 and <= 0xDBFF
                    && i + 11 < value.Length
                    && value[i + 6] == (byte)'\\'
                    && value[i + 7] == (byte)'u'
                    && Hex(value.Slice(i + 8, 4)) is >= 0xDC00 and <= 0xDFFF;
                if (paired || unit is < 0xD800 or > 0xDFFF)
                {
                    i += paired ? 11 : 5;
                    continue;
                }

                var (line, column) = Position(text, (int)reader.TokenStartIndex + 1 + i);
                var escape = System.Text.Encoding.ASCII.GetString(value.Slice(i, 6));
                var where = reader.TokenType == JsonTokenType.String ? "a string" : "a key";
                var half = unit <= 0xDBFF
                    ? "a high surrogate with no low surrogate after it"
                    : "a low surrogate with no high surrogate before it";
                return $"{name}: unpaired surrogate at line {line}, column {column} ({escape} "
                    + $"in {where}, {half}); expected a whole character";
            }
        }

        return null;
    }

    /// <summary>
    /// The model in <paramref name="root"/>, a model file's object that may sit inside another
    /// document (a checkpoint holds two), or the first problem with it.
    /// </summary>
    internal static Fin<LoadedModel> Read(string name, JsonElement root, string? wanted) =>
        from isObject in Require(
            root.ValueKind == JsonValueKind.Object,
            () => $"{name}: the top level is {Kind(root)}; expected a JSON object")
        from keys in OnlyKeys(name, root, ModelKeys)
        from format in Text(name, root, "format")
        from knownFormat in Require(
            format == ModelFile.FormatName,
            () => $"{name}: format is '{format}'; expected '{ModelFile.FormatName}'")
        from version in Member(name, root, "version", JsonValueKind.Number)
        from digits in Require(
            IsDigits(version),
            () => $"{name}: 'version' is {version.GetRawText()}; {NotDigits(version)}")
        from knownVersion in Require(
            version.TryGetInt32(out var v) && v == ModelFile.FormatVersion,
            () => $"{name}: version {version.GetRawText()} is not supported; "
                + $"expected {ModelFile.FormatVersion}")
        from precision in Text(name, root, "precision")
        from knownPrecision in Require(
            precision is ModelInfo.Float32 or ModelInfo.Float64,
            () => $"{name}: precision is '{precision}'; expected "
                + $"'{ModelInfo.Float32}' or '{ModelInfo.Float64}'")
        from wantedPrecision in Require(
            wanted is null || wanted == precision,
            () => $"{name}: the model is {precision}; expected {wanted}")
        from lossName in Text(name, root, "loss")
        from loss in Within($"{name}: loss", Loss.Parse(lossName))
        from classNames in Texts(name, root, "classNames")
        from distinct in Distinct(name, "classNames", classNames)
        from seed in Seed(name, root)
        from dataset in Text(name, root, "dataset")
        from sizes in Sizes(name, root)
        from fit in LayersFit(name, sizes)
        from layers in Member(name, root, "layers", JsonValueKind.Array)
        from layerCount in Require(
            layers.GetArrayLength() == sizes.Length - 1,
            () => $"{name}: 'layers' has "
                + $"{Plural.Of(layers.GetArrayLength(), "entry", "entries")} but 'sizes' "
                + $"[{string.Join(", ", sizes)}] describes {sizes.Length - 1}")
        let info = new ModelInfo(precision, loss.Name, classNames, seed, dataset)
        from model in precision == ModelInfo.Float32
            ? ReadNetwork<float>(name, layers, sizes, loss, info)
                .Map(n => (LoadedModel)new LoadedModel.Float32(n, info))
            : ReadNetwork<double>(name, layers, sizes, loss, info)
                .Map(n => (LoadedModel)new LoadedModel.Float64(n, info))
        select model;

    private static Fin<Network<T>> ReadNetwork<T>(
        string name, JsonElement layers, int[] sizes, Loss loss, ModelInfo info)
        where T : struct, IFloatingPointIeee754<T>
    {
        var built = new List<Layer<T>>();
        for (var l = 1; l < sizes.Length; l++)
        {
            var layer = ReadLayer<T>(name, l, layers[l - 1], sizes);
            if (layer.IsFail)
            {
                return (Error)layer;
            }

            built.Add((Layer<T>)layer);
        }

        return
            from network in Within(name, Network.TryCreate(toSeq(built)))
            from named in Require(
                info.ClassNames.Count == network.OutputSize,
                () => $"{name}: 'classNames' has "
                    + $"{Plural.Of(info.ClassNames.Count, "entry", "entries")} but the output "
                    + $"layer has {Plural.Of(network.OutputSize, "unit")}; expected one name per "
                    + "unit")
            from fits in Within(name, loss.Accepts(network.OutputActivation))
            select network;
    }

    // Layer l (1-based) maps sizes[l − 1] inputs to sizes[l] outputs.
    private static Fin<Layer<T>> ReadLayer<T>(string name, int l, JsonElement json, int[] sizes)
        where T : struct, IFloatingPointIeee754<T>
    {
        var at = $"{name}: layer {l}";
        var (inputs, outputs) = (sizes[l - 1], sizes[l]);
        return
            from isObject in Require(
                json.ValueKind == JsonValueKind.Object,
                () => $"{at} is {Kind(json)}; expected an object")
            from keys in OnlyKeys(at, json, LayerKeys)
            from activationName in Text(at, json, "activation")
            from activation in Within($"{at} activation", ActivationNames.Parse(activationName))
            from slope in Float32Slope<T>($"{at} activation", activationName, activation)
            from rows in Member(at, json, "weights", JsonValueKind.Array)
            from rowCount in Require(
                rows.GetArrayLength() == outputs,
                () => $"{at} weights have {Plural.Of(rows.GetArrayLength(), "row")} but "
                    + $"sizes[{l}] is {outputs}")
            from weights in ReadWeights<T>(at, l, rows, inputs)
            from biasJson in Member(at, json, "bias", JsonValueKind.Array)
            from biasLength in Require(
                biasJson.GetArrayLength() == outputs,
                () => $"{at} bias has {Plural.Of(biasJson.GetArrayLength(), "value")} but its "
                    + $"weights have {Plural.Of(outputs, "row")}")
            from bias in Numbers<T>($"{at} bias", biasJson)
            from layer in Within(at, Layer.TryCreate(weights, Bias(bias), activation))
            select layer;
    }

    // A float32 network computes with a leaky ReLU's slope rounded to float, which is 1 from
    // 1 − 2⁻²⁵ up (see LeakySlope): the identity, not a leaky ReLU. Refused in float32 models,
    // as train refuses it under --precision float32; the slope is echoed as the file writes it.
    private static Fin<Unit> Float32Slope<T>(string at, string written, Activation activation)
    {
        if (typeof(T) != typeof(float)
            || LeakySlope.Of(activation) is not { } α
            || !LeakySlope.IsOneInFloat32(α))
        {
            return unit;
        }

        var name = written.Trim();
        return Error.New(
            $"{at}: leaky ReLU slope is 1 in float32, where it must be below 1, got "
            + $"'{name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..]}'; expected at most "
            + LeakySlope.LargestFloat32);
    }

    // W row by row in the file; column-major in memory, as MathNet stores it. The rows are
    // enumerated: indexing a JSON array of arrays scans it from the start each time, which
    // made a model of 200,000 rows take a minute to read.
    private static Fin<Matrix<T>> ReadWeights<T>(string at, int l, JsonElement rows, int inputs)
        where T : struct, IFloatingPointIeee754<T>
    {
        var outputs = rows.GetArrayLength();
        var values = new T[outputs * inputs];
        var r = -1;
        foreach (var row in rows.EnumerateArray())
        {
            r++;
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != inputs)
            {
                var found = row.ValueKind == JsonValueKind.Array
                    ? Plural.Of(row.GetArrayLength(), "column")
                    : Kind(row);
                var problem = (l, r) switch
                {
                    (1, 0) => $"have {found} but the input size, sizes[0], is {inputs}",
                    (_, 0) => $"have {found} but layer {l - 1} has {Plural.Of(inputs, "output")}",
                    _ => $"row {r + 1} has {found} but row 1 has {inputs}",
                };
                return Error.New($"{at} weights {problem}");
            }

            var numbers = Numbers<T>($"{at} weights row {r + 1}", row);
            if (numbers.IsFail)
            {
                return (Error)numbers;
            }

            var rowValues = (T[])numbers;
            for (var c = 0; c < inputs; c++)
            {
                values[(c * outputs) + r] = rowValues[c];
            }
        }

        return Matrix<T>.Build.Dense(outputs, inputs, values);
    }

    // Each number is read straight into the file's precision (a float32 value is never read as
    // a double and rounded again), so the shortest decimals the writer chose read back exactly.
    internal static Fin<T[]> Numbers<T>(string at, JsonElement array)
        where T : struct, IFloatingPointIeee754<T>
    {
        var values = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var ok = item.ValueKind == JsonValueKind.Number
                && (typeof(T) == typeof(float)
                    ? item.TryGetSingle(out var f) && float.IsFinite(f)
                        && Store(values, i, T.CreateTruncating(f))
                    : item.TryGetDouble(out var d) && double.IsFinite(d)
                        && Store(values, i, T.CreateTruncating(d)));
            if (!ok)
            {
                var precision = typeof(T) == typeof(float) ? ModelInfo.Float32 : ModelInfo.Float64;
                return Error.New(item.ValueKind == JsonValueKind.Number
                    ? $"{at}, value {i + 1} is {Beyond(item.GetRawText(), precision)}"
                    : $"{at}, value {i + 1} is {Kind(item)}; expected a number");
            }

            i++;
        }

        return values;
    }

    /// <summary>
    /// Unit when every key of the object <paramref name="json"/> is one of
    /// <paramref name="keys"/>, the keys the program writes there; otherwise the first other
    /// key, named after <paramref name="at"/>, where it is. A misspelt key ("learningrate") or
    /// one added by hand would otherwise be passed over without a word.
    /// </summary>
    internal static Fin<Unit> OnlyKeys(string at, JsonElement json, IReadOnlyList<string> keys) =>
        UnknownKey(json, keys) is { } problem ? Error.New($"{at}: {problem}") : unit;

    /// <summary>
    /// "unknown key 'x'; expected only 'a', 'b' and 'c'" for the first key of the object
    /// <paramref name="json"/> that is not one of <paramref name="keys"/>; null when there is
    /// none.
    /// </summary>
    internal static string? UnknownKey(JsonElement json, IReadOnlyList<string> keys)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (!keys.Contains(property.Name))
            {
                var quoted = keys.Select(k => $"'{k}'").ToArray();
                return $"unknown key '{property.Name}'; expected only "
                    + $"{string.Join(", ", quoted[..^1])} and {quoted[^1]}";
            }
        }

        return null;
    }

    /// <summary>
    /// What a number read from a model or checkpoint file is when <paramref name="precision"/>
    /// cannot hold it (it rounds to ∞ there): "1e39, beyond float32's range, ±3.4028235E+38".
    /// </summary>
    /// <param name="written">The number as the file writes it.</param>
    /// <param name="precision">"float32" or "float64".</param>
    internal static string Beyond(string written, string precision) =>
        $"{written}, beyond {precision}'s range, "
        + $"±{(precision == ModelInfo.Float32 ? LargestFloat : LargestDouble)}";

    /// <summary>
    /// Whether the JSON number <paramref name="number"/> is written as the writers write a
    /// whole number: digits alone, after a '-' or not; not 1.0 or 1e0, which .NET does not
    /// read as whole numbers (and 1e309, which is no number a double holds), and not -0, which
    /// .NET reads as 0 but no writer writes.
    /// </summary>
    internal static bool IsDigits(JsonElement number) =>
        number.GetRawText() is var raw && raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0
        && raw != "-0";

    /// <summary>
    /// What a number that is not <see cref="IsDigits"/> should have been: <see cref="UnsignedZero"/>
    /// for -0, else <see cref="DigitsAlone"/>.
    /// </summary>
    internal static string NotDigits(JsonElement number) =>
        number.GetRawText() == "-0" ? UnsignedZero : DigitsAlone;

    private static MathNet.Numerics.LinearAlgebra.Vector<T> Bias<T>(T[] values)
        where T : struct, IFloatingPointIeee754<T> =>
        MathNet.Numerics.LinearAlgebra.Vector<T>.Build.Dense(values);

    private static bool Store<T>(T[] values, int i, T value)
    {
        values[i] = value;
        return true;
    }

    private static Fin<int[]> Sizes(string name, JsonElement root) =>
        from array in Member(name, root, "sizes", JsonValueKind.Array)
        from count in Require(
            array.GetArrayLength() >= 2,
            () => $"{name}: 'sizes' lists {Plural.Of(array.GetArrayLength(), "size")}; expected "
                + "at least 2 (inputs, …, outputs)")
        from sizes in Each(array, (item, i) =>
            item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) && n >= 1
                ? FinSucc(n)
                : Error.New($"{name}: 'sizes' entry {i + 1} is {Shown(item)}; "
                    + (item.ValueKind == JsonValueKind.Number && !IsDigits(item)
                        ? NotDigits(item)
                        : $"expected a whole number from 1 to {int.MaxValue}")))
        select sizes;

    // Each layer's weights are one array of sizes[l − 1] × sizes[l] numbers. Sizes whose
    // product is past the largest array describe a layer no file can hold, and reading its
    // rows would allocate an array of a size that overflows: refused first, by the sizes.
    private static Fin<Unit> LayersFit(string name, int[] sizes)
    {
        for (var l = 1; l < sizes.Length; l++)
        {
            var weights = (long)sizes[l - 1] * sizes[l];
            if (weights > System.Array.MaxLength)
            {
                return Error.New(
                    $"{name}: 'sizes' [{string.Join(", ", sizes)}] gives layer {l} "
                    + $"({sizes[l - 1]} → {sizes[l]}) {weights} weights; expected at most "
                    + $"{System.Array.MaxLength} (the largest array)");
            }
        }

        return unit;
    }

    private static Fin<ulong> Seed(string name, JsonElement root) =>
        from seed in Member(name, root, "seed", JsonValueKind.Number)
        from digits in Require(
            IsDigits(seed), () => $"{name}: 'seed' is {seed.GetRawText()}; {NotDigits(seed)}")
        from value in seed.TryGetUInt64(out var s)
            ? FinSucc(s)
            : Error.New($"{name}: 'seed' is {seed.GetRawText()}; expected a whole number from 0 "
                + $"to {ulong.MaxValue}")
        select value;

    internal static Fin<IReadOnlyList<string>> Texts(string name, JsonElement root, string key) =>
        from array in Member(name, root, key, JsonValueKind.Array)
        from count in Require(
            array.GetArrayLength() >= 1,
            () => $"{name}: '{key}' is empty; expected at least one name")
        from texts in Each(array, (item, i) =>
            item.ValueKind == JsonValueKind.String
                ? FinSucc(item.GetString()!)
                : Error.New($"{name}: '{key}' entry {i + 1} is {Kind(item)}; expected a string"))
        select (IReadOnlyList<string>)texts;

    // Names as classes.txt gives them (Data/ClassNames.cs): none blank or with spaces around
    // it, which a report would print as another name or none, and no two alike, which would
    // make every report that names classes ambiguous; worded as classes.txt's refusals.
    private static Fin<Unit> Distinct(string name, string key, IReadOnlyList<string> names)
    {
        var padded = names.Select((n, i) => (Name: n, Index: i))
            .FirstOrDefault(n => n.Name.Length == 0 || n.Name.Trim() != n.Name);
        if (padded.Name is { } bad)
        {
            return Error.New(
                $"{name}: '{key}' entry {padded.Index + 1} is '{bad}'; expected a name that is "
                + "not blank and has no spaces around it");
        }

        return ClassNames.FirstRepeat(names) is var (first, again)
            ? Error.New(
                $"{name}: '{key}' entry {again + 1} names '{names[again]}' again, as entry "
                + $"{first + 1} does; expected a different name for each class")
            : unit;
    }

    internal static Fin<string> Text(string at, JsonElement json, string key) =>
        Member(at, json, key, JsonValueKind.String).Map(e => e.GetString()!);

    internal static Fin<JsonElement> Member(
        string at, JsonElement json, string key, JsonValueKind kind)
    {
        if (!json.TryGetProperty(key, out var value))
        {
            return Error.New($"{at}: '{key}' is missing; expected {Article(kind)}");
        }

        return value.ValueKind == kind
            ? value
            : Error.New($"{at}: '{key}' is {Kind(value)}; expected {Article(kind)}");
    }

    private static Fin<T[]> Each<T>(JsonElement array, Func<JsonElement, int, Fin<T>> read)
    {
        var values = new T[array.GetArrayLength()];
        for (var i = 0; i < values.Length; i++)
        {
            var value = read(array[i], i);
            if (value.IsFail)
            {
                return (Error)value;
            }

            values[i] = (T)value;
        }

        return values;
    }

    internal static Fin<Unit> Require(bool condition, Func<string> problem) =>
        condition ? unit : Error.New(problem());

    // Puts where a core error happened in front of its message.
    private static Fin<T> Within<T>(string at, Fin<T> result) =>
        result.BiMap(x => x, e => Error.New($"{at}: {e.Message}"));

    // A number as the file writes it; any other value by its kind ("the string \"4\"").
    private static string Shown(JsonElement json) =>
        json.ValueKind == JsonValueKind.Number ? json.GetRawText() : Kind(json);

    internal static string Kind(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"the string {json.GetRawText()}",
        JsonValueKind.Number => $"the number {json.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => json.GetRawText(),
        _ => "null",
    };

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        _ => "a number",
    };

    // One line for a JSON syntax error: where it is (1-based line and column) and a short
    // reason, or that the text ends early, which is what a truncated file looks like.
    private static string JsonProblem(
        string name, ReadOnlySpan<byte> json, JsonException e, string what)
    {
        var end = json.Length;
        while (end > 0 && json[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }

        if (end == 0)
        {
            return $"{name}: the file is empty; expected a JSON {what}";
        }

        var line = e.LineNumber ?? 0;
        var column = e.BytePositionInLine ?? 0;
        var offset = 0L;
        for (var seen = 0L; seen < line && offset < json.Length; offset++)
        {
            seen += json[(int)offset] == (byte)'\n' ? 1 : 0;
        }

        if (offset + column >= end)
        {
            return $"{name}: the JSON ends early, at line {line + 1}, column {column + 1}; "
                + "is the file truncated?";
        }

        var reason = e.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = (cut >= 0 ? reason[..cut] : reason).ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return $"{name}: invalid JSON at line {line + 1}, column {column + 1}: {Plain(reason)}";
    }

    // The parser's reason, in the file's terms rather than the parser's settings for the two
    // that name them: the nesting limit and trailing commas.
    private static string Plain(string reason)
    {
        if (reason.StartsWith("The maximum configured depth", StringComparison.Ordinal))
        {
            return $"the JSON nests more than {MaxDepth} levels deep, deeper than any model or "
                + "checkpoint file";
        }

        return reason.Contains("trailing comma", StringComparison.Ordinal)
            ? "a comma before the closing bracket or brace, which JSON does not allow"
            : reason;
    }

    // The first key that an object of the (valid) JSON holds a second time, as a message that
    // names it, the object (a JSON path) and where the second one is (1-based line and column,
    // in bytes); null if there is none. Keys are compared as they read, escapes undone.
    private static string? DuplicateKey(string name, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        Container? open = null;
        string? key = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    key = reader.GetString()!;
                    if (!open!.Keys!.Add(key))
                    {
                        var (line, column) = Position(json, (int)reader.TokenStartIndex);
                        var where = open.Parent is null
                            ? "the top-level object"
                            : $"the object at {open.Path()}";
                        return $"{name}: the key '{Escaped(key)}' appears twice in {where}, again "
                            + $"at line {line}, column {column}; expected each key once per object";
                    }

                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var inArray = open is { Keys: null };
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    open = new Container(
                        open,
                        inArray ? null : key,
                        inArray ? ++open!.Count : -1,
                        isObject ? new(StringComparer.Ordinal) : null);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    open = open!.Parent;
                    break;
                default:
                    if (open is { Keys: null })
                    {
                        open.Count++;
                    }

                    break;
            }
        }

        return null;
    }

    // The value of four hex digits (which the JSON reader has checked).
    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var d in digits)
        {
            value = (value << 4) | (d <= (byte)'9' ? d - '0' : (d | 0x20) - 'a' + 10);
        }

        return value;
    }

    private static (int Line, int Column) Position(ReadOnlySpan<byte> json, int offset)
    {
        var before = json[..offset];
        var start = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, offset - start + 1);
    }

    private static string Escaped(string text) =>
        JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    // An object (with the keys seen so far) or an array (with the count of its values so far),
    // and where it sits: under a key of its parent object, or at an index of its parent array.
    private sealed class Container(
        Container? parent, string? key, int index, System.Collections.Generic.HashSet<string>? keys)
    {
        public Container? Parent => parent;

        public System.Collections.Generic.HashSet<string>? Keys => keys;

        public int Count { get; set; } = -1;

        public string Path() => parent is null
            ? "$"
            : parent.Path() + (key is null
                ? $"[{index}]"
                : IsName(key) ? $".{key}" : $"['{Escaped(key)}']");

        private static bool IsName(string key) =>
            key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(char.IsAsciiLetterOrDigit);
    }
}
