using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>One setting that makes a run what it is, as a checkpoint records it.</summary>
/// <param name="Key">The name in the checkpoint's "settings".</param>
/// <param name="Label">What an error message calls it: the option, or what it follows from.</param>
/// <param name="Value">The value as text, numbers in full precision.</param>
internal sealed record RunSetting(string Key, string Label, string Value);

/// <summary>
/// The settings a resumed run must share with its checkpoint: everything that shapes the steps
/// (the data's sizes, the network, the optimizer chain and its schedule, the batches, the seed,
/// dropout, the validation split, early stopping), but not the number of epochs (unless the
/// schedule depends on it), the output files or the backend.
/// </summary>
internal static partial class RunIdentity
{
    /// <summary>The settings of a run over <paramref name="data"/>, in a fixed order.</summary>
    public static IReadOnlyList<RunSetting> Of(
        TrainSettings s, DataSplit data, int[] sizes, Optimizer optimizer)
    {
        var o = s.Optimizer;
        return
        [
            new("precision", "--precision", s.Precision.Name()),
            new("trainingImages", "--data (its training images)", Text(data.Train.Count)),
            new("validation", "--validation", Text(s.Validation)),
            new("sizes", "--hidden (the network)", string.Join(" → ", sizes)),
            new("activation", "--activation", s.Activation.Name),
            new("output", "--output", s.Output.Name),
            new("loss", "--loss", s.Loss.Name),
            new("init", "--init", s.Initialization.Name()),
            new("batchSize", "--batch-size", Text(s.BatchSize)),
            new("seed", "--seed", s.Seed.ToString(CultureInfo.InvariantCulture)),
            new("optimizer", "--optimizer", o.Kind.Name()),
            new("learningRate", "--learning-rate", Text(o.LearningRate)),
            new("momentum", "--momentum", Text(o.Momentum)),
            new("beta2", "--beta2", Text(o.Beta2)),
            new("weightDecay", "--weight-decay", Text(o.WeightDecay)),
            new("l2", "--l2", Text(o.L2)),
            new("clipNorm", "--clip-norm", Text(o.ClipNorm)),
            new("schedule", "--schedule", o.Schedule.Name()),
            new("decayFactor", "--decay-factor", Text(o.DecayFactor)),
            new("decayEvery", DecayEveryLabel(o), Text(o.DecayEvery)),
            new("warmup", "--warmup", Text(o.Warmup)),
            new("chain", ChainLabel(o), optimizer.Name),
            new("dropout", "--dropout", Text(s.Dropout)),
            new("earlyStop", "--early-stop", Text(s.EarlyStop)),
        ];
    }

    /// <summary>
    /// Throws a <see cref="CommandFailure"/> (exit code 2) naming the first setting of
    /// <paramref name="run"/> that differs from the checkpoint's, or that the checkpoint lacks.
    /// </summary>
    public static void CheckAgainst(
        IReadOnlyList<RunSetting> run, CheckpointHeader checkpoint, string path)
    {
        var saved = checkpoint.Settings.ToDictionary(e => e.Key, e => e.Value);
        foreach (var setting in run)
        {
            if (!saved.TryGetValue(setting.Key, out var value))
            {
                throw CommandFailure.Usage(
                    $"--resume {path}: the checkpoint does not record '{setting.Key}'");
            }

            if (!Same(setting.Value, value))
            {
                throw CommandFailure.Usage(
                    $"--resume {path}: {setting.Label} gives {Shown(setting.Value)} but the "
                    + $"checkpoint's run has {Shown(value)}");
            }
        }
    }

    private static string Shown(string value) => value.Length == 0 ? "none" : value;

    /// <summary>
    /// Whether a setting of the run, <paramref name="run"/>, and a checkpoint's,
    /// <paramref name="saved"/>, are the same: as text, or but for how an older version wrote
    /// the same thing.
    /// </summary>
    /// <remarks>
    /// A checkpoint written before −0 was recorded as 0 (see Text) has "-0" for
    /// <c>--momentum -0</c>, <c>--beta2 -0</c>, <c>--weight-decay -0</c>, <c>--l2 -0</c> or
    /// <c>--dropout -0</c>, and its chain "μ = -0", "β₁ = -0", "β₂ = -0" or "ρ = -0"; one
    /// written before counts of one were singular has "after 1 warm-up steps" in its chain.
    /// </remarks>
    public static bool Same(string run, string saved) =>
        run == saved || Current(run) == Current(saved);

    private static string Current(string value) =>
        NegativeZero().Replace(value, "0")
            .Replace("after 1 warm-up steps", "after 1 warm-up step", System.StringComparison.Ordinal);

    // A number that is −0 as written: "-0" alone, not inside "1E-05" or "-0.5".
    [GeneratedRegex(@"(?<![\w.])-0(?![\w.])", RegexOptions.CultureInvariant)]
    private static partial Regex NegativeZero();

    // The chain holds every setting compared before it, and the epochs only through a cosine
    // schedule, which decays over the whole run (a step or exponential one follows --epochs
    // only through its default --decay-every, compared before). Only then may a difference in
    // the chain come from --epochs, and only then does the label say so; a chain other than
    // the one its own settings make is damage, refused when the checkpoint is read.
    private static string ChainLabel(OptimizerSettings o) =>
        o.Schedule == ScheduleKind.Cosine
            ? "the optimizer chain (the schedule follows --epochs)"
            : "the optimizer chain";

    // Whether the run's --decay-every was given or follows from --epochs: only the default
    // is a third of them, and then a different --epochs is what changed it.
    private static string DecayEveryLabel(OptimizerSettings o) =>
        o.DecayEveryByDefault
            ? "--decay-every (not given: a third of --epochs, rounded up)"
            : "--decay-every";

    // −0 is written as 0: a setting of "-0" is the same setting as "0".
    private static string Text(double? x) =>
        x is { } v ? (v == 0 ? 0.0 : v).ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    private static string Text(long x) => x.ToString(CultureInfo.InvariantCulture);
}
