using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// evaluate, predict and gradcheck read only the test files of --data: a directory without
/// the training files, or with a damaged one, serves them as well as a whole one.
/// </summary>
public sealed class TestOnlyDataTests
{
    [Fact]
    public void Evaluate_gives_the_same_report_with_only_the_test_files()
    {
        using var dir = new TempDirectory();
        var (full, testOnly, model) = Prepare(dir);

        var whole = Cli.Run("evaluate", "--model", model, "--data", full);
        var part = Cli.Run("evaluate", "--model", model, "--data", testOnly);

        whole.AssertSucceeded();
        part.AssertSucceeded();
        Assert.Equal($"data: {full} (20 test images of 2 × 2, 2 classes)", whole.OutLines[1]);
        Assert.Equal($"data: {testOnly} (20 test images of 2 × 2, 2 classes)", part.OutLines[1]);
        Assert.Equal(WithoutDataLine(whole), WithoutDataLine(part));
        Assert.Matches(@"^test accuracy: \d+/20 ", part.OutLines[2]);
    }

    [Fact]
    public void Evaluate_json_is_the_same_with_only_the_test_files_but_for_the_dataset()
    {
        using var dir = new TempDirectory();
        var (full, testOnly, model) = Prepare(dir);

        var whole = Cli.Run("evaluate", "--model", model, "--data", full, "--json");
        var part = Cli.Run("evaluate", "--model", model, "--data", testOnly, "--json");

        whole.AssertSucceeded();
        part.AssertSucceeded();
        Assert.Equal(whole.Out.Replace(full, testOnly), part.Out);
    }

    [Fact]
    public void Predict_gives_the_same_predictions_with_only_the_test_files()
    {
        using var dir = new TempDirectory();
        var (full, testOnly, model) = Prepare(dir);
        string[] args = ["predict", "--model", model, "--index", "0", "--index", "19", "--data"];

        var whole = Cli.Run([.. args, full]);
        var part = Cli.Run([.. args, testOnly]);

        whole.AssertSucceeded();
        part.AssertSucceeded();
        Assert.Equal($"data: {testOnly} (20 test images of 2 × 2, 2 classes)", part.OutLines[1]);
        Assert.Equal(WithoutDataLine(whole), WithoutDataLine(part));
        Assert.Equal(4, part.OutLines.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradcheck_gives_the_same_report_with_only_the_test_files(bool saved)
    {
        using var dir = new TempDirectory();
        var (full, testOnly, model) = Prepare(dir);
        string[] args = saved
            ? ["gradcheck", "--model", model, "--samples", "3", "--data"]
            : ["gradcheck", "--hidden", "3", "--samples", "3", "--data"];

        var whole = Cli.Run([.. args, full]);
        var part = Cli.Run([.. args, testOnly]);

        whole.AssertSucceeded();
        part.AssertSucceeded();
        Assert.Equal(whole.Out, part.Out);
    }

    [Fact]
    public void A_corrupt_training_images_file_does_not_stop_evaluation_but_stops_training()
    {
        // Given training images whose gzip data is not gzip
        using var dir = new TempDirectory();
        var (full, _, model) = Prepare(dir);
        var before = Cli.Run("evaluate", "--model", model, "--data", full);
        var images = Path.Combine(full, DataSets.TrainImages + ".gz");
        File.WriteAllBytes(images, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff]);

        // When
        var evaluate = Cli.Run("evaluate", "--model", model, "--data", full);
        var predict = Cli.Run("predict", "--model", model, "--data", full, "--index", "1");
        var gradcheck = Cli.Run("gradcheck", "--model", model, "--data", full);
        var train = Cli.Run(
            "train", "--data", full, "--hidden", "4", "--epochs", "1", "--out",
            dir.File("again.json"));

        // Then
        evaluate.AssertSucceeded();
        Assert.Equal(before.Out, evaluate.Out);
        predict.AssertSucceeded();
        gradcheck.AssertSucceeded();
        Assert.StartsWith($"error: {images}: ", train.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("evaluate", DataSets.TestLabels)]
    [InlineData("predict", DataSets.TestImages)]
    [InlineData("gradcheck", DataSets.TestLabels)]
    public void A_missing_test_file_is_named_with_only_the_test_files_expected(
        string command, string missing)
    {
        using var dir = new TempDirectory();
        var (_, testOnly, model) = Prepare(dir);
        File.Delete(Directory.GetFiles(testOnly, missing + "*").Single());
        string[] index = command == "predict" ? ["--index", "0"] : [];

        var result = Cli.Run([command, "--model", model, "--data", testOnly, .. index]);

        Assert.Equal(
            $"error: data directory {testOnly} has no {missing}[.gz]; expected the two test "
            + "files t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally ending in "
            + ".gz",
            result.AssertOneErrorLine(1));
    }

    [Fact]
    public void Train_still_needs_the_training_files()
    {
        using var dir = new TempDirectory();
        var (_, testOnly, _) = Prepare(dir);

        var result = Cli.Run(
            "train", "--data", testOnly, "--epochs", "1", "--out", dir.File("t.json"));

        Assert.Equal(
            $"error: data directory {testOnly} has no train-images-idx3-ubyte[.gz], no "
            + "train-labels-idx1-ubyte[.gz]; expected the four files train-images-idx3-ubyte, "
            + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each "
            + "optionally ending in .gz",
            result.AssertOneErrorLine(1));
    }

    // A tiny data directory, a copy of it with only the test files and classes.txt, and a
    // model trained on the first.
    private static (string Full, string TestOnly, string Model) Prepare(TempDirectory dir)
    {
        var full = TinyData.Write(dir.File("full"));
        var testOnly = Directory.CreateDirectory(dir.File("test-only")).FullName;
        foreach (var file in Directory.GetFiles(full).Where(f => !f.Contains("train-")))
        {
            File.Copy(file, Path.Combine(testOnly, Path.GetFileName(file)));
        }

        var model = dir.File("m.json");
        Cli.Run("train", "--data", full, "--hidden", "4", "--epochs", "1", "--out", model)
            .AssertSucceeded();
        return (full, testOnly, model);
    }

    private static string[] WithoutDataLine(CliResult result) =>
        result.OutLines.Where((_, i) => i != 1).ToArray();
}
