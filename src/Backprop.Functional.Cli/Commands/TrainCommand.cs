using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// <c>backprop train</c>: trains a dense network by mini-batch gradient descent with the
/// optimizer, schedule and regularisation asked for, printing one line per epoch, and writes
/// the model (and optionally a plot) when every epoch has finished.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The model file written when --out is not given, in the current directory.</summary>
    public const string DefaultModelPath = "model.json";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var data = OptionFactory.Data();
        var hidden = OptionFactory.Hidden("128");
        var activation = OptionFactory.Activation(
            "--activation", Activation.ReLU, "The hidden layers' activation.");
        var output = OptionFactory.Activation(
            "--output", Activation.Softmax, "The output layer's activation.");
        var loss = OptionFactory.Loss(Loss.SoftmaxCrossEntropy);
        var init = OptionFactory.Init();
        var epochs = OptionFactory.Integer(
            "--epochs", 10, "The number of passes over the training set.");
        var batchSize = OptionFactory.Integer(
            "--batch-size", 32, "The number of images per step.");
        var optimizer = OptionFactory.Optimizer();
        var learningRate = OptionFactory.OptionalNumber(
            SettingRules.LearningRate,
            "η, the step size. Defaults to 0.1 for sgd, 0.01 for momentum and nesterov, 0.001 "
                + "for adam, adamw and rmsprop.");
        var momentum = OptionFactory.OptionalNumber(
            SettingRules.Momentum,
            "μ for momentum and nesterov, β₁ for adam and adamw, in [0, 1). Defaults to 0.9.");
        var beta2 = OptionFactory.OptionalNumber(
            SettingRules.Beta2,
            "β₂ for adam and adamw, ρ for rmsprop, in [0, 1). Defaults to 0.999 for adam and "
                + "adamw, 0.99 for rmsprop.");
        var weightDecay = OptionFactory.OptionalNumber(
            SettingRules.WeightDecay,
            "λ of decoupled weight decay, θ ← θ − η(d + λθ), biases excluded. Defaults to 0.01 "
                + "for adamw, 0 otherwise.");
        var l2 = OptionFactory.OptionalNumber(
            SettingRules.L2,
            "λ of the L2 penalty ½λ‖W‖² added to the loss (g ← g + λW), biases excluded. "
                + "Defaults to 0.");
        var clipNorm = OptionFactory.OptionalNumber(
            SettingRules.ClipNorm,
            "Scale the gradient down to this global norm when it is longer. Defaults to none.");
        var dropout = OptionFactory.OptionalNumber(
            SettingRules.Dropout,
            "p, the probability of dropping a hidden unit while training, in [0, 1). "
                + "Defaults to 0.");
        var schedule = OptionFactory.Schedule();
        var decayFactor = OptionFactory.OptionalNumber(
            SettingRules.DecayFactor,
            "γ, in (0, 1]: a step or exponential schedule multiplies η by γ every --decay-every "
                + "epochs. Defaults to 0.1.");
        var decayEvery = OptionFactory.OptionalInteger(
            "--decay-every",
            "The epochs per factor γ of a step or exponential schedule. Defaults to a third of "
                + "--epochs, rounded up.",
            minimum: 1);
        var warmup = OptionFactory.Integer(
            "--warmup",
            0,
            "Steps (batches, not epochs) of linear warm-up from η/N to η before the schedule.",
            minimum: 0);
        var seed = OptionFactory.Seed(
            "The seed of the initial weights, the validation split, every epoch's shuffle and "
            + "the dropout masks.");
        var precision = OptionFactory.Precision();
        var validation = OptionFactory.OptionalInteger(
            "--validation",
            "Hold N training images out, chosen with the seed, and report the loss and accuracy "
                + "on them after every epoch. Defaults to none.",
            minimum: 1);
        var earlyStop = OptionFactory.OptionalInteger(
            "--early-stop",
            "Stop after N epochs in a row without a lower validation loss and save the network "
                + "of the lowest; needs --validation. Defaults to off.",
            minimum: 1);
        var modelPath = OptionFactory.FilePath(
            "--out",
            "Where to write the model file; a relative path is taken from the current directory.",
            DefaultModelPath);
        var plot = OptionFactory.FilePath(
            "--plot", "Also write a PNG of the losses and accuracies per epoch to FILE.");
        var checkpoint = OptionFactory.DirectoryPath(
            "--checkpoint",
            $"After every epoch, save the run to DIR/{TrainSettings.CheckpointFileName} (DIR is "
                + "created if need be), replacing the one before.");
        var resume = OptionFactory.FilePath(
            "--resume",
            "Continue the run saved in a checkpoint FILE, given the same settings (--epochs may "
                + "grow when the schedule does not depend on it).");
        var json = OptionFactory.Json(
            "Print one JSON object on stdout at the end; the lines for people go to stderr.");

        var command = new Command("train", "Train a network on image data and save it.")
        {
            data, hidden, activation, output, loss, init, epochs, batchSize, optimizer,
            learningRate, momentum, beta2, weightDecay, l2, clipNorm, dropout, schedule,
            decayFactor, decayEvery, warmup, seed, precision, validation, earlyStop, modelPath,
            plot, checkpoint, resume, json,
        };
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(optimizer) ?? OptimizerKind.Sgd;
            var scheduleKind = parse.GetValue(schedule) ?? ScheduleKind.Constant;
            string? Text(Option option) => OptionFactory.Typed(parse, option);
            var typed = new Typed(
                name => OptionFactory.Typed(parse, name),
                Text(momentum),
                Text(beta2),
                Text(decayFactor),
                Text(decayEvery),
                Text(earlyStop),
                Text(validation));
            Check(kind, scheduleKind, typed);

            var epochCount = parse.GetValue(epochs);
            var decays = scheduleKind.Decays();
            var optimizerSettings = new OptimizerSettings(
                kind,
                parse.GetValue(learningRate) ?? kind.DefaultLearningRate(),
                kind.HasMomentum() ? parse.GetValue(momentum) ?? 0.9 : null,
                parse.GetValue(beta2) ?? kind.DefaultBeta2(),
                parse.GetValue(weightDecay) ?? kind.DefaultWeightDecay(),
                parse.GetValue(l2) ?? 0.0,
                parse.GetValue(clipNorm),
                scheduleKind,
                decays
                    ? parse.GetValue(decayFactor) ?? OptimizerSettings.DefaultDecayFactor
                    : null,
                decays
                    ? parse.GetValue(decayEvery) ?? OptimizerSettings.DefaultDecayEvery(epochCount)
                    : null,
                parse.GetValue(warmup))
            {
                DecayEveryByDefault = decays && parse.GetValue(decayEvery) is null,
            };
            var hiddenActivation = parse.GetRequiredValue(activation);
            var settings = new TrainSettings(
                parse.GetValue(data),
                parse.GetRequiredValue(hidden),
                hiddenActivation,
                parse.GetRequiredValue(output),
                parse.GetRequiredValue(loss),
                parse.GetValue(init) ?? InitializationNames.DefaultFor(hiddenActivation),
                epochCount,
                parse.GetValue(batchSize),
                optimizerSettings,
                parse.GetValue(dropout) ?? 0.0,
                parse.GetValue(seed),
                parse.GetValue(precision) ?? Precision.Float32,
                parse.GetValue(validation) ?? 0,
                parse.GetValue(earlyStop) ?? 0,
                parse.GetValue(modelPath) ?? DefaultModelPath,
                parse.GetValue(plot),
                parse.GetValue(checkpoint),
                parse.GetValue(resume),
                parse.GetValue(json));
            Check(settings, typed);

            // Held from here to the end of the command, so that no other run can take the
            // checkpoint directory while this one reads its --resume and trains.
            using var claim = CheckpointClaim.Take(settings);
            var split = DataSource.Load(settings.DataDirectory);
            if (settings.Validation >= split.Train.Count)
            {
                throw CommandFailure.Usage(
                    "--validation must be less than the "
                    + $"{Plural.Of(split.Train.Count, "training image")}, "
                    + $"got '{typed.Validation ?? settings.Validation.ToString(Invariant)}'");
            }

            return TrainingSession.Run(settings, split, context, claim);
        });
        return command;
    }

    // Options that only mean something together with others, given where they mean nothing.
    // The messages echo the values as typed.
    private static void Check(OptimizerKind kind, ScheduleKind schedule, Typed typed)
    {
        var given = new[]
        {
            ("--momentum", typed.Momentum),
            ("--beta2", typed.Beta2),
            ("--decay-factor", typed.DecayFactor),
            ("--decay-every", typed.DecayEvery),
        };
        foreach (var (option, value) in given)
        {
            if (value is not null && SettingRules.Inapplicable(option, kind, schedule) is { } why)
            {
                throw CommandFailure.Usage($"{option} {value} {why}");
            }
        }

        if (typed.EarlyStop is { } patience && typed.Validation is null)
        {
            throw CommandFailure.Usage(
                $"--early-stop {patience} needs --validation N: the patience counts epochs "
                + "without a lower validation loss");
        }
    }

    // What the parsers cannot see alone: the loss and output together, the numbers float32
    // cannot hold, and where files go.
    private static void Check(TrainSettings s, Typed typed)
    {
        s.Loss.Accepts(s.Output).IfFail(e => throw CommandFailure.Usage(
            $"--loss {s.Loss.Name} cannot follow --output {s.Output.Name}: {e.Message}"));
        Float32Limits.Check(s, typed.Of);

        OutputPaths.CheckFile("--out", s.ModelPath);
        if (s.PlotPath is not null)
        {
            OutputPaths.CheckFile("--plot", s.PlotPath);
            if (PathIdentity.Same(s.PlotPath, s.ModelPath))
            {
                throw CommandFailure.Usage(
                    $"--plot and --out name the same file, '{s.PlotPath}'; the plot would replace "
                    + "the model");
            }
        }

        if (s.CheckpointDirectory is { } directory)
        {
            CheckDirectory(directory);
        }

        CheckNoOverlap(s);
    }

    // No output may land on an input or on another output: a model written over a data file
    // or over the checkpoint it resumes from, or a plot over the checkpoint, would lose data.
    // Paths are compared with symbolic links followed (PathIdentity). Resuming from the
    // checkpoint the run keeps is the one overlap meant to happen.
    private static void CheckNoOverlap(TrainSettings s)
    {
        var outputs = new List<(string What, string Path)> { ("--out", s.ModelPath) };
        if (s.PlotPath is not null)
        {
            outputs.Add(("--plot", s.PlotPath));
        }

        var inputs = new List<(string What, string Path)>();
        if (s.ResumePath is not null)
        {
            inputs.Add(("--resume", s.ResumePath));
        }

        var data = s.DataDirectory is { } source
            ? OutputPaths.DataFiles(source).ToList()
            : [];
        inputs.AddRange(data);
        var checkpoint = s.CheckpointPath is { } c
            ? new[] { ("the checkpoint of --checkpoint", c) }
            : [];
        OutputPaths.CheckNoOverlap(outputs, inputs.Concat(checkpoint));

        // The checkpoint is an output too, written after every epoch, into a directory that is
        // made if need be: neither may be where a file is written at the end (found then, after
        // every epoch has run) nor where a data file is read (a directory there would break
        // every later read of --data).
        if (s.CheckpointDirectory is { } directory && s.CheckpointPath is { } kept)
        {
            foreach (var (what, path) in outputs)
            {
                if (PathIdentity.Same(path, directory))
                {
                    throw CommandFailure.Usage(
                        $"{what} names the directory of --checkpoint, '{directory}'; the file "
                        + "cannot be written where the checkpoints are kept");
                }
            }

            OutputPaths.CheckNoOverlap([("--checkpoint", directory)], data, OutputPaths.BreaksData);
            OutputPaths.CheckNoOverlap([("--checkpoint", kept)], data);
        }
    }

    // --checkpoint names a directory that exists, or one that can be made in one that does.
    private static void CheckDirectory(string path)
    {
        OutputPaths.CheckDirectory("--checkpoint", path);

        // Trailing separators name the same directory ('run/' is 'run').
        var directory = Path.TrimEndingDirectorySeparator(path);
        var parent = Path.GetDirectoryName(Path.GetFullPath(directory));
        if (!Directory.Exists(directory) && parent is not null && !Directory.Exists(parent))
        {
            throw CommandFailure.Usage(
                $"--checkpoint names a directory inside one that does not exist, got '{path}'");
        }

        // Found now, not after the first epoch: the checkpoint file in a directory that
        // exists, or the directory's own entry in its parent when it is still to be made.
        var probe = Directory.Exists(directory)
            ? Path.Combine(directory, TrainSettings.CheckpointFileName)
            : directory;
        if (Directory.Exists(probe) && probe != directory)
        {
            throw CommandFailure.Usage(
                $"--checkpoint: cannot write {probe}: it is a directory");
        }

        AtomicFile.CheckWritable(probe)
            .IfFail(e => throw CommandFailure.Usage($"--checkpoint: {e.Message}"));
    }

    // The options whose absence matters or whose value a message echoes, as typed (null when
    // absent); Of gives any option's by name.
    private sealed record Typed(
        Func<string, string?> Of,
        string? Momentum,
        string? Beta2,
        string? DecayFactor,
        string? DecayEvery,
        string? EarlyStop,
        string? Validation);
}
