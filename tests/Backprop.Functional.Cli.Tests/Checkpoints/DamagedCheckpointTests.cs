using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A damaged checkpoint given to train --resume fails with exit code 1 and one line that names
/// the file and what is wrong where; exit code 2 stays for arguments that contradict a sound
/// checkpoint.
/// </summary>
public sealed class DamagedCheckpointTests
{
    [Fact]
    public void Invalid_UTF8_in_a_string_is_named_with_its_line_and_column()
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        var bytes = File.ReadAllBytes(checkpoint);
        var at = IndexOf(bytes, "\"backprop-functional-checkpoint\"") + 1;
        bytes[at] = 0xFF;
        File.WriteAllBytes(checkpoint, bytes);
        var (line, column) = Where(bytes, at);

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: invalid UTF-8 at line {line}, column {column} (byte 0xFF); "
            + "expected UTF-8 text",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("m", "optimizer 'buffers' are ['m'] but its run's optimizer")]
    [InlineData("", "optimizer 'buffers' are none but its run's optimizer")]
    public void Buffers_of_another_optimizer_name_the_file_and_no_parameter(
        string rename, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir, "--optimizer", "nesterov");
        Edit(checkpoint, json =>
        {
            var buffers = json["optimizer"]!["buffers"]!.AsArray();
            if (rename.Length == 0)
            {
                buffers.Clear();
            }
            else
            {
                buffers[0]!["name"] = rename;
            }
        });

        var result = Resume(dir, checkpoint, "--optimizer", "nesterov");

        Assert.Equal(
            $"error: {checkpoint}: {expected} (nesterov(μ = 0.9), η = constant(0.01)) keeps "
            + "['velocity']",
            result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("batchSize", "abc", "setting 'batchSize' is \"abc\"; expected a whole number ≥ 1")]
    [InlineData("dropout", null, "setting 'dropout' is missing; expected a number")]
    [InlineData("seed", "-1", "setting 'seed' is \"-1\"; expected a whole number ≥ 0")]
    [InlineData("learningRate", "fast", "setting 'learningRate' is \"fast\"; expected a number")]
    [InlineData("optimizer", "sdg", "setting 'optimizer' is \"sdg\"; expected an optimizer name")]
    public void A_damaged_setting_is_exit_code_1_naming_the_file_and_the_key(
        string key, string? value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            var settings = json["settings"]!.AsObject();
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        });

        var result = Resume(dir, checkpoint);

        Assert.Equal($"error: {checkpoint}: {expected}", result.AssertOneErrorLine(1));
    }

    [Theory]
    [InlineData("trainingLoss", "\"x\"", "'trainingLoss' is the string \"x\"; expected a number")]
    [InlineData("testCorrect", "1.5", "'testCorrect' is the number 1.5; expected a whole number")]
    [InlineData(
        "validationLoss", "[]", "'validationLoss' is an array; expected a number or null")]
    [InlineData("testTotal", null, "'testTotal' is missing; expected a whole number")]
    public void A_damaged_history_entry_names_the_field_and_the_type(
        string key, string? value, string expected)
    {
        using var dir = new Commands.TempDirectory();
        var checkpoint = Checkpoint(dir);
        Edit(checkpoint, json =>
        {
            var entry = json["history"]![0]!.AsObject();
            if (value is null)
            {
                entry.Remove(key);
            }
            else
            {
                entry[key] = JsonNode.Parse(value);
            }
        });

        var result = Resume(dir, checkpoint);

        Assert.Equal(
            $"error: {checkpoint}: 'history' entry 1: {expected}",
            result.AssertOneErrorLine(1));
    }

    private static Commands.CliResult Resume(Commands.TempDirectory dir, string checkpoint, params string[] more) =>
        Commands.Cli.Run(
            [
                "train", "--hidden", "8", "--epochs", "2", "--resume", checkpoint,
                "--out", dir.File("m.json"), .. more,
            ]);

    // The checkpoint of a one-epoch run on the embedded sample with these options.
    private static string Checkpoint(Commands.TempDirectory dir, params string[] options)
    {
        Commands.Cli.Run(
            [
                "train", "--epochs", "1", "--hidden", "8", .. options,
                "--checkpoint", dir.File("run"), "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        return Path.Combine(dir.File("run"), "checkpoint.json");
    }

    private static void Edit(string path, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static int IndexOf(byte[] bytes, string text) =>
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    private static (int Line, int Column) Where(byte[] bytes, int offset)
    {
        var before = bytes.AsSpan(0, offset);
        var start = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, offset - start + 1);
    }
}
