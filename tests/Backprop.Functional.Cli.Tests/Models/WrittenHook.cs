namespace Backprop.Functional.Cli.Tests.Models;

/// <summary>
/// The test classes that set <see cref="Cli.Models.AtomicFile.Written"/>, a hook for the whole
/// process: they run one at a time, so that none clears another's hook.
/// </summary>
[Xunit.CollectionDefinition(Name)]
public sealed class WrittenHook
{
    public const string Name = "AtomicFile.Written";
}
