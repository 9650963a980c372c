using System;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// --backend switches a process-wide setting: these tests run alone, after every parallel
/// collection, and put the default back.
/// </summary>
[CollectionDefinition(nameof(BackendOption), DisableParallelization = true)]
public sealed class BackendOption
{
}

[Collection(nameof(BackendOption))]
public sealed class BackendOptionTests
{
    [Fact]
    public void Train_says_once_which_backend_runs_and_managed_can_be_forced()
    {
        // Given
        using var dir = new TempDirectory();

        // When
        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--backend", "managed",
            "--out", dir.File("model.json"));
        RestoreDefault();

        // Then
        result.AssertSucceeded();
        Assert.Single(result.OutLines, l => l.StartsWith("backend: ", StringComparison.Ordinal));
        Assert.Contains("backend: managed (MathNet.Numerics)", result.OutLines);
    }

    [Fact]
    public void An_unknown_backend_is_a_usage_error_that_names_the_choices()
    {
        // When
        var result = Cli.Run("train", "--backend", "cuda");
        RestoreDefault();

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--backend must be openblas or managed, got 'cuda'", result.Error);
    }

    private static void RestoreDefault() =>
        Backends.Use(Backends.OpenBlasAvailable ? Backend.OpenBlas : Backend.Managed);
}
