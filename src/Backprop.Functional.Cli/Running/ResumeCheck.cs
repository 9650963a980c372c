using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// Whether a run may continue from a checkpoint: the same settings, the η its schedule gives,
/// and epochs left to train; and a warning when the data name their classes otherwise.
/// </summary>
internal static class ResumeCheck
{
    // Buffers that average squared gradients (Adam's and AdamW's v, RMSProp's), which the
    // optimizer takes the square root of: a negative value in one can only be damage.
    private static readonly string[] SquareAverages = ["v", "square-average"];

    /// <summary>
    /// The header of the checkpoint at <paramref name="path"/>, after checking that
    /// <paramref name="run"/> continues it.
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when the file cannot be read or is not a
    /// checkpoint, or when its history records an η other than the run's schedule gives; exit
    /// code 2 when the run's settings contradict it, when the data's test set has another
    /// number of images than its history, or when --epochs is fewer than the epochs it has
    /// done.</exception>
    public static CheckpointHeader Header(TrainingRun run, string path)
    {
        var header = CheckpointFile.ReadHeader(path).OrFail();

        // At the end of the last epoch, or of a run that stopped early, the run only writes
        // its files (see TrainingLoop.Run). Checked first: under a schedule that follows
        // --epochs (cosine, or step and exponential with the default decay period), fewer
        // epochs change the schedule too, and the settings would name that instead of --epochs.
        var s = run.Settings;
        if (header.Epoch > s.Epochs)
        {
            throw CommandFailure.Usage(
                $"--resume {path}: the checkpoint is at the end of epoch {header.Epoch} and "
                + $"--epochs is {s.Epochs}; give --epochs {header.Epoch} to write its model, "
                + "or more to train on");
        }

        RunIdentity.CheckAgainst(run.Identity, header, path);
        CheckTestSet(run, header, path);
        CheckRates(run, header, path);
        return header;
    }

    /// <summary>
    /// A warning, on <paramref name="error"/>, when the checkpoint at <paramref name="path"/>
    /// names its classes otherwise than the data <paramref name="run"/> trains on. The names do
    /// not shape the steps, and the same images can come with other names (without a
    /// classes.txt they follow the directory's name), so the run goes on; the files it writes
    /// record the data's names.
    /// </summary>
    public static void WarnIfClassesDiffer(
        TrainingRun run, CheckpointHeader header, string path, TextWriter error)
    {
        if (ModelSource.ClassDifference(header.ClassNames, run.Data.ClassNames) is { } difference)
        {
            error.WriteLine(Printable.Line(
                $"warning: --resume {path}: the checkpoint's run was trained on other classes "
                + $"than the data's ({difference}); training goes on, and the files it writes "
                + "record the data's names"));
        }
    }

    /// <summary>
    /// <paramref name="checkpoint"/>, read from <paramref name="path"/>, after checking that its
    /// optimizer buffers are the ones <paramref name="run"/>'s optimizer keeps, by name and in
    /// order: the settings already agree, so other buffers mean a damaged file.
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when the buffers differ.</exception>
    public static Checkpoint<T> Buffers<T>(TrainingRun run, Checkpoint<T> checkpoint, string path)
        where T : struct, IFloatingPointIeee754<T>
    {
        var saved = checkpoint.Optimizer.Buffers.Map(b => b.Name);
        var needed = run.Optimizer.BufferNames;
        if (!saved.SequenceEqual(needed))
        {
            throw CommandFailure.Failed(
                $"{path}: optimizer 'buffers' are {Names(saved)} but its run's optimizer "
                + $"({run.Optimizer.Name}) keeps {Names(needed)}");
        }

        foreach (var (name, buffer) in checkpoint.Optimizer.Buffers)
        {
            if (SquareAverages.Contains(name) && FirstNegative(buffer) is { } where)
            {
                throw CommandFailure.Failed(
                    $"{path}: optimizer buffer '{name}', {where}; expected a number ≥ 0, as an "
                    + "average of squared gradients is");
            }
        }

        return checkpoint;
    }

    // The reader wants one test set in every epoch of a history (the same 'testTotal' in
    // each entry), so a run on a test set of another size would save a checkpoint that no
    // later resume could read, in place of the one it resumed. The test set is not a
    // setting, so its size is compared with the history's here. The other figures that the
    // reader compares across a history follow from the settings, which agree by now: every
    // entry's 'validationTotal' must be setting 'validation', the --validation the run holds
    // out of its training images, and the best epoch is found again from the losses alone.
    private static void CheckTestSet(TrainingRun run, CheckpointHeader header, string path)
    {
        var (given, saved) = (run.Sets.Test.Count, header.History[0].TestTotal);
        if (given != saved)
        {
            throw CommandFailure.Usage(
                $"--resume {path}: --data (its test images) gives {given} but the checkpoint's "
                + $"run was tested on {saved}");
        }
    }

    // Each epoch's η is the schedule's for its last step, after epoch × batches − 1 updates
    // (the command skips no step, so every step is an update). The settings agree with the
    // checkpoint's by now, so the run's schedule is the one that wrote the history, and the
    // same code gives the same η from the same numbers. Every schedule is plain arithmetic
    // and PortableMath (its power included), the same bits on every system, so the rates are
    // compared exactly.
    private static void CheckRates(TrainingRun run, CheckpointHeader header, string path)
    {
        var schedule = run.Optimizer.LearningRate;
        foreach (var m in header.History)
        {
            var step = (long)m.Epoch * header.BatchesPerEpoch;
            var η = schedule.At(step - 1);
            if (m.LearningRate != η)
            {
                throw CommandFailure.Failed(
                    $"{path}: 'history' entry {m.Epoch}: 'learningRate' is "
                    + $"{Text(m.LearningRate)} but the schedule, {schedule.Name}, gives {Text(η)} "
                    + $"for step {step}, the last of epoch {m.Epoch}; expected the same");
            }
        }
    }

    private static string? FirstNegative<T>(Gradient<T> buffer)
        where T : struct, IFloatingPointIeee754<T>
    {
        for (var l = 0; l < buffer.Layers.Count; l++)
        {
            var (w, b) = (buffer.Layers[l].Weights, buffer.Layers[l].Bias);
            for (var r = 0; r < w.RowCount; r++)
            {
                for (var c = 0; c < w.ColumnCount; c++)
                {
                    if (T.IsNegative(w[r, c]) && w[r, c] != T.Zero)
                    {
                        return $"layer {l + 1}: weights row {r + 1}, value {c + 1} is {Text(w[r, c])}";
                    }
                }
            }

            for (var i = 0; i < b.Count; i++)
            {
                if (T.IsNegative(b[i]) && b[i] != T.Zero)
                {
                    return $"layer {l + 1}: bias, value {i + 1} is {Text(b[i])}";
                }
            }
        }

        return null;
    }

    private static string Text<T>(T x)
        where T : struct, IFloatingPointIeee754<T> =>
        x.ToString(null, System.Globalization.CultureInfo.InvariantCulture);

    private static string Names(IEnumerable<string> names) =>
        names.Any() ? $"[{string.Join(", ", names.Select(n => $"'{n}'"))}]" : "none";
}
