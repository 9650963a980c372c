using System;
using System.Linq;

namespace Backprop.Functional.Cli.Running;

/// <summary>The learning-rate schedules <c>backprop train --schedule</c> offers.</summary>
internal enum ScheduleKind
{
    /// <summary>η(t) = η₀.</summary>
    Constant,

    /// <summary>η multiplied by --decay-factor every --decay-every epochs, at once.</summary>
    Step,

    /// <summary>The same decay spread smoothly over the steps.</summary>
    Exponential,

    /// <summary>Cosine decay from η₀ to 0 over every step of the run.</summary>
    Cosine,
}

/// <summary>The command-line names of <see cref="ScheduleKind"/>.</summary>
internal static class ScheduleKinds
{
    /// <summary>Every schedule with its name, in the order the help lists them.</summary>
    public static readonly (string Name, ScheduleKind Kind)[] All =
    [
        ("constant", ScheduleKind.Constant),
        ("step", ScheduleKind.Step),
        ("exponential", ScheduleKind.Exponential),
        ("cosine", ScheduleKind.Cosine),
    ];

    /// <summary>The name of <paramref name="kind"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(this ScheduleKind kind) => All.First(e => e.Kind == kind).Name;

    /// <summary>The schedule called <paramref name="name"/> (case ignored), if any.</summary>
    public static ScheduleKind? Parse(string name) =>
        All.Where(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            .Select(e => (ScheduleKind?)e.Kind)
            .FirstOrDefault();

    /// <summary>Whether --decay-factor and --decay-every shape this schedule.</summary>
    public static bool Decays(this ScheduleKind kind) =>
        kind is ScheduleKind.Step or ScheduleKind.Exponential;
}
