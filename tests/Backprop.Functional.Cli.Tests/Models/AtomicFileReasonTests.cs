using System;
using System.IO;
using Backprop.Functional.Cli.Models;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// The reason in "cannot write PATH: REASON" names the file once: the runtime's message names
/// the temporary file, which becomes the file's own name, and its trailing " : 'PATH'" goes.
/// </summary>
public sealed class AtomicFileReasonTests
{
    private const string Temporary = "/d/.m.json.x1y2.tmp";
    private const string Full = "/d/m.json";

    [Theory]
    [InlineData("No space left on device : '/d/.m.json.x1y2.tmp'", "No space left on device")]
    [InlineData("Disk quota exceeded : '/d/m.json'", "Disk quota exceeded")]
    [InlineData(
        "Access to the path '/d/.m.json.x1y2.tmp' is denied.",
        "Access to the path '/d/m.json' is denied.")]
    [InlineData("Read-only file system", "Read-only file system")]
    public void The_reason_names_the_file_once(string message, string expected) =>
        Assert.Equal(expected, AtomicFile.Reason(new IOException(message), Temporary, Full));
}
