using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Shell;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Report lines echo class names and paths too: a control character or a bidirectional control
/// in one is shown as an escape there as in error lines, so that a report line stays one line
/// and reads in its own order.
/// </summary>
public sealed class HumanOutputEscapeTests
{
    [Fact]
    public void Class_names_with_control_characters_are_escaped_in_evaluate_and_predict()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        File.WriteAllLines(
            Path.Combine(data, ClassNames.FileName), ["da\u001brk", "li\u202eght"]);
        var model = dir.File("m.json");
        Cli.Run("train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", model)
            .AssertSucceeded();

        var evaluate = Cli.Run("evaluate", "--model", model, "--data", data);
        var predict = Cli.Run("predict", "--model", model, "--data", data, "--index", "0");

        evaluate.AssertSucceeded();
        predict.AssertSucceeded();
        // The names as printed set the column width: 11 characters for li\u202eght.
        var rows = evaluate.Out.Split('\n')
            .Where(l => l.StartsWith("    0 ") || l.StartsWith("    1 ")).ToArray();
        Assert.Equal(4, rows.Length);
        Assert.StartsWith(@"    0 da\erk       ", rows[0]);
        Assert.StartsWith(@"    1 li\u202eght  ", rows[1]);
        Assert.Equal(rows[0].IndexOf('/'), rows[1].IndexOf('/'));
        Assert.Contains(@"true label da\erk", predict.Out);
        foreach (var output in new[] { evaluate.Out, predict.Out })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\u202e', output);
        }
    }

    [Fact]
    public void A_line_break_in_the_model_path_is_escaped_in_the_lines_of_train()
    {
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        var model = dir.File("a\nb.json");

        var result = Cli.Run(
            "train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", model);

        result.AssertSucceeded();
        Assert.Contains(result.OutLines, l => l.StartsWith($@"model: {dir.Path}/a\nb.json"));
        Assert.Contains(result.OutLines, l => l == $@"model written to {dir.Path}/a\nb.json");
        Assert.DoesNotContain(result.OutLines, l => l.StartsWith("b.json"));
        Assert.True(File.Exists(model));
    }

    [Fact]
    public void The_model_path_is_escaped_in_the_network_line_of_gradcheck()
    {
        // Given a model in a directory whose name holds a line break, in a file whose name
        // holds a zero width space and a right-to-left override
        using var dir = new TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        Directory.CreateDirectory(dir.File("n\nl"));
        var model = dir.File("n\nl/m\u200b\u202e.json");
        Cli.Run("train", "--data", data, "--epochs", "1", "--hidden", "4", "--out", model)
            .AssertSucceeded();

        // When
        var result = Cli.Run("gradcheck", "--model", model, "--data", data, "--samples", "3");

        // Then the line is one line, with the path's escapes
        Assert.Equal(
            $@"network: 4 → 4 → 2 (relu, softmax) from {dir.Path}/n\nl/m\u200b\u202e.json "
            + "(float32); loss softmax-cross-entropy; float64",
            result.OutLines[0]);
        Assert.StartsWith("test images: ", result.OutLines[1]);
        Assert.StartsWith("checked ", result.OutLines[2]);
        Assert.All(result.OutLines, line => Assert.Equal(Printable.Line(line), line));
    }

    [Fact]
    public void No_command_prints_a_path_with_its_control_or_format_characters_as_they_are()
    {
        // Given data, a model, a plot, a checkpoint and a sample, all under a directory whose
        // name holds a line break, a tab, an escape, a zero width space and a right-to-left
        // override
        using var dir = new TempDirectory();
        var odd = dir.File("o\nd\td\u001b\u200b\u202e");
        var data = TinyData.Write(Path.Combine(odd, "data"));
        var full = TinyData.Write(
            Path.Combine(odd, "full"), SampleBuilder.TrainPerClass, SampleBuilder.TestPerClass);
        var model = Path.Combine(odd, "m.json");
        var checkpoint = Path.Combine(odd, "run");
        var common = new[] { "--data", data, "--hidden", "4", "--checkpoint", checkpoint };

        // When every command prints its lines for people, and an error line
        CliResult[] runs =
        [
            Cli.Run(
                [
                    "train", .. common, "--epochs", "1", "--out", model,
                    "--plot", Path.Combine(odd, "p.png"),
                ]),
            Cli.Run("evaluate", "--model", model, "--data", data),
            Cli.Run("predict", "--model", model, "--data", data, "--index", "0"),
            Cli.Run("gradcheck", "--model", model, "--data", data, "--samples", "3"),
            Cli.Run("make-sample", "--data", full, "--out", Path.Combine(odd, "sample")),
            Cli.Run("evaluate", "--model", Path.Combine(odd, "absent.json")),
        ];
        var json = Cli.Run(
            [
                "train", .. common, "--epochs", "2", "--out", model,
                "--resume", Path.Combine(checkpoint, "checkpoint.json"), "--json",
            ]);

        // Then each line that names the directory names it by its escapes, and holds nothing
        // to escape (JSON, on stdout under --json, has escapes of its own)
        Assert.All(runs[..^1].Append(json), run => run.AssertSucceeded());
        Assert.Equal(1, runs[^1].ExitCode);
        var escaped = Printable.Line(odd);
        Assert.Equal($@"{dir.Path}/o\nd\td\e\u200b\u202e", escaped);
        var texts = runs.SelectMany(run => new[] { run.Out, run.Error }).Append(json.Error);
        var lines = texts.SelectMany(text => text.Split('\n')).ToArray();
        var naming = lines.Where(line => line.Contains(dir.Path)).ToArray();
        Assert.All(naming, line =>
        {
            Assert.Contains(escaped, line);
            Assert.Equal(Printable.Line(line), line);
        });
        Assert.DoesNotContain(lines, line => line.StartsWith("d\t"));

        // Train's data:, model: and model written to, twice each, its plot written to and
        // resuming from; data: and model: of evaluate and of predict; gradcheck's network:;
        // the four files of make-sample; and the error line
        Assert.Equal(18, naming.Length);
    }
}
