using System;
using System.IO;
using System.Text;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// A model file whose bytes are not UTF-8 (inside a string, where the JSON reader does not
/// look) is refused with the file, the line and the column, not a .NET transcoding message.
/// </summary>
public sealed class InvalidUtf8ModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Path => _temp.File("model.json");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Loading_names_the_file_line_column_and_byte()
    {
        var (line, column) = Damaged();

        Assert.Equal(
            $"{Path}: invalid UTF-8 at line {line}, column {column} (byte 0xFF); "
            + "expected UTF-8 text",
            FinAssert.Fails(ModelFile.Load(Path)));
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict")]
    public void The_commands_fail_with_code_1_and_one_line(string command)
    {
        var (line, column) = Damaged();

        var result = command == "predict"
            ? Commands.Cli.Run(command, "--model", Path, "--index", "0")
            : Commands.Cli.Run(command, "--model", Path);

        Assert.Equal(
            $"error: {Path}: invalid UTF-8 at line {line}, column {column} (byte 0xFF); "
            + "expected UTF-8 text",
            result.AssertOneErrorLine(1));
    }

    // A saved model with 0xFF in place of the first letter of its dataset's name.
    private (int Line, int Column) Damaged()
    {
        FinAssert.Succeeds(
            ModelFile.Save(Path, TestModels.Small<double>(), TestModels.Info<double>()));
        var bytes = File.ReadAllBytes(Path);
        var key = Encoding.UTF8.GetBytes("\"dataset\": \"");
        var at = bytes.AsSpan().IndexOf(key) + key.Length;
        bytes[at] = 0xFF;
        File.WriteAllBytes(Path, bytes);
        var before = bytes.AsSpan(0, at);
        var start = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, at - start + 1);
    }
}
