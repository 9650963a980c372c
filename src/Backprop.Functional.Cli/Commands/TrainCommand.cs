using System.CommandLine;
using System.IO;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// <c>backprop train</c>: trains a dense network by mini-batch SGD, printing one line per
/// epoch, and writes the model (and optionally a plot) when every epoch has finished.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The model file written when --out is not given, in the current directory.</summary>
    public const string DefaultModelPath = "model.json";

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
            "--batch-size", 32, "The number of images per SGD step.");
        var learningRate = OptionFactory.PositiveNumber(
            "--learning-rate", 0.1, "η, the SGD step size.");
        var seed = OptionFactory.Seed(
            "The seed of the initial weights and of every epoch's shuffle.");
        var precision = OptionFactory.Precision();
        var modelPath = new Option<string>("--out")
        {
            Description = "Where to write the model file; a relative path is taken from the "
                + "current directory.",
            HelpName = "FILE",
            DefaultValueFactory = _ => DefaultModelPath,
        };
        var plot = new Option<string?>("--plot")
        {
            Description = "Also write a PNG of the training loss, test loss and test accuracy "
                + "per epoch to FILE.",
            HelpName = "FILE",
        };
        var json = OptionFactory.Json();

        var command = new Command("train", "Train a network on image data and save it.")
        {
            data, hidden, activation, output, loss, init, epochs, batchSize, learningRate, seed,
            precision, modelPath, plot, json,
        };
        command.SetAction(parse =>
        {
            var hiddenActivation = parse.GetRequiredValue(activation);
            var settings = new TrainSettings(
                parse.GetValue(data),
                parse.GetRequiredValue(hidden),
                hiddenActivation,
                parse.GetRequiredValue(output),
                parse.GetRequiredValue(loss),
                parse.GetValue(init) ?? InitializationNames.DefaultFor(hiddenActivation),
                parse.GetValue(epochs),
                parse.GetValue(batchSize),
                parse.GetValue(learningRate),
                parse.GetValue(seed),
                parse.GetValue(precision) ?? Precision.Float32,
                parse.GetRequiredValue(modelPath),
                parse.GetValue(plot),
                parse.GetValue(json));
            Check(settings);
            return TrainingSession.Run(settings, DataSource.Load(settings.DataDirectory), context);
        });
        return command;
    }

    // What the parsers cannot see alone: the loss and output together, and where files go.
    private static void Check(TrainSettings s)
    {
        s.Loss.Accepts(s.Output).IfFail(e => throw CommandFailure.Usage(
            $"--loss {s.Loss.Name} cannot follow --output {s.Output.Name}: {e.Message}"));
        CheckWritable("--out", s.ModelPath);
        if (s.PlotPath is not null)
        {
            CheckWritable("--plot", s.PlotPath);
        }
    }

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
    }
}
