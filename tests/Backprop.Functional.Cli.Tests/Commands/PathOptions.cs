using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Every option of every command that names a file or a directory, with the arguments the
/// command needs besides it, for the tests that try one bad path on each. In the arguments,
/// separated by '|', "ABSENT" stands for a path in the test's directory that does not exist
/// and "OUT" for the model file train writes; the option under test goes after them.
/// </summary>
internal static class PathOptions
{
    private static readonly (string Arguments, string Option, string Kind)[] All =
    [
        ("train|--out|OUT", "--data", "directory"),
        ("train", "--out", "file"),
        ("train|--out|OUT", "--plot", "file"),
        ("train|--out|OUT", "--checkpoint", "directory"),
        ("train|--out|OUT", "--resume", "file"),
        ("evaluate", "--model", "file"),
        ("evaluate|--model|ABSENT", "--data", "directory"),
        ("predict|--index|0", "--model", "file"),
        ("predict|--index|0|--model|ABSENT", "--data", "directory"),
        ("gradcheck", "--model", "file"),
        ("gradcheck", "--data", "directory"),
        ("make-sample|--out|ABSENT", "--data", "directory"),
        ("make-sample|--data|ABSENT", "--out", "directory"),
    ];

    /// <summary>The arguments and the option, for each path option.</summary>
    public static TheoryData<string, string> Every
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (arguments, option, _) in All)
            {
                data.Add(arguments, option);
            }

            return data;
        }
    }

    /// <summary>
    /// The arguments, the option and what it names ("file" or "directory"), for each.
    /// </summary>
    public static TheoryData<string, string, string> EveryWithKind
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var (arguments, option, kind) in All)
            {
                data.Add(arguments, option, kind);
            }

            return data;
        }
    }

    /// <summary>The arguments, with ABSENT and OUT made paths in <paramref name="dir"/>.</summary>
    public static string[] Arguments(string arguments, TempDirectory dir) =>
        arguments
            .Replace("ABSENT", dir.File("absent"))
            .Replace("OUT", dir.File("m.json"))
            .Split('|');
}
