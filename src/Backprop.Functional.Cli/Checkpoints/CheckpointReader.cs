using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional.Cli.Checkpoints;

/// <summary>
/// Reads the JSON of a checkpoint file, checking it from top to bottom and stopping at the
/// first problem, which it names with where it is ("run/checkpoint.json: optimizer buffer 'm',
/// layer 2 weights have 64 rows but the layer has 128 outputs").
/// </summary>
/// <remarks>
/// In order: valid JSON, read as a model file's is (a UTF-8 byte order mark skipped, a key
/// twice in an object refused, and in every object a key that the writer does not write
/// refused before the others are read); the format name and version; the precision; the
/// settings, each as a run writes it and held to its option's rules (see SettingRules), and
/// the precision among them the checkpoint's; the position (epoch, batch, steps), against
/// itself and the settings (see Position); the optimizer chain, the one the other settings
/// make; the best epoch and the history, whose figures must be in range and agree with each
/// other and with the settings (see Figures), each epoch's η the one the chain's schedule gives
/// for its last step, the best epoch being the history's lowest validation loss; the model's
/// class names, and the model (checked as a model file is, and against the settings' sizes,
/// activations, loss and seed); the best model when the run stops early; and the optimizer
/// state, its η the last epoch's, its buffers the ones the chain's optimizer keeps, each with
/// the model's shapes and finite numbers, none negative in an average of squares. The header
/// alone is read only after all of that, so a resume that compares it with its arguments
/// blames an argument only for a real difference, never for damage. What needs the run's
/// data (the number of test images, the class names) is checked on resuming, in
/// <see cref="Running.ResumeCheck"/>.
/// </remarks>
internal static partial class CheckpointReader
{
    // What each setting a run records must hold (as RunIdentity.Of writes it), so that a
    // damaged value is named here (exit 1) and a resume refuses only a real difference: the
    // text a run writes for the value a setting's text means, or null when it means none or
    // one its option refuses (see SettingRules). A text that means a value but is not how a
    // run writes it ("0.10" for 0.1, "RELU") is damage too, as a resumed run's "0.1" would
    // differ from it as text.
    private static readonly (string Key, string Expected, Func<string, string?> Written)[]
        SettingKinds =
    [
        ("precision", "'float32' or 'float64'", v => v is ModelInfo.Float32 or ModelInfo.Float64
            ? v
            : null),
        ("trainingImages", Whole(1), v => WholeText(v, 1)),
        ("validation", Whole(0), v => WholeText(v, 0)),
        ("sizes", "sizes such as '784 → 100 → 10'", v => SizesText(v) ? v : null),
        ("activation", "an activation name", ActivationText),
        ("output", "an activation name", ActivationText),
        ("loss", "a loss name", LossText),
        ("init", "an initialization name", v => InitializationNames.Parse(v)?.Name()),
        ("batchSize", Whole(1), v => WholeText(v, 1)),
        ("seed", Whole(0), v =>
            ulong.TryParse(v, NumberStyles.None, Invariant, out var n) && n.ToString(Invariant) == v
                ? v
                : null),
        ("optimizer", "an optimizer name", v => OptimizerKinds.Parse(v)?.Name()),
        Number(SettingRules.LearningRate),
        Number(SettingRules.Momentum, orNone: true),
        Number(SettingRules.Beta2, orNone: true),
        Number(SettingRules.WeightDecay),
        Number(SettingRules.L2),
        Number(SettingRules.ClipNorm, orNone: true),
        ("schedule", "a schedule name", v => ScheduleKinds.Parse(v)?.Name()),
        Number(SettingRules.DecayFactor, orNone: true),
        ("decayEvery", Whole(1) + ", or ''", v => v.Length == 0 ? v : WholeText(v, 1)),
        ("warmup", Whole(0), v => WholeText(v, 0)),
        ("chain", "an optimizer chain", v => v.Length > 0 ? v : null),
        Number(SettingRules.Dropout),
        ("earlyStop", Whole(0), v => WholeText(v, 0)),
    ];

    // The keys of a checkpoint's object, as CheckpointWriter writes them.
    private static readonly string[] TopKeys =
    [
        "format", "version", "precision", "settings", "epoch", "batch", "batchesPerEpoch", "step",
        "skipped", "bestEpoch", "history", "optimizer", "model", "best",
    ];

