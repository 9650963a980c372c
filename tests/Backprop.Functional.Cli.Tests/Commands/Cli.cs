using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>What one in-process run of the command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Lines(Out);

    public string[] ErrorLines => Lines(Error);

    public JsonElement Json() => JsonDocument.Parse(Out).RootElement;

    /// <summary>Asserts the error contract: the exit code and exactly one "error:" line.</summary>
    public string AssertOneErrorLine(int exitCode)
    {
        Assert.True(
            ExitCode == exitCode,
            $"exit code {ExitCode}, expected {exitCode}; stderr: {Error}; stdout: {Out}");
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        return line;
    }

    public void AssertSucceeded() =>
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Error}; stdout: {Out}");

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the backprop command in this process, as a person would from a shell.</summary>
public static class Cli
{
    private static readonly Dictionary<string, string?> NoEnvironment = new();

    public static CliResult Run(params string[] args) => Run(NoEnvironment, args);

    public static CliResult Run(
        IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr, environment);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The element at a dotted path such as "final.testAccuracy".</summary>
    public static JsonElement At(this JsonElement element, string path) =>
        path.Split('.').Aggregate(element, (e, name) => e.GetProperty(name));

    public static double Number(this JsonElement element, string path) =>
        element.At(path).GetDouble();

    public static string? Text(this JsonElement element, string path) =>
        element.At(path).GetString();

    public static int[] Integers(this JsonElement element, string path) =>
        element.At(path).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
