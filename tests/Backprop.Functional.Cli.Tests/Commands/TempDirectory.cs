using System;
using System.IO;
using System.Linq;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>A fresh directory for one test's files, deleted with its contents afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(), "backprop-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The names of the files in the directory, hidden ones included, sorted.</summary>
    public string[] Files =>
        Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order().ToArray();

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed half-way may leave a file open; the directory is temporary.
        }
    }
}
