namespace Backprop.Functional.Cli.Running;

/// <summary>
/// What the settings of <c>backprop train</c> must hold, alone and together. The command line
/// refuses an argument against them (exit code 2); a checkpoint's reader refuses a recorded
/// setting against them as damage (exit code 1), since no run can have written it.
/// </summary>
internal static class SettingRules
{
    /// <summary>η₀, --learning-rate.</summary>
    public static readonly NumberRule LearningRate =
        new("--learning-rate", "learningRate", x => x > 0, "a finite number > 0");

    /// <summary>μ or β₁, --momentum.</summary>
    public static readonly NumberRule Momentum =
        new("--momentum", "momentum", x => x >= 0 && x < 1, Unit);

    /// <summary>β₂ or ρ, --beta2.</summary>
    public static readonly NumberRule Beta2 = new("--beta2", "beta2", x => x >= 0 && x < 1, Unit);

    /// <summary>λ of decoupled weight decay, --weight-decay.</summary>
    public static readonly NumberRule WeightDecay =
        new("--weight-decay", "weightDecay", x => x >= 0, "a finite number ≥ 0");

    /// <summary>λ of the L2 penalty, --l2.</summary>
    public static readonly NumberRule L2 = new("--l2", "l2", x => x >= 0, "a finite number ≥ 0");

    /// <summary>
    /// The largest global gradient norm, --clip-norm; a run without one records "".
    /// </summary>
    public static readonly NumberRule ClipNorm =
        new("--clip-norm", "clipNorm", x => x > 0, "a finite number > 0");

    /// <summary>γ of a decaying schedule, --decay-factor.</summary>
    public static readonly NumberRule DecayFactor =
        new("--decay-factor", "decayFactor", x => x > 0 && x <= 1, "a number in (0, 1]");

    /// <summary>p, the dropout rate of the hidden layers, --dropout.</summary>
    public static readonly NumberRule Dropout =
        new("--dropout", "dropout", x => x >= 0 && x < 1, Unit);

    /// <summary>The number options, in the order a checkpoint records them.</summary>
    public static readonly NumberRule[] Numbers =
        [LearningRate, Momentum, Beta2, WeightDecay, L2, ClipNorm, DecayFactor, Dropout];

    private const string Unit = "a number in [0, 1)";

    /// <summary>
    /// Why <paramref name="option"/> means nothing under <paramref name="optimizer"/> and
    /// <paramref name="schedule"/> ("does not apply to --optimizer sgd: …"), or null when it
    /// means something there. An option that means nothing is refused when given, and its
    /// setting is recorded as "".
    /// </summary>
    public static string? Inapplicable(
        string option, OptimizerKind optimizer, ScheduleKind schedule) => option switch
    {
        "--momentum" when !optimizer.HasMomentum() =>
            $"does not apply to --optimizer {optimizer.Name()}: it is μ for momentum and "
                + "nesterov, β₁ for adam and adamw",
        "--beta2" when optimizer.DefaultBeta2() is null =>
            $"does not apply to --optimizer {optimizer.Name()}: it is β₂ for adam and adamw, ρ "
                + "for rmsprop",
        "--decay-factor" or "--decay-every" when !schedule.Decays() =>
            $"does not apply to --schedule {schedule.Name()}: it shapes the step and exponential "
                + "schedules",
        _ => null,
    };
}
