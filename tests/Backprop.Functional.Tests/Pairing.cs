using System.Linq;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>What targets a loss accepts.</summary>
public enum TargetKind
{
    /// <summary>Any real numbers; drawn from [−1, 1].</summary>
    Any,

    /// <summary>Numbers in [0, 1], one per output unit.</summary>
    UnitInterval,

    /// <summary>A probability vector per sample: one-hot or spread over the classes.</summary>
    Distribution,
}

/// <summary>
/// An output activation with a loss that can follow it, and the targets that loss accepts.
/// <see cref="All"/> lists every pair that makes sense, so each path through Loss is tested.
/// </summary>
/// <param name="Output">The output layer's activation.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Targets">The targets drawn for it.</param>
public sealed record Pairing(Activation Output, Loss Loss, TargetKind Targets)
{
    /// <summary>
    /// Quadratic after every output activation; binary cross-entropy after sigmoid (the fused
    /// path) and after softmax (the general path through the Jacobian); cross-entropy after
    /// softmax (the full softmax Jacobian); softmax-cross-entropy after softmax (fused).
    /// </summary>
    public static Pairing[] All { get; } =
    [
        new(Activation.Identity, Loss.Quadratic, TargetKind.Any),
        new(Activation.Sigmoid, Loss.Quadratic, TargetKind.Any),
        new(Activation.Tanh, Loss.Quadratic, TargetKind.Any),
        new(Activation.ReLU, Loss.Quadratic, TargetKind.Any),
        new(Activation.LeakyReLU(0.1), Loss.Quadratic, TargetKind.Any),
        new(Activation.Softplus, Loss.Quadratic, TargetKind.Any),
        new(Activation.Softmax, Loss.Quadratic, TargetKind.Any),
        new(Activation.Sigmoid, Loss.BinaryCrossEntropy, TargetKind.UnitInterval),
        new(Activation.Softmax, Loss.BinaryCrossEntropy, TargetKind.UnitInterval),
        new(Activation.Softmax, Loss.CrossEntropy, TargetKind.Distribution),
        new(Activation.Softmax, Loss.SoftmaxCrossEntropy, TargetKind.Distribution),
    ];

    /// <summary>The names of <see cref="All"/>, as theory data: one test case per pair.</summary>
    public static TheoryData<string> Names => new(All.Select(p => p.Name));

    /// <summary>"loss after activation", e.g. "cross-entropy after softmax".</summary>
    public string Name => $"{Loss.Name} after {Output.Name}";

    /// <summary>Whether the loss clamps probabilities (a non-fused cross-entropy).</summary>
    public bool Clamps => Loss == Loss.CrossEntropy || ComplementsOutput;

    /// <summary>Whether the loss takes ln(1 − o) of the output (unfused binary
    /// cross-entropy).</summary>
    public bool ComplementsOutput =>
        Loss == Loss.BinaryCrossEntropy && Output != Activation.Sigmoid;

    /// <summary>The pair called <paramref name="name"/>.</summary>
    public static Pairing Named(string name) => All.Single(p => p.Name == name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
