using System;
using System.IO;
using System.Numerics;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// Whether a run may continue from a checkpoint: the same settings, the same number of test
/// images, and epochs left to train; and a warning when the data name their classes otherwise.
/// </summary>
internal static class ResumeCheck
{
    /// <summary>
    /// The header of the checkpoint at <paramref name="path"/>, after checking that
    /// <paramref name="run"/> continues it.
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when the file cannot be read or is not a
    /// checkpoint a run can have written, in any part (see CheckpointReader), all of which is
    /// checked before anything in it is compared with the run; exit code 2 when the run's
    /// settings contradict it, when the data's test set has another number of images than its
    /// history, or when --epochs is fewer than the epochs it has done.</exception>
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
    /// <paramref name="checkpoint"/>, read from <paramref name="path"/>, after checking that
    /// its networks give the validation loss its history records for their epochs: the best
    /// network, when it holds one, that of the best epoch, and the model that of the
    /// checkpoint's epoch. A run that holds no images out has nothing to compare, and passes.
    /// </summary>
    /// <remarks>
    /// A run repeats its evaluations bit for bit on one machine and backend, but not across
    /// them (see docs/limitations.md#reproducibility-across-machines), and a checkpoint may be
    /// resumed on another; so the losses must agree to √ε of the precision, relative to
    /// max(1, |loss|): 3.5e-4 in float32, 1.5e-8 in float64, far above the rounding there
    /// (1.9e-8 measured between OpenBLAS and managed, in float32). A network put in place of
    /// another whose validation loss is that close is not noticed.
    /// </remarks>
    /// <exception cref="CommandFailure">Exit code 1 when a loss differs by more: the network
    /// was replaced, or the data are not the ones the checkpoint's run held out.</exception>
    public static Checkpoint<T> Networks<T>(
        TrainingRun run, Checkpoint<T> checkpoint, string path)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (run.Sets.Validation is not { } validation)
        {
            return checkpoint;
        }

        var header = checkpoint.Header;
        if (checkpoint.Best is { } best && header.BestEpoch is { } bestEpoch)
        {
            Agrees("'best'", best, bestEpoch);
        }

        Agrees("'model'", checkpoint.Network, header.Epoch);

        return checkpoint;

        void Agrees(string name, Network<T> network, int epoch)
        {
            var recorded = header.History[epoch - 1].ValidationLoss!.Value;
            var given = DataSource.Evaluate(network, validation, run.Settings.Loss).MeanLoss;
            var ε = double.CreateChecked(T.BitIncrement(T.One) - T.One);
            if (!(Math.Abs(given - recorded) <= Math.Sqrt(ε) * Math.Max(1.0, recorded)))
            {
                throw CommandFailure.Failed(
                    $"{path}: {name}, the network after epoch {epoch}, gives a validation loss "
                    + $"of {Text(given)} but 'history' records {Text(recorded)} for epoch "
                    + $"{epoch}; expected the same, as a run repeats its evaluations (the "
                    + "network was replaced, or --data is not the data of the checkpoint's run)");
            }
        }
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

    private static string Text<T>(T x)
        where T : struct, IFloatingPointIeee754<T> =>
        x.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
}
