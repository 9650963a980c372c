using LanguageExt;

namespace Backprop.Functional;

/// <summary>
/// The state an optimizer carries from step to step. Every buffer has the network's shapes
/// (a <see cref="Gradient{T}"/> is used for them, one per layer: ∂W and ∂b shapes).
/// </summary>
/// <param name="Step">t, the number of updates taken so far.</param>
/// <param name="LearningRate">η used by the last update (the schedule's value; 0 before
/// any).</param>
/// <param name="Buffers">The named buffers, e.g. ("m", …) and ("v", …) for Adam; empty for
/// SGD.</param>
public sealed record OptimizerState<T>(
    long Step, double LearningRate, Seq<(string Name, Gradient<T> Buffer)> Buffers)
    where T : struct, System.Numerics.IFloatingPointIeee754<T>
{
    /// <summary>The buffer with the given name.</summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">There is none.</exception>
    public Gradient<T> this[string name] =>
        Buffers.Find(b => b.Name == name).Match(
            Some: b => b.Buffer,
            None: () => throw new System.Collections.Generic.KeyNotFoundException(
                $"the optimizer state has no buffer '{name}'"));
}
