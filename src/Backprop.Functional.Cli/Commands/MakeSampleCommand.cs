using System.CommandLine;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// <c>backprop make-sample</c>, a hidden maintenance command: rebuilds the embedded sample from
/// the full data set, for copying over Data/Sample.
/// </summary>
internal static class MakeSampleCommand
{
    /// <summary>The command, whose action runs in <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var data = OptionFactory.DirectoryPath(
            "--data",
            "The full data set's directory, with the four IDX files that --data of the other "
                + "commands reads, such as /usr/share/datasets/fashion-mnist.");
        data.Required = true;
        var output = OptionFactory.DirectoryPath(
            "--out",
            "The directory to write the sample's four .gz files to, created if need be; files "
                + "of the same names there are replaced.");
        output.Required = true;
        var command = new Command(
            "make-sample",
            "Rebuild the embedded sample from the full data set: the first "
                + $"{SampleBuilder.TrainPerClass} training and {SampleBuilder.TestPerClass} test "
                + "images of each class, for copying over src/Backprop.Functional.Cli/Data/Sample "
                + "(a maintenance command, not listed by 'backprop --help').")
        {
            data, output,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var directory = parse.GetRequiredValue(output)!;
            var source = parse.GetRequiredValue(data)!;
            var names = DataSets.StandardNames.Select(name => name + ".gz").ToArray();
            CheckNoOverlap(directory, source, names);
            OutputPaths.CheckDirectoryFor("--out", directory, names);
            var written = SampleBuilder.Build(source, directory).OrFail();
            StopSignals.Finish();
            foreach (var file in written)
            {
                context.Out.WriteLine(Printable.Line($"wrote {file}"));
            }

            return ExitCode.Success;
        });
        return command;
    }

    // The sample may not replace a file that --data reads: not in the same directory, however
    // it is reached (through a symbolic link, say), nor as a directory made over a data file,
    // nor through a sample file's name that leads to a data file. Checked before anything is
    // read or written.
    private static void CheckNoOverlap(string directory, string source, string[] names)
    {
        if (PathIdentity.Same(directory, source))
        {
            throw CommandFailure.Usage(
                $"--out '{directory}' is the directory of --data '{source}'; the sample would "
                + "replace the data it is made from");
        }

        // Nor may the directory itself be made where --data reads a file (classes.txt, which
        // may be absent): every later read of --data would meet a directory there.
        OutputPaths.CheckNoOverlap(
            [("--out", directory)], OutputPaths.DataFiles(source), OutputPaths.BreaksData);
        OutputPaths.CheckNoOverlap(
            names.Select(name => Path.Combine(directory, name))
                .Select(file => ($"--out: {file}", file)),
            OutputPaths.DataFiles(source));
    }
}
