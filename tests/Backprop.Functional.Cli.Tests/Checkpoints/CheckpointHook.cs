using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>Tests that set <see cref="Cli.Running.CheckpointClaim.Keeping"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CheckpointHook
{
    /// <summary>The collection's name.</summary>
    public const string Name = "CheckpointClaim.Keeping";
}
