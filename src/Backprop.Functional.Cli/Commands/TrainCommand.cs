using System;
using System.Collections.Generic;
using System.CommandLine;
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

    private const string Unit = "must be a number in [0, 1)";

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
            "--learning-rate",
            "η, the step size. Defaults to 0.1 for sgd, 0.01 for momentum and nesterov, 0.001 "
                + "for adam, adamw and rmsprop.",
            x => x > 0,
            "must be a finite number > 0");
        var momentum = OptionFactory.OptionalNumber(
            "--momentum",
            "μ for momentum and nesterov, β₁ for adam and adamw, in [0, 1). Defaults to 0.9.",
            x => x >= 0 && x < 1,
            Unit);
        var beta2 = OptionFactory.OptionalNumber(
            "--beta2",
            "β₂ for adam and adamw, ρ for rmsprop, in [0, 1). Defaults to 0.999 for adam and "
                + "adamw, 0.99 for rmsprop.",
            x => x >= 0 && x < 1,
            Unit);
        var weightDecay = OptionFactory.OptionalNumber(
            "--weight-decay",
            "λ of decoupled weight decay, θ ← θ − η(d + λθ), biases excluded. Defaults to 0.01 "
                + "for adamw, 0 otherwise.",
            x => x >= 0,
            "must be a finite number ≥ 0");
        var l2 = OptionFactory.OptionalNumber(
            "--l2",
            "λ of the L2 penalty ½λ‖W‖² added to the loss (g ← g + λW), biases excluded. "
                + "Defaults to 0.",
            x => x >= 0,
            "must be a finite number ≥ 0");
        var clipNorm = OptionFactory.OptionalNumber(
            "--clip-norm",
            "Scale the gradient down to this global norm when it is longer. Defaults to none.",
            x => x > 0,
            "must be a finite number > 0");
        var dropout = OptionFactory.OptionalNumber(
            "--dropout",
            "p, the probability of dropping a hidden unit while training, in [0, 1). "
                + "Defaults to 0.",
            x => x >= 0 && x < 1,
            Unit);
        var schedule = OptionFactory.Schedule();
        var decayFactor = OptionFactory.OptionalNumber(
            "--decay-factor",
            "γ, in (0, 1]: a step or exponential schedule multiplies η by γ every --decay-every "
                + "epochs. Defaults to 0.1.",
            x => x > 0 && x <= 1,
            "must be a number in (0, 1]");
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
        var modelPath = new Option<string>("--out")
        {
            Description = "Where to write the model file; a relative path is taken from the "
                + "current directory.",
            HelpName = "FILE",
            DefaultValueFactory = _ => DefaultModelPath,
        };
        var plot = new Option<string?>("--plot")
        {
            Description = "Also write a PNG of the losses and accuracies per epoch to FILE.",
            HelpName = "FILE",
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "After every epoch, save the run to DIR/"
                + $"{TrainSettings.CheckpointFileName} (DIR is created if need be), replacing the "
                + "one before.",
            HelpName = "DIR",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run saved in a checkpoint FILE, given the same settings "
                + "(--epochs may grow when the schedule does not depend on it).",
            HelpName = "FILE",
        };
        var json = OptionFactory.Json();

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
            var given = new Given(
                parse.GetValue(momentum),
                parse.GetValue(beta2),
                parse.GetValue(decayFactor),
                parse.GetValue(decayEvery),
                parse.GetValue(earlyStop),
                parse.GetValue(validation));
            Check(kind, scheduleKind, given);

            var epochCount = parse.GetValue(epochs);
            var decays = scheduleKind.Decays();
            var optimizerSettings = new OptimizerSettings(
                kind,
                parse.GetValue(learningRate) ?? kind.DefaultLearningRate(),
                kind.HasMomentum() ? given.Momentum ?? 0.9 : null,
                given.Beta2 ?? kind.DefaultBeta2(),
                parse.GetValue(weightDecay) ?? kind.DefaultWeightDecay(),
                parse.GetValue(l2) ?? 0.0,
                parse.GetValue(clipNorm),
                scheduleKind,
                decays ? given.DecayFactor ?? OptimizerSettings.DefaultDecayFactor : null,
                decays ? given.DecayEvery ?? OptimizerSettings.DefaultDecayEvery(epochCount) : null,
                parse.GetValue(warmup));
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
                given.Validation ?? 0,
                given.EarlyStop ?? 0,
                parse.GetRequiredValue(modelPath),
                parse.GetValue(plot),
                parse.GetValue(checkpoint),
                parse.GetValue(resume),
                parse.GetValue(json));
            Check(settings);
            return TrainingSession.Run(settings, DataSource.Load(settings.DataDirectory), context);
        });
        return command;
    }

    // Options that only mean something together with others, given where they mean nothing.
    private static void Check(OptimizerKind kind, ScheduleKind schedule, Given given)
    {
        if (given.Momentum is { } μ && !kind.HasMomentum())
        {
            throw CommandFailure.Usage(
                $"--momentum {μ} does not apply to --optimizer {kind.Name()}: it is μ for "
                + "momentum and nesterov, β₁ for adam and adamw");
        }

        if (given.Beta2 is { } β2 && kind.DefaultBeta2() is null)
        {
            throw CommandFailure.Usage(
                $"--beta2 {β2} does not apply to --optimizer {kind.Name()}: it is β₂ for adam "
                + "and adamw, ρ for rmsprop");
        }

        if (!schedule.Decays() && (given.DecayFactor is not null || given.DecayEvery is not null))
        {
            var (option, value) = given.DecayFactor is { } γ
                ? ("--decay-factor", γ.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : ("--decay-every", given.DecayEvery!.Value.ToString(
                    System.Globalization.CultureInfo.InvariantCulture));
            throw CommandFailure.Usage(
                $"{option} {value} does not apply to --schedule {schedule.Name()}: it shapes the "
                + "step and exponential schedules");
        }

        if (given.EarlyStop is { } patience && given.Validation is null)
        {
            throw CommandFailure.Usage(
                $"--early-stop {patience} needs --validation N: the patience counts epochs "
                + "without a lower validation loss");
        }
    }

    // What the parsers cannot see alone: the loss and output together, and where files go.
    private static void Check(TrainSettings s)
    {
        s.Loss.Accepts(s.Output).IfFail(e => throw CommandFailure.Usage(
            $"--loss {s.Loss.Name} cannot follow --output {s.Output.Name}: {e.Message}"));
        var η = s.Optimizer.LearningRate;
        if (s.Precision == Precision.Float32 && (float)η == 0f)
        {
            throw CommandFailure.Usage(
                "--learning-rate is 0 in float32, which would leave every weight as it is, got "
                + $"'{η.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}'; "
                + "give a larger rate or --precision float64");
        }

        CheckWritable("--out", s.ModelPath);
        if (s.PlotPath is not null)
        {
            CheckWritable("--plot", s.PlotPath);
            if (Path.GetFullPath(s.PlotPath) == Path.GetFullPath(s.ModelPath))
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
    // Resuming from the checkpoint the run keeps is the one overlap meant to happen.
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

        if (s.DataDirectory is { } data)
        {
            inputs.AddRange(DataSets.StandardNames
                .SelectMany(name => new[] { name, name + ".gz" })
                .Append(ClassNames.FileName)
                .Select(name => ("a data file of --data", Path.Combine(data, name))));
        }

        var checkpoint = s.CheckpointPath is { } c
            ? new[] { ("the checkpoint of --checkpoint", c) }
            : [];
        foreach (var (what, path) in outputs)
        {
            foreach (var (other, otherPath) in inputs.Concat(checkpoint))
            {
                if (Same(path, otherPath))
                {
                    throw CommandFailure.Usage(
                        $"{what} names {other}, '{otherPath}'; writing there would replace it");
                }
            }
        }
    }

    private static bool Same(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    private static void CheckWritable(string option, string path)
    {
        if (path.Length == 0 || Directory.Exists(path))
        {
            throw CommandFailure.Usage($"{option} must name a file, got '{path}'");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw CommandFailure.Usage(
                $"{option} names a file in a directory that does not exist, got '{path}'");
        }

        // Found now, not after the training it would waste.
        AtomicFile.CheckWritable(path)
            .IfFail(e => throw CommandFailure.Usage($"{option}: {e.Message}"));
    }

    // --checkpoint names a directory that exists, or one that can be made in one that does.
    private static void CheckDirectory(string path)
    {
        if (path.Length == 0 || File.Exists(path))
        {
            throw CommandFailure.Usage($"--checkpoint must name a directory, got '{path}'");
        }

        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!Directory.Exists(path) && parent is not null && !Directory.Exists(parent))
        {
            throw CommandFailure.Usage(
                $"--checkpoint names a directory inside one that does not exist, got '{path}'");
        }

        // Found now, not after the first epoch: the checkpoint file in a directory that
        // exists, or the directory's own entry in its parent when it is still to be made.
        var probe = Directory.Exists(path)
            ? Path.Combine(path, TrainSettings.CheckpointFileName)
            : path;
        if (Directory.Exists(probe) && probe != path)
        {
            throw CommandFailure.Usage(
                $"--checkpoint: cannot write {probe}: it is a directory");
        }

        AtomicFile.CheckWritable(probe)
            .IfFail(e => throw CommandFailure.Usage($"--checkpoint: {e.Message}"));
    }

    // The options whose absence matters, as given (null when absent).
    private sealed record Given(
        double? Momentum,
        double? Beta2,
        double? DecayFactor,
        int? DecayEvery,
        int? EarlyStop,
        int? Validation);
}
