using System.CommandLine;
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
        var data = new Option<string>("--data")
        {
            Description = "The full data set's directory, such as "
                + "/usr/share/datasets/fashion-mnist.",
            HelpName = "DIR",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "The directory to write the sample's four .gz files to (created if "
                + "need be).",
            HelpName = "DIR",
            Required = true,
        };
        var command = new Command(
            "make-sample", "Rebuild the embedded sample from the full data set.")
        {
            data, output,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var written = SampleBuilder.Build(
                parse.GetRequiredValue(data), parse.GetRequiredValue(output)).OrFail();
            foreach (var file in written)
            {
                context.Out.WriteLine($"wrote {file}");
            }

            return ExitCode.Success;
        });
        return command;
    }
}
