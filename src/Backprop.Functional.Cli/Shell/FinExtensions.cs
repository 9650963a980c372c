using LanguageExt;

namespace Backprop.Functional.Cli.Shell;

/// <summary>
/// Where the shell meets the <see cref="Fin{A}"/> results of the data and model layers.
/// </summary>
internal static class FinExtensions
{
    /// <summary>
    /// The value, or a <see cref="CommandFailure"/> (exit code 1) with the error's message,
    /// after <paramref name="context"/> and a colon when one is given.
    /// </summary>
    public static TValue OrFail<TValue>(this Fin<TValue> fin, string? context = null) =>
        fin.Match(
            Succ: value => value,
            Fail: error => throw CommandFailure.Failed(
                context is null ? error.Message : $"{context}: {error.Message}",
                error.Exception.MatchUnsafe(e => e, () => null)));
}
