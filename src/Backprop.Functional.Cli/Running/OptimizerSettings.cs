using System.Collections.Generic;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// How <c>backprop train</c> updates the weights, with the defaults filled in: the optimizer
/// and its hyperparameters, the gradient transforms in front of it and the learning-rate
/// schedule. <see cref="Build"/> turns it into the core's <see cref="Optimizer"/> chain.
/// </summary>
/// <param name="Kind">The recurrence.</param>
/// <param name="LearningRate">η₀, finite and &gt; 0.</param>
/// <param name="Momentum">μ (momentum, nesterov) or β₁ (adam, adamw) in [0, 1); null for the
/// optimizers without one.</param>
/// <param name="Beta2">β₂ (adam, adamw) or ρ (rmsprop) in [0, 1); null for the others.</param>
/// <param name="WeightDecay">λ of decoupled weight decay, ≥ 0; biases do not decay.</param>
/// <param name="L2">λ of the coupled L2 penalty added to the gradient, ≥ 0; biases
/// excluded.</param>
/// <param name="ClipNorm">The largest global gradient norm, &gt; 0, or null for no
/// clipping.</param>
/// <param name="Schedule">How η changes with the step.</param>
/// <param name="DecayFactor">γ in (0, 1] for the step and exponential schedules, else null.</param>
/// <param name="DecayEvery">The epochs over which η is multiplied by γ, ≥ 1, for the step and
/// exponential schedules, else null.</param>
/// <param name="Warmup">The steps of linear warm-up in front of the schedule, ≥ 0.</param>
internal sealed record OptimizerSettings(
    OptimizerKind Kind,
    double LearningRate,
    double? Momentum,
    double? Beta2,
    double WeightDecay,
    double L2,
    double? ClipNorm,
    ScheduleKind Schedule,
    double? DecayFactor,
    int? DecayEvery,
    long Warmup)
{
    /// <summary>
    /// Whether <see cref="DecayEvery"/> is the default a third of --epochs rather than a value
    /// given: with the default, a different --epochs is a different decay period.
    /// </summary>
    public bool DecayEveryByDefault { get; init; }

    /// <summary>The default of --decay-factor: a tenth, the classic step drop.</summary>
    public const double DefaultDecayFactor = 0.1;

    /// <summary>
    /// The default of --decay-every: a third of the run, rounded up, so that η falls by γ
    /// twice in a step schedule and by γ³ over the run in an exponential one. Taken without
    /// adding first, so that the largest --epochs cannot overflow it.
    /// </summary>
    public static int DefaultDecayEvery(int epochs) => (epochs / 3) + (epochs % 3 == 0 ? 0 : 1);

    /// <summary>
    /// The learning-rate schedule for a run of <paramref name="epochs"/> epochs of
    /// <paramref name="batchesPerEpoch"/> steps each, warm-up included.
    /// </summary>
    public Schedule BuildSchedule(int batchesPerEpoch, int epochs)
    {
        var schedule = Schedule switch
        {
            ScheduleKind.Step => Functional.Schedule.Step(
                LearningRate, (long)DecayEvery!.Value * batchesPerEpoch, DecayFactor!.Value),
            ScheduleKind.Exponential => Functional.Schedule.Exponential(
                LearningRate, DecayFactor!.Value, (long)DecayEvery!.Value * batchesPerEpoch),
            ScheduleKind.Cosine => Functional.Schedule.Cosine(
                LearningRate, (long)epochs * batchesPerEpoch),
            _ => Functional.Schedule.Constant(LearningRate),
        };
        return schedule.WithWarmup(Warmup);
    }

    /// <summary>
    /// The optimizer chain: clipping by global norm, then the L2 penalty, in front of the
    /// recurrence, and decoupled weight decay after it; η from <see cref="BuildSchedule"/>.
    /// </summary>
    public Optimizer Build(int batchesPerEpoch, int epochs)
    {
        var schedule = BuildSchedule(batchesPerEpoch, epochs);
        var optimizer = Kind switch
        {
            OptimizerKind.Momentum => Optimizer.Momentum(schedule, Momentum!.Value),
            OptimizerKind.Nesterov => Optimizer.Nesterov(schedule, Momentum!.Value),
            OptimizerKind.Adam or OptimizerKind.AdamW =>
                Optimizer.Adam(schedule, Momentum!.Value, Beta2!.Value),
            OptimizerKind.RmsProp => Optimizer.RmsProp(schedule, Beta2!.Value),
            _ => Optimizer.Sgd(schedule),
        };

        var transforms = new List<Transform>();
        if (ClipNorm is { } c)
        {
            transforms.Add(Transform.ClipByNorm(c));
        }

        if (L2 > 0)
        {
            transforms.Add(Transform.L2(L2));
        }

        if (WeightDecay > 0)
        {
            transforms.Add(Transform.WeightDecay(WeightDecay));
        }

        return transforms.Count == 0 ? optimizer : optimizer.With([.. transforms]);
    }
}
