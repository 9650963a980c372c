using System;
using System.IO;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>A fresh directory under the system's temporary folder, deleted on disposal.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string? leaf = null)
    {
        var unique = "backprop-tests-" + System.IO.Path.GetRandomFileName();
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), unique);
        Path = leaf is null ? root : System.IO.Path.Combine(root, leaf);
        Root = root;
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory to use: <see cref="Root"/>, or the leaf given inside it.</summary>
    public string Path { get; }

    /// <summary>The directory that disposal deletes.</summary>
    public string Root { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
