using System;

namespace Backprop.Functional;

/// <summary>
/// A learning-rate schedule: η as a pure function of the step t = 0, 1, 2, … (the number of
/// updates already taken). Schedules compose: <see cref="WithWarmup"/> wraps another.
/// </summary>
/// <param name="Name">A description for logs, e.g. "cosine(0.1 → 0, 10000 steps)".</param>
/// <param name="At">η(t).</param>
public sealed record Schedule(string Name, Func<long, double> At)
{
    /// <summary>η(t) = η₀.</summary>
    public static Schedule Constant(double rate) =>
        new($"constant({rate:G4})", _ => rate);

    /// <summary>η(t) = η₀ · γ^⌊t / every⌋: multiply by γ every <paramref name="every"/> steps.</summary>
    public static Schedule Step(double rate, long every, double factor) =>
        every < 1
            ? throw new ArgumentOutOfRangeException(nameof(every), every, "must be ≥ 1")
            : new($"step({rate:G4} × {factor:G4} every {every})",
                t => rate * Math.Pow(factor, t / every));

    /// <summary>η(t) = η₀ · γ^(t / every): a smooth decay by γ every <paramref name="every"/> steps.</summary>
    public static Schedule Exponential(double rate, double factor, long every = 1) =>
        every < 1
            ? throw new ArgumentOutOfRangeException(nameof(every), every, "must be ≥ 1")
            : new($"exponential({rate:G4} × {factor:G4} per {every})",
                t => rate * Math.Pow(factor, (double)t / every));

    /// <summary>
    /// Cosine decay from η₀ to η_min over <paramref name="steps"/> steps, then η_min:
    /// η(t) = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T)).
    /// </summary>
    public static Schedule Cosine(double rate, long steps, double floor = 0.0) =>
        steps < 1
            ? throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be ≥ 1")
            : new($"cosine({rate:G4} → {floor:G4} over {steps})",
                t => floor + (0.5 * (rate - floor)
                    * (1.0 + PortableMath.CosTwoPi(0.5 * Math.Min(t, steps) / steps))));

    /// <summary>
    /// Linear warm-up: η(t) = this(t)·(t + 1)/w for the first w steps, then this schedule.
    /// </summary>
    public Schedule WithWarmup(long steps) =>
        steps <= 0
            ? this
            : new($"{Name} after {steps} warm-up steps",
                t => t < steps ? At(t) * (t + 1) / steps : At(t));
}
