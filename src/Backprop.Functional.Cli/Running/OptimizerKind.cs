using System;
using System.Linq;

namespace Backprop.Functional.Cli.Running;

/// <summary>The optimizers that <c>backprop train --optimizer</c> offers.</summary>
internal enum OptimizerKind
{
    /// <summary>Plain SGD: θ ← θ − ηg.</summary>
    Sgd,

    /// <summary>Heavy-ball momentum, μ from --momentum.</summary>
    Momentum,

    /// <summary>Nesterov momentum, μ from --momentum.</summary>
    Nesterov,

    /// <summary>Adam, β₁ from --momentum and β₂ from --beta2.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay, λ = 0.01 unless --weight-decay says.</summary>
    AdamW,

    /// <summary>RMSProp, ρ from --beta2.</summary>
    RmsProp,
}

/// <summary>The names of <see cref="OptimizerKind"/> and the defaults that go with each.</summary>
internal static class OptimizerKinds
{
    /// <summary>Every optimizer with its name, in the order the help lists them.</summary>
    public static readonly (string Name, OptimizerKind Kind)[] All =
    [
        ("sgd", OptimizerKind.Sgd),
        ("momentum", OptimizerKind.Momentum),
        ("nesterov", OptimizerKind.Nesterov),
        ("adam", OptimizerKind.Adam),
        ("adamw", OptimizerKind.AdamW),
        ("rmsprop", OptimizerKind.RmsProp),
    ];

    /// <summary>The name of <paramref name="kind"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(this OptimizerKind kind) => All.First(e => e.Kind == kind).Name;

    /// <summary>The optimizer called <paramref name="name"/> (case ignored), if any.</summary>
    public static OptimizerKind? Parse(string name) =>
        All.Where(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            .Select(e => (OptimizerKind?)e.Kind)
            .FirstOrDefault();

    /// <summary>
    /// η when --learning-rate is not given: 0.1 for SGD, 0.01 for the momentum methods (whose
    /// steps are about 1/(1 − μ) = 10 times longer), 0.001 for the adaptive ones.
    /// </summary>
    public static double DefaultLearningRate(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => 0.1,
        OptimizerKind.Momentum or OptimizerKind.Nesterov => 0.01,
        _ => 0.001,
    };

    /// <summary>Whether --momentum means something: μ, or Adam's β₁.</summary>
    public static bool HasMomentum(this OptimizerKind kind) =>
        kind is OptimizerKind.Momentum or OptimizerKind.Nesterov
            or OptimizerKind.Adam or OptimizerKind.AdamW;

    /// <summary>
    /// --beta2 when not given, or null when it means nothing: Adam's β₂ = 0.999, RMSProp's
    /// ρ = 0.99.
    /// </summary>
    public static double? DefaultBeta2(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam or OptimizerKind.AdamW => 0.999,
        OptimizerKind.RmsProp => 0.99,
        _ => null,
    };

    /// <summary>--weight-decay when not given: 0.01 for AdamW (as PyTorch), else 0.</summary>
    public static double DefaultWeightDecay(this OptimizerKind kind) =>
        kind == OptimizerKind.AdamW ? 0.01 : 0.0;
}