    // The keys of a history entry: EpochMetrics's parameters, as --json names them.
    private static readonly string[] HistoryKeys = typeof(EpochMetrics).GetConstructors()[0]
        .GetParameters()
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!))
        .ToArray();

    // The settings whose options mean something only under some optimizers or schedules.
    private static readonly (string Key, string Option, string Expected)[] Dependent =
    [
        ("momentum", SettingRules.Momentum.Option, SettingRules.Momentum.Range),
        ("beta2", SettingRules.Beta2.Option, SettingRules.Beta2.Range),
        ("decayFactor", SettingRules.DecayFactor.Option, SettingRules.DecayFactor.Range),
        ("decayEvery", "--decay-every", Whole(1)),
    ];

    /// <summary>What <paramref name="read"/> makes of the JSON <paramref name="json"/>.</summary>
    /// <param name="name">The file's name, which starts every error message.</param>
    /// <param name="json">The file's bytes, UTF-8 JSON.</param>
    /// <param name="read">Reads the top-level object: <see cref="Header"/> or
    /// <see cref="Whole{T}"/>.</param>
    public static Fin<TResult> Parse<TResult>(
        string name, byte[] json, Func<string, JsonElement, Fin<TResult>> read) =>
        ModelReader.ParseJson(name, json, "checkpoint", root => read(name, root));

    /// <summary>
    /// The header: format, precision, settings, position, history and the model's class names,
    /// after checking the rest of the file too (the model against the settings, the best model
    /// and the optimizer state), in the file's own precision.
    /// </summary>
    /// <remarks>
    /// The networks and buffers are read here and again by <see cref="Whole{T}"/>, which keeps
    /// them: a resume parses its numbers twice, so that no setting is compared with the run's
    /// arguments before every part of the file is known to be one a run can have written.
    /// </remarks>
    public static Fin<CheckpointHeader> Header(string name, JsonElement root) =>
        from header in Top(name, root)
        from body in header.Precision == ModelInfo.Float32
            ? Body<float>(name, root, header).Map(_ => unit)
            : Body<double>(name, root, header).Map(_ => unit)
        select header;

    /// <summary>
    /// The whole checkpoint, saved in the precision of <typeparamref name="T"/>: the header,
    /// the model, the best model and the optimizer state.
    /// </summary>
    public static Fin<Checkpoint<T>> Whole<T>(string name, JsonElement root)
        where T : struct, IFloatingPointIeee754<T> =>
        from header in Top(name, root)
        from wanted in ModelInfo.PrecisionOf<T>()
        from samePrecision in ModelReader.Require(
            header.Precision == wanted,
            () => $"{name}: the checkpoint is {header.Precision}; expected {wanted}")
        from checkpoint in Body<T>(name, root, header)
        select checkpoint;

    // Everything but the networks and the optimizer's buffers, in the order of the file.
    private static Fin<CheckpointHeader> Top(string name, JsonElement root) =>
        from isObject in ModelReader.Require(
            root.ValueKind == JsonValueKind.Object,
            () => $"{name}: the top level is {ModelReader.Kind(root)}; expected a JSON object")
        from keys in ModelReader.OnlyKeys(name, root, TopKeys)
        from format in ModelReader.Text(name, root, "format")
        from knownFormat in ModelReader.Require(
            format == CheckpointFile.FormatName,
            () => $"{name}: format is '{format}'; expected '{CheckpointFile.FormatName}'")
        from version in Whole(name, root, "version", 0)
        from knownVersion in ModelReader.Require(
            version == CheckpointFile.FormatVersion,
            () => $"{name}: version {version} is not supported; "
                + $"expected {CheckpointFile.FormatVersion}")
        from precision in ModelReader.Text(name, root, "precision")
        from knownPrecision in ModelReader.Require(
            precision is ModelInfo.Float32 or ModelInfo.Float64,
            () => $"{name}: precision is '{precision}'; expected "
                + $"'{ModelInfo.Float32}' or '{ModelInfo.Float64}'")
        from settings in Settings(name, root)
        from samePrecision in ModelReader.Require(
            SettingValue(settings, "precision") == precision,
            () => $"{name}: setting 'precision' is \"{SettingValue(settings, "precision")}\" but "
                + $"the checkpoint is {precision}; expected the same")
        from held in Float32Holds(name, settings)
        let validation = long.Parse(
            settings.First(e => e.Key == "validation").Value, NumberStyles.None, Invariant)
        from epoch in Whole(name, root, "epoch", 1)
        from batchesPerEpoch in Whole(name, root, "batchesPerEpoch", 1)
        from batch in Whole(name, root, "batch", 1)
        from step in Long(name, root, "step")
        from skipped in Whole(name, root, "skipped", 0)
        from position in Position(name, settings, epoch, batch, batchesPerEpoch, step, skipped)
        from chain in Chain(name, settings, epoch, batchesPerEpoch)
        from bestEpoch in BestEpoch(name, root, epoch)
        from history in History(name, root, epoch, validation, precision)
        from rates in Rates(name, Made(settings, epoch, batchesPerEpoch).Optimizer, history,
            batchesPerEpoch)
        from bestValidated in ModelReader.Require(
            bestEpoch.IsNone || validation > 0,
            () => $"{name}: 'bestEpoch' is {bestEpoch.IfNone(0)} but the run holds no images "
                + "out (setting 'validation' is \"0\"), so it has no validation loss to be "
                + "best in; expected null")
        from bestAgrees in BestAgrees(name, settings, bestEpoch, history)
        from modelJson in ModelReader.Member(name, root, "model", JsonValueKind.Object)
        from classNames in ModelReader.Texts($"{name}: model", modelJson, "classNames")
        select new CheckpointHeader(
            precision,
            settings,
            epoch,
            batch,
            batchesPerEpoch,
            step,
            skipped,
            history,
            bestEpoch.ToNullable(),
            classNames);

    // The networks and the optimizer state of the checkpoint whose header is header.
    private static Fin<Checkpoint<T>> Body<T>(
        string name, JsonElement root, CheckpointHeader header)
        where T : struct, IFloatingPointIeee754<T> =>
        from modelJson in ModelReader.Member(name, root, "model", JsonValueKind.Object)
        from model in Network<T>($"{name}: model", modelJson, header.Precision, header.Settings)
        from best in Best(name, root, header, model, header.Precision)
        from optimizer in Optimizer(name, root, header, model)
        select new Checkpoint<T>(header, model, optimizer, best.IfNoneUnsafe((Network<T>?)null));

    private static Fin<IReadOnlyList<(string Key, string Value)>> Settings(
        string name, JsonElement root) =>
        from settings in ModelReader.Member(name, root, "settings", JsonValueKind.Object)
        from keys in ModelReader.OnlyKeys(
            $"{name}: settings", settings, SettingKinds.Select(k => k.Key).ToArray())
        from entries in Each(
            settings.EnumerateObject().ToArray(),
            (property, _) => property.Value.ValueKind == JsonValueKind.String
                ? FinSucc((property.Name, property.Value.GetString()!))
                : Error.New($"{name}: setting '{property.Name}' is "
                    + $"{ModelReader.Kind(property.Value)}; expected a string"))
        from known in Each(SettingKinds, (kind, _) => Setting(name, entries, kind))
        from applicable in Each(Dependent, (setting, _) => Applicable(name, entries, setting))
        select (IReadOnlyList<(string Key, string Value)>)entries;

    // A run records "" for an option that means nothing under its optimizer and schedule
    // (which the command line refuses when given), and a value for one that means something.
    private static Fin<Unit> Applicable(
        string name,
        IReadOnlyList<(string Key, string Value)> settings,
        (string Key, string Option, string Expected) setting)
    {
        var optimizer = OptimizerKinds.Parse(SettingValue(settings, "optimizer"))!.Value;
        var schedule = ScheduleKinds.Parse(SettingValue(settings, "schedule"))!.Value;
        var value = SettingValue(settings, setting.Key);
        var why = SettingRules.Inapplicable(setting.Option, optimizer, schedule);
        if (why is not null && value.Length > 0)
        {
            return Error.New($"{name}: setting '{setting.Key}' is \"{value}\" but {setting.Option} "
                + $"{why}; expected \"\"");
        }

        var under = setting.Key.StartsWith("decay", StringComparison.Ordinal)
            ? $"--schedule {schedule.Name()}"
            : $"--optimizer {optimizer.Name()}";
        return why is null && value.Length == 0
            ? Error.New($"{name}: setting '{setting.Key}' is \"\" but {under} takes "
                + $"{setting.Option}; expected {setting.Expected}")
            : unit;
    }

    private static CultureInfo Invariant => CultureInfo.InvariantCulture;

    private static string Float32Largest => float.MaxValue.ToString("R", Invariant);

    private static Fin<Unit> Setting(
        string name,
        (string Key, string Value)[] entries,
        (string Key, string Expected, Func<string, string?> Written) kind)
    {
        var found = entries.Where(e => e.Key == kind.Key).Select(e => e.Value).ToArray();
        if (found.Length == 0)
        {
            return Error.New($"{name}: setting '{kind.Key}' is missing; expected {kind.Expected}");
        }

        var written = kind.Written(found[0]);
        if (written == found[0])
        {
            return unit;
        }

        if (written is not null)
        {
            return Error.New($"{name}: setting '{kind.Key}' is \"{found[0]}\"; expected "
                + $"\"{written}\", as a run writes it");
        }

        // A number past float64's range, which no run can have been given.
        var tooLarge = SettingRules.Numbers.Any(r => r.Key == kind.Key) && PastDouble(found[0]);
        return Error.New(tooLarge
            ? $"{name}: setting '{kind.Key}' is "
                + ModelReader.Beyond($"\"{found[0]}\"", ModelInfo.Float64)
            : $"{name}: setting '{kind.Key}' is \"{found[0]}\"; expected {kind.Expected}");
    }

    // A whole number as a run writes it: digits alone, no leading zero ("032" is not how 32 is
    // written, and a resumed run's "32" would then differ from it as text).
    private static string? WholeText(string text, long minimum) =>
        long.TryParse(text, NumberStyles.None, Invariant, out var n) && n >= minimum
        && n.ToString(Invariant) == text
            ? text
            : null;

    private static string Whole(long minimum) =>
        $"a whole number ≥ {minimum} in digits, with no leading zero";

    // A number as a run writes it: the shortest text that reads back as the same double
    // ("0.1", "1E-05"), and 0 for −0, which a run before that wrote as "-0".
    private static string? NumberText(string text) =>
        double.TryParse(text, NumberStyles.Float, Invariant, out var x) && double.IsFinite(x)
            ? text == "-0" ? text : (x == 0 ? 0.0 : x).ToString("R", Invariant)
            : null;

    // A number setting: as a run writes it and in its option's range, or "" for none where
    // the option may be absent (whether it may, under the optimizer and schedule recorded,
    // is checked once all are read, see Applicable).
    private static (string Key, string Expected, Func<string, string?> Written) Number(
        NumberRule rule, bool orNone = false) =>
        (
            rule.Key,
            $"{rule.Range}, as {rule.Option} takes" + (orNone ? ", or ''" : string.Empty),
            v => orNone && v.Length == 0 ? v : RuledText(v, rule));

    private static string? RuledText(string text, NumberRule rule) =>
        NumberText(text) is { } written
        && rule.Accepts(double.Parse(written, NumberStyles.Float, Invariant))
            ? written
            : null;

    // An activation's name as a run writes it: lower case, no alias, the slope of a leaky
    // ReLU as a number is written ("leaky-relu:0.01").
    private static string? ActivationText(string text) =>
        ActivationNames.Parse(text).Match(a => (string?)a.Name, _ => null);

    private static string? LossText(string text) =>
        Functional.Loss.Parse(text).Match(l => (string?)l.Name, _ => null);

    // A decimal past float64's range, as "1e309", which reads as ∞.
    private static bool PastDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, Invariant, out var x) && double.IsInfinity(x)
        && !text.Contains("Infinity", StringComparison.OrdinalIgnoreCase);

    private static bool SizesText(string text)
    {
        var parts = text.Split(" → ");
        return parts.Length >= 2 && parts.All(p => WholeText(p, 1) is not null);
    }

    // The value of a setting already checked by Settings.
    private static string SettingValue(
        IReadOnlyList<(string Key, string Value)> settings, string key) =>
        settings.First(e => e.Key == key).Value;

    private static long SettingNumber(
        IReadOnlyList<(string Key, string Value)> settings, string key) =>
        long.Parse(SettingValue(settings, key), NumberStyles.None, Invariant);

    // Where the run stands, against itself and its settings. A checkpoint is saved after an
    // epoch's last batch, so the run has taken epoch × batchesPerEpoch steps, none skipped, and
    // an epoch has ⌈(trainingImages − validation) / batchSize⌉ batches.
    private static Fin<Unit> Position(
        string name,
        IReadOnlyList<(string Key, string Value)> settings,
        int epoch,
        int batch,
        int batchesPerEpoch,
        long step,
        int skipped)
    {
        var images = SettingNumber(settings, "trainingImages");
        var validation = SettingNumber(settings, "validation");
        var batchSize = SettingNumber(settings, "batchSize");
        if (validation >= images)
        {
            return Error.New($"{name}: setting 'validation' is \"{validation}\" but "
                + $"'trainingImages' is \"{images}\"; expected fewer images held out than "
                + "there are");
        }

        var trained = images - validation;
        var batches = (trained / batchSize) + (trained % batchSize == 0 ? 0 : 1);
        if (batchesPerEpoch != batches)
        {
            return Error.New($"{name}: 'batchesPerEpoch' is {batchesPerEpoch} but "
                + $"{Plural.Of(trained, "training image")} in batches of {batchSize} "
                + $"{Plural.Word(trained, "makes", "make")} {batches} (settings "
                + "'trainingImages', 'validation' and 'batchSize')");
        }

        if (batch != batchesPerEpoch)
        {
            return Error.New($"{name}: 'batch' is {batch}; expected {batchesPerEpoch}, the last "
                + "of its epoch, after which every checkpoint is saved");
        }

        var steps = (long)epoch * batchesPerEpoch;
        if (step != steps)
        {
            return Error.New($"{name}: 'step' is {step} but {Plural.Of(epoch, "epoch")} of "
                + $"{Plural.Of(batchesPerEpoch, "batch", "batches")} "
                + $"{Plural.Word(epoch, "is", "are")} {Plural.Of(steps, "step")}; expected "
                + "the same");
        }

        // The command stops at a non-finite step and never skips one.
        return skipped == 0
            ? unit
            : Error.New($"{name}: 'skipped' is {skipped} but this program never skips a step "
                + "(it stops at a non-finite one); expected 0");
    }

    // The best epoch of a run that stops early is the first with the lowest validation loss
    // (a NaN never the lowest), as the run keeps it; none when no loss is below +∞. A run that
    // does not stop early keeps none.
    private static Fin<Unit> BestAgrees(
        string name,
        IReadOnlyList<(string Key, string Value)> settings,
        Option<int> bestEpoch,
        IReadOnlyList<EpochMetrics> history)
    {
        var said = bestEpoch.IfNone(0);
        var shown = said == 0 ? "null" : said.ToString(Invariant);
        if (SettingNumber(settings, "earlyStop") == 0)
        {
            return said == 0
                ? unit
                : Error.New($"{name}: 'bestEpoch' is {shown} but the run does not stop early "
                    + "(setting 'earlyStop' is \"0\"); expected null");
        }

        if (SettingNumber(settings, "validation") == 0)
        {
            return Error.New($"{name}: setting 'earlyStop' is \"{SettingValue(settings, "earlyStop")}"
                + "\" but the run holds no images out (setting 'validation' is \"0\"), so it "
                + "has no validation loss to stop on");
        }

        var (lowest, epoch) = (double.PositiveInfinity, 0);
        foreach (var m in history)
        {
            if (m.ValidationLoss < lowest)
            {
                (lowest, epoch) = (m.ValidationLoss.Value, m.Epoch);
            }
        }

        if (said == epoch)
        {
            return unit;
        }

        return Error.New(epoch == 0
            ? $"{name}: 'bestEpoch' is {shown} but no validation loss in 'history' is below "
                + "Infinity; expected null"
            : $"{name}: 'bestEpoch' is {shown} but the lowest validation loss in 'history' is "
                + $"epoch {epoch}'s ({Number(lowest)}); expected {epoch}");
    }

    private static Fin<Option<int>> BestEpoch(string name, JsonElement root, int epoch)
    {
        if (root.TryGetProperty("bestEpoch", out var best) && best.ValueKind == JsonValueKind.Null)
        {
            return FinSucc(Option<int>.None);
        }

        return Whole(name, root, "bestEpoch", 1).Bind(e => e <= epoch
            ? FinSucc(Some(e))
            : Error.New($"{name}: 'bestEpoch' is {e} but the checkpoint is at epoch {epoch}"));
    }

    // One entry per epoch finished, numbered 1, 2, … in order, each with figures in range and
    // agreeing with each other and the run's settings (see Figures), all on one test set.
    private static Fin<IReadOnlyList<EpochMetrics>> History(
        string name, JsonElement root, int epoch, long validation, string precision) =>
        from history in ModelReader.Member(name, root, "history", JsonValueKind.Array)
        from count in ModelReader.Require(
            history.GetArrayLength() == epoch,
            () => $"{name}: 'history' has "
                + $"{Plural.Of(history.GetArrayLength(), "entry", "entries")} but the checkpoint "
                + $"is at epoch {epoch}; expected one per epoch")
        from entries in Each(history.EnumerateArray().ToArray(), (item, i) =>
            Metrics(item).Bind(m => m.Epoch == i + 1
                ? FinSucc(m)
                : Error.New($"epoch {m.Epoch}; expected {i + 1}"))
            .Bind(m => Figures(m, validation, precision))
            .BiMap(m => m, e => Error.New($"{name}: 'history' entry {i + 1}: {e.Message}")))
        from oneTestSet in Each(entries, (m, i) => ModelReader.Require(
            m.TestTotal == entries[0].TestTotal,
            () => $"{name}: 'history' entry {i + 1}: 'testTotal' is {m.TestTotal} but entry 1's "
                + $"is {entries[0].TestTotal}; expected the same test set every epoch"))
        select (IReadOnlyList<EpochMetrics>)entries;

    // The figures of one epoch as a run writes them: the training loss ≥ 0 and never NaN (see
    // TrainingLoss), the validation and test losses finite and ≥ 0 (all three within float32's
    // range in a float32 run: see Float32Loss), η and times finite and ≥ 0,
    // each accuracy exactly its correct / total, and validation figures exactly when the run
    // holds images out, with as many as it holds out.
    private static Fin<EpochMetrics> Figures(EpochMetrics m, long validation, string precision)
    {
        var problem = TrainingLoss(m.TrainingLoss, precision)
            ?? FiniteNonNegative("learningRate", m.LearningRate)
            ?? FiniteNonNegative("trainingSeconds", m.TrainingSeconds)
            ?? FiniteNonNegative("evaluationSeconds", m.EvaluationSeconds)
            ?? ValidationFigures(m, validation, precision)
            ?? Loss("testLoss", m.TestLoss, precision)
            ?? Counts("test", m.TestAccuracy, m.TestCorrect, m.TestTotal);
        return problem is null ? FinSucc(m) : Error.New(problem);
    }

    private static string? ValidationFigures(EpochMetrics m, long validation, string precision)
    {
        (string Key, double? Value)[] figures =
        [
            ("validationLoss", m.ValidationLoss),
            ("validationAccuracy", m.ValidationAccuracy),
            ("validationCorrect", m.ValidationCorrect),
            ("validationTotal", m.ValidationTotal),
        ];
        var setting = $"setting 'validation' is \"{validation.ToString(Invariant)}\"";
        if (validation == 0)
        {
            return figures.FirstOrDefault(f => f.Value is not null) is ({ } key, { } value)
                ? $"'{key}' is {Number(value)} but the run holds no images out ({setting}); "
                    + "expected null"
                : null;
        }

        if (figures.FirstOrDefault(f => f.Value is null) is ({ } missing, _))
        {
            return $"'{missing}' is null but the run holds images out ({setting}); expected a "
                + "number";
        }

        if (m.ValidationTotal != validation)
        {
            return $"'validationTotal' is {m.ValidationTotal} but {setting}; expected the same";
        }

        return Loss("validationLoss", m.ValidationLoss!.Value, precision)
            ?? Counts(
                "validation",
                m.ValidationAccuracy!.Value,
                m.ValidationCorrect!.Value,
                m.ValidationTotal!.Value);
    }

    // The mean training loss of an epoch, Σ batch loss × batch size / images. The run stops at
    // the first batch whose loss is not finite, so it adds only finite losses ≥ 0 and the mean
    // is never NaN. In float32 each is below 3.5e38 and their sum fits in a double; in float64
    // the sum can overflow to +∞ (a run with a huge η does it, and goes on training).
    private static string? TrainingLoss(double x, string precision)
    {
        var float32 = precision == ModelInfo.Float32;
        if (x >= 0 && (double.IsFinite(x) || !float32))
        {
            return Float32Loss("trainingLoss", x, precision);
        }

        var expected = float32 ? "a finite number ≥ 0" : "a number ≥ 0";
        var why = double.IsNaN(x)
            ? ": a run stops at a batch whose loss is not finite, so its epochs' means are numbers"
            : double.IsPositiveInfinity(x)
                ? ": a float32 run's batch losses are finite, and their sum fits in a double"
                : string.Empty;
        return $"'trainingLoss' is {Number(x)}; expected {expected}{why}";
    }

    // The mean validation or test loss: finite and ≥ 0, since a run whose network's outputs
    // on the held-out images, or the loss computed from them, overflow after an epoch stops
    // there as diverged, before that epoch's checkpoint (TrainingLoop.HeldOutProblem).
    private static string? Loss(string key, double x, string precision) =>
        double.IsFinite(x) && x >= 0
            ? Float32Loss(key, x, precision)
            : $"'{key}' is {Number(x)}; expected a finite number ≥ 0"
                + (x >= 0 || double.IsNaN(x)
                    ? ": a run stops at an epoch whose network's mean loss on the held-out "
                        + "images is not finite"
                    : string.Empty);

    // A float32 run's losses are float32 numbers, so within float32's range, and so is their
    // mean, which is no larger than the largest of them: a finite loss ≥ 0 that float32 cannot
    // hold (it rounds to ∞ there) is not one such a run records.
    private static string? Float32Loss(string key, double x, string precision) =>
        precision == ModelInfo.Float32 && double.IsFinite(x) && float.IsInfinity((float)x)
            ? $"'{key}' is {Number(x)}; expected a finite number ≥ 0 within float32's range, "
                + $"±{Float32Largest}: a float32 run's losses are float32 numbers, and their "
                + "mean is no larger"
            : null;

    private static string? FiniteNonNegative(string key, double x) =>
        double.IsFinite(x) && x >= 0
            ? null
            : $"'{key}' is {Number(x)}; expected a finite number ≥ 0";

    // The images of a set, those classified correctly and the accuracy they give.
    private static string? Counts(string set, double accuracy, int correct, int total)
    {
        var (a, c, t) = ($"'{set}Accuracy'", $"'{set}Correct'", $"'{set}Total'");
        if (total < 1)
        {
            return $"{t} is {total}; expected a whole number ≥ 1";
        }

        if (correct < 0 || correct > total)
        {
            return $"{c} is {correct} but {t} is {total}; expected a whole number from 0 to "
                + total;
        }

        if (!(accuracy >= 0 && accuracy <= 1))
        {
            return $"{a} is {Number(accuracy)}; expected a number in [0, 1]";
        }

        var expected = (double)correct / total;
        return accuracy == expected
            ? null
            : $"{a} is {Number(accuracy)} but {c} / {t} is {correct}/{total} = "
                + $"{Number(expected)}; expected them to agree";
    }

    private static string Number(double x) => x.ToString("R", Invariant);

    private static Fin<EpochMetrics> Metrics(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Error.New($"{ModelReader.Kind(item)}; expected an object");
        }

        if (ModelReader.UnknownKey(item, HistoryKeys) is { } unknown)
        {
            return Error.New(unknown);
        }

        foreach (var parameter in typeof(EpochMetrics).GetConstructors()[0].GetParameters())
        {
            var key = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
            var type = Nullable.GetUnderlyingType(parameter.ParameterType);
            var whole = (type ?? parameter.ParameterType) == typeof(int);
            var expected = (whole ? "a whole number" : "a number")
                + (type is null ? string.Empty : " or null");
            if (!item.TryGetProperty(key, out var value))
            {
                return Error.New($"'{key}' is missing; expected {expected}");
            }

            var fits = value.ValueKind switch
            {
                JsonValueKind.Null => type is not null,
                JsonValueKind.Number => !whole
                    || (ModelReader.IsDigits(value) && value.TryGetInt32(out _)),
                JsonValueKind.String => !whole
                    && value.GetString() is "NaN" or "Infinity" or "-Infinity",
                _ => false,
            };
            if (!fits)
            {
                return Error.New($"'{key}' is {ModelReader.Kind(value)}; "
                    + (value.ValueKind != JsonValueKind.Number
                        ? $"expected {expected}"
                        : ModelReader.IsDigits(value)
                            ? $"expected a whole number from 0 to {int.MaxValue}"
                            : ModelReader.NotDigits(value)));
            }

            // A number past float64's range reads as ∞, which the writer writes "Infinity".
            if (value.ValueKind == JsonValueKind.Number && !whole
                && !(value.TryGetDouble(out var x) && double.IsFinite(x)))
            {
                return Error.New(
                    $"'{key}' is the number "
                    + ModelReader.Beyond(value.GetRawText(), ModelInfo.Float64));
            }
        }

        try
        {
            return item.Deserialize<EpochMetrics>(CheckpointFile.HistoryOptions) is { } metrics
                ? FinSucc(metrics)
                : Error.New("null; expected an object");
        }
        catch (JsonException e)
        {
            var reason = e.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            return Error.New((cut >= 0 ? reason[..cut] : reason).TrimEnd('.'));
        }
    }

    // A model-file object of the checkpoint, checked as a model file is, whose loss and seed
    // are the run's (the writer records the run's own), and whose layers are the ones the
    // settings describe (see Agrees).
    private static Fin<Network<T>> Network<T>(
        string at,
        JsonElement json,
        string precision,
        IReadOnlyList<(string Key, string Value)> settings)
        where T : struct, IFloatingPointIeee754<T> =>
        from loaded in ModelReader.Read(at, json, precision)
        let info = loaded.Info
        let seed = info.Seed.ToString(Invariant)
        from sameLoss in ModelReader.Require(
            info.Loss == SettingValue(settings, "loss"),
            () => $"{at}: 'loss' is '{info.Loss}' but setting 'loss' is "
                + $"\"{SettingValue(settings, "loss")}\"; expected the same")
        from sameSeed in ModelReader.Require(
            seed == SettingValue(settings, "seed"),
            () => $"{at}: 'seed' is {seed} but setting 'seed' is "
                + $"\"{SettingValue(settings, "seed")}\"; expected the same")
        let network = loaded.Match(
            (n, _) => (Network<T>)(object)n,
            (n, _) => (Network<T>)(object)n)
        from agrees in Agrees(at, network, settings)
        select network;

    // The optimizer chain is the one the other settings make (see Made).
    private static Fin<Unit> Chain(
        string name, IReadOnlyList<(string Key, string Value)> settings, int epoch, int batches)
    {
        var chain = SettingValue(settings, "chain");
        var (made, epochs) = Made(settings, epoch, batches);
        return RunIdentity.Same(made.Name, chain)
            ? unit
            : Error.New($"{name}: setting 'chain' is \"{chain}\"; expected \"{made.Name}\", the "
                + "chain the other settings make"
                + (Recorded(settings).Schedule == ScheduleKind.Cosine
                    ? $", over {Plural.Of(epochs, "epoch")} or more of {batches} steps"
                    : string.Empty));
    }

    // The optimizer the settings make, for a run of the epochs it was given. A cosine schedule
    // decays over the run's steps, which follow its --epochs, a setting a run does not record:
    // the chain gives them, and they must be whole epochs, at least those taken (otherwise the
    // epochs taken, which make a chain that Chain finds other than the one recorded). Every
    // other schedule is the same whatever --epochs was.
    private static (Optimizer Optimizer, int Epochs) Made(
        IReadOnlyList<(string Key, string Value)> settings, int epoch, int batches)
    {
        var optimizer = Recorded(settings);
        var epochs = epoch;
        if (optimizer.Schedule == ScheduleKind.Cosine
            && CosineSteps().Match(SettingValue(settings, "chain")) is { Success: true } m
            && long.TryParse(m.Groups[1].Value, NumberStyles.None, Invariant, out var steps)
            && steps % batches == 0
            && steps / batches >= epoch
            && steps / batches <= int.MaxValue)
        {
            epochs = (int)(steps / batches);
        }

        return (optimizer.Build(batches, epochs), epochs);
    }

    // Each epoch's η is the schedule's for its last step, after epoch × batches − 1 updates
    // (the command skips no step, so every step is an update). Every schedule is plain
    // arithmetic and PortableMath (its power included), the same bits on every system, so the
    // rates are compared exactly; and a resumed run whose settings agree has this schedule.
    private static Fin<Unit> Rates(
        string name, Optimizer optimizer, IReadOnlyList<EpochMetrics> history, int batches)
    {
        var schedule = optimizer.LearningRate;
        foreach (var m in history)
        {
            var step = (long)m.Epoch * batches;
            var η = schedule.At(step - 1);
            if (m.LearningRate != η)
            {
                return Error.New($"{name}: 'history' entry {m.Epoch}: 'learningRate' is "
                    + $"{Number(m.LearningRate)} but the schedule, {schedule.Name}, gives "
                    + $"{Number(η)} for step {step}, the last of epoch {m.Epoch}; expected the "
                    + "same");
            }
        }

        return unit;
    }

    // The numbers of a float32 run are ones float32 holds, as the command line asks of its
    // options under --precision float32 (see Float32Limits).
    private static Fin<Unit> Float32Holds(
        string name, IReadOnlyList<(string Key, string Value)> settings)
    {
        if (SettingValue(settings, "precision") != ModelInfo.Float32)
        {
            return unit;
        }

        var hidden = SettingValue(settings, "sizes").Split(" → ").Length > 2
            ? ActivationNames.Parse(SettingValue(settings, "activation")).IfFail(_ => null!)
            : null;
        var output = ActivationNames.Parse(SettingValue(settings, "output")).IfFail(_ => null!);
        if (Float32Limits.First(Recorded(settings), hidden, output) is not { } p)
        {
            return unit;
        }

        var key = p.Slope
            ? p.Option.TrimStart('-')
            : SettingRules.Numbers.First(r => r.Option == p.Option).Key;
        return Error.New($"{name}: setting '{key}' is \"{SettingValue(settings, key)}\", "
            + (p.Slope ? "whose leaky ReLU slope " : "which ")
            + $"{p.Fault}, and the run is float32 (setting 'precision'); expected {p.Limit}");
    }

    // The optimizer settings as recorded, each already checked by Settings.
    private static OptimizerSettings Recorded(IReadOnlyList<(string Key, string Value)> settings)
    {
        double? Number(string key) => SettingValue(settings, key) is { Length: > 0 } v
            ? double.Parse(v, NumberStyles.Float, Invariant)
            : null;
        var decayEvery = SettingValue(settings, "decayEvery");
        return new(
            OptimizerKinds.Parse(SettingValue(settings, "optimizer"))!.Value,
            Number("learningRate")!.Value,
            Number("momentum"),
            Number("beta2"),
            Number("weightDecay")!.Value,
            Number("l2")!.Value,
            Number("clipNorm"),
            ScheduleKinds.Parse(SettingValue(settings, "schedule"))!.Value,
            Number("decayFactor"),
            decayEvery.Length > 0 ? int.Parse(decayEvery, NumberStyles.None, Invariant) : null,
            SettingNumber(settings, "warmup"));
    }

    // The decay length of a cosine schedule in an optimizer chain: "cosine(0.1 → 0 over 300)".
    [GeneratedRegex(@"cosine\([^()]* over (\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex CosineSteps();

    // A saved network is the one the settings describe: their sizes, the hidden activation on
    // every layer but the last, and the output activation on the last.
    private static Fin<Unit> Agrees<T>(
        string at, Network<T> network, IReadOnlyList<(string Key, string Value)> settings)
        where T : struct, IFloatingPointIeee754<T>
    {
        var layers = network.Layers.ToArray();
        var sizes = string.Join(
            " → ", layers.Select(l => l.InputSize).Append(layers[^1].OutputSize));
        var wantedSizes = SettingValue(settings, "sizes");
        if (sizes != wantedSizes)
        {
            return Error.New($"{at} is {sizes} but setting 'sizes' is \"{wantedSizes}\"; "
                + "expected the same");
        }

        var hidden = ActivationNames.Parse(SettingValue(settings, "activation"))
            .IfFail(_ => null!);
        var output = ActivationNames.Parse(SettingValue(settings, "output")).IfFail(_ => null!);
        for (var l = 0; l < layers.Length; l++)
        {
            var (key, wanted) = l == layers.Length - 1 ? ("output", output) : ("activation", hidden);
            if (layers[l].Activation != wanted)
            {
                return Error.New($"{at}: layer {l + 1} has activation "
                    + $"'{layers[l].Activation.Name}' but setting '{key}' is "
                    + $"\"{SettingValue(settings, key)}\"; expected the same");
            }
        }

        return unit;
    }

    // The best network when the header names a best epoch, and none otherwise. A best epoch
    // that is the checkpoint's own is saved once, as "model", with null here.
    private static Fin<Option<Network<T>>> Best<T>(
        string name, JsonElement root, CheckpointHeader header, Network<T> model, string precision)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (!root.TryGetProperty("best", out var best))
        {
            return Error.New($"{name}: 'best' is missing; expected an object or null");
        }

        var own = header.BestEpoch == header.Epoch;
        return (header.BestEpoch, best.ValueKind) switch
        {
            (null, JsonValueKind.Null) => FinSucc(Option<Network<T>>.None),
            ({ }, JsonValueKind.Null) when own => FinSucc(Some(model)),
            ({ }, JsonValueKind.Object) when !own => Network<T>(
                    $"{name}: best", best, precision, header.Settings)
                .Map(Some),
            _ => Error.New($"{name}: 'best' is {ModelReader.Kind(best)} but 'bestEpoch' is "
                + $"{header.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "null"} and "
                + $"'epoch' {header.Epoch}; expected "
                + (header.BestEpoch is null || own ? "null" : "a model")),
        };
    }

    private static Fin<int> Whole(string at, JsonElement json, string key, int minimum) =>
        from number in ModelReader.Member(at, json, key, JsonValueKind.Number)
        from value in Digits(number) && number.TryGetInt32(out var n) && n >= minimum
            ? FinSucc(n)
            : Error.New($"{at}: '{key}' is {number.GetRawText()}; "
                + WholeExpected(number, minimum, int.MaxValue))
        select value;

    private static Fin<long> Long(string at, JsonElement json, string key) =>
        from number in ModelReader.Member(at, json, key, JsonValueKind.Number)
        from value in Digits(number) && number.TryGetInt64(out var n) && n >= 0
            ? FinSucc(n)
            : Error.New($"{at}: '{key}' is {number.GetRawText()}; "
                + WholeExpected(number, 0, long.MaxValue))
        select value;

    private static bool Digits(JsonElement number) => ModelReader.IsDigits(number);

    // What a JSON number that is not a whole number from minimum to maximum should have been:
    // one written in digits alone (not 1.0, 1e0 or -0), or one in the range.
    private static string WholeExpected(JsonElement number, long minimum, long maximum) =>
        !ModelReader.IsDigits(number)
            ? ModelReader.NotDigits(number)
            : number.TryGetInt64(out var n) && n < minimum
                ? $"expected a whole number ≥ {minimum}"
                : $"expected a whole number from {minimum} to {maximum}";

    private static Fin<TValue[]> Each<TItem, TValue>(
        TItem[] items, Func<TItem, int, Fin<TValue>> read)
    {
        var values = new TValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var value = read(items[i], i);
            if (value.IsFail)
            {
                return (Error)value;
            }

            values[i] = (TValue)value;
        }

        return values;
    }
}
