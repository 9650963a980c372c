using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
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
}
