using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// Tests that set <see cref="Cli.Running.CheckpointClaim.Keeping"/>, or stop a run as a signal
/// does (which reads what the whole process has saved), run one at a time, apart from all others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CheckpointHook
{
    /// <summary>The collection's name.</summary>
    public const string Name = "CheckpointClaim.Keeping";
}
