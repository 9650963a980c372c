using System;

namespace Backprop.Functional;

/// <summary>
/// A learning-rate schedule: η as a pure function of the step t = 0, 1, 2, … (the number of
/// updates already taken). Schedules compose: <see cref="WithWarmup"/> wraps another.
/// </summary>
/// <remarks>
/// The factories reject a starting rate η₀ that is zero, negative or not finite. A schedule
/// built directly from a function is checked when it is used: <see cref="Optimizer"/>'s
/// update throws if η(t) is negative or not finite; η(t) = 0 is allowed (it freezes the
/// network, as a cosine schedule does at its end with a floor of 0).
/// </remarks>
/// <param name="Name">A description for logs, e.g. "cosine(0.1 → 0, 10000 steps)".</param>
/// <param name="At">η(t).</param>
public sealed record Schedule(string Name, Func<long, double> At)
{
    /// <summary>η(t) = η₀.</summary>
    /// <param name="rate">η₀, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">η₀ is zero, negative or not
    /// finite.</exception>
    public static Schedule Constant(double rate)
    {
        Hyperparameter.Positive(rate, nameof(rate));
        return new($"constant({rate:G4})", _ => rate);
    }

    /// <summary>
    /// η(t) = η₀ · γ^⌊t / every⌋: multiply by γ every <paramref name="every"/> steps.
    /// </summary>
    /// <param name="rate">η₀, finite and &gt; 0.</param>
    /// <param name="every">The steps between two drops, ≥ 1.</param>
    /// <param name="factor">γ, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Schedule Step(double rate, long every, double factor)
    {
        Hyperparameter.Positive(rate, nameof(rate));
        Hyperparameter.Positive(factor, nameof(factor));
        AtLeastOne(every, nameof(every));
        return new($"step({rate:G4} × {factor:G4} every {every})",
            t => rate * PortableMath.Pow(factor, t / every));
    }

    /// <summary>
    /// η(t) = η₀ · γ^(t / every): a smooth decay by γ every <paramref name="every"/> steps.
    /// </summary>
    /// <param name="rate">η₀, finite and &gt; 0.</param>
    /// <param name="factor">γ, finite and &gt; 0.</param>
    /// <param name="every">The steps over which η is multiplied by γ, ≥ 1. Defaults to 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Schedule Exponential(double rate, double factor, long every = 1)
    {
        Hyperparameter.Positive(rate, nameof(rate));
        Hyperparameter.Positive(factor, nameof(factor));
        AtLeastOne(every, nameof(every));
        return new($"exponential({rate:G4} × {factor:G4} per {every})",
            t => rate * PortableMath.Pow(factor, (double)t / every));
    }

    /// <summary>
    /// Cosine decay from η₀ to η_min over <paramref name="steps"/> steps, then η_min:
    /// η(t) = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T)).
    /// </summary>
    /// <param name="rate">η₀, finite and &gt; 0.</param>
    /// <param name="steps">T, the length of the decay, ≥ 1.</param>
    /// <param name="floor">η_min in [0, η₀]. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static Schedule Cosine(double rate, long steps, double floor = 0.0)
    {
        Hyperparameter.Positive(rate, nameof(rate));
        AtLeastOne(steps, nameof(steps));
        if (!(floor >= 0 && floor <= rate))
        {
            throw new ArgumentOutOfRangeException(
                nameof(floor), floor, $"floor must be in [0, rate = {rate}], got {floor}");
        }

        return new($"cosine({rate:G4} → {floor:G4} over {steps})",
            t => floor + (0.5 * (rate - floor)
                * (1.0 + PortableMath.CosTwoPi(0.5 * Math.Min(t, steps) / steps))));
    }

    /// <summary>
    /// Linear warm-up: η(t) = this(t)·(t + 1)/w for the first w steps, then this schedule.
    /// </summary>
    /// <param name="steps">w; 0 or less leaves the schedule as it is.</param>
    public Schedule WithWarmup(long steps) =>
        steps <= 0
            ? this
            : new($"{Name} after {Plural.Of(steps, "warm-up step")}",
                t => t < steps ? At(t) * (t + 1) / steps : At(t));

    private static void AtLeastOne(long x, string name)
    {
        if (x < 1)
        {
            throw new ArgumentOutOfRangeException(name, x, $"{name} must be ≥ 1, got {x}");
        }
    }
}
