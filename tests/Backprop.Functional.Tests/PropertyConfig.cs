using System;
using FsCheck;
using FsCheck.Fluent;

namespace Backprop.Functional.Tests;

/// <summary>The FsCheck settings the properties here run with.</summary>
public static class PropertyConfig
{
    /// <summary>The number of cases each property draws: 200, the least asked of any.</summary>
    public const int Cases = 200;

    /// <summary>Throw on failure, print nothing on success, <see cref="Cases"/> cases.</summary>
    public static Config Default { get; } =
        Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    /// <summary>Checks <paramref name="property"/> with <see cref="Default"/>.</summary>
    public static void Verify(Property property) => property.Check(Default);

    /// <summary>The case's relative error |a − b| / max(|a|, |b|, floor).</summary>
    public static double RelativeError(double a, double b, double floor) =>
        Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), floor);
}
