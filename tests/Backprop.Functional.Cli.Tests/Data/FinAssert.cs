using LanguageExt;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Data;

/// <summary>Assertions on <see cref="Fin{A}"/> results.</summary>
public static class FinAssert
{
    /// <summary>The value of a success; else fails the test with the error's message.</summary>
    public static T Succeeds<T>(Fin<T> result) =>
        result.Match(
            Succ: value => value,
            Fail: error =>
                throw new Xunit.Sdk.XunitException($"expected success, got: {error.Message}"));

    /// <summary>The message of a failure, after checking that it is one line.</summary>
    public static string Fails<T>(Fin<T> result)
    {
        var message = result.Match(
            Succ: value => throw new Xunit.Sdk.XunitException($"expected a failure, got {value}"),
            Fail: error => error.Message);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain("   at ", message, System.StringComparison.Ordinal);
        return message;
    }
}
