using System;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional;

/// <summary>The plain stochastic-gradient-descent step, as a pure function.</summary>
public static class Sgd
{
    /// <summary>
    /// One SGD step, W ← W − η·∂W and b ← b − η·∂b for every layer, as a new network; the given
    /// network is unchanged.
    /// </summary>
    /// <param name="network">The network to step from.</param>
    /// <param name="gradient">∂L/∂W and ∂L/∂b, with the network's shapes.</param>
    /// <param name="learningRate">η ≥ 0 and finite.</param>
    /// <exception cref="ArgumentException">The gradient's shapes differ from the network's, or η is
    /// negative or not finite.</exception>
    /// <exception cref="ArithmeticException">A new weight or bias is NaN or ±∞ (a non-finite
    /// gradient, or a step too large for the precision); the message names the layer.</exception>
    public static Network<T> Update<T>(
        this Network<T> network, Gradient<T> gradient, T learningRate)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(learningRate) || learningRate < T.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(learningRate), learningRate, "the learning rate must be finite and ≥ 0");
        }

        Gradient.CheckMatches(network, gradient);
        var η = learningRate;
        var finite = true;
        var updated = new Network<T>(network.Layers.Zip(gradient.Layers).Map(pair =>
        {
            var (layer, g) = pair;
            return new Layer<T>(
                Dense.Of(
                    layer.OutputSize,
                    layer.InputSize,
                    Stepped(Dense.Values(layer.Weights), Dense.Values(g.Weights), η, ref finite)),
                Dense.Of(Stepped(Dense.Values(layer.Bias), Dense.Values(g.Bias), η, ref finite)),
                layer.Activation);
        }).Strict());

        return finite ? updated : throw Finiteness.UpdateFailed(updated, gradient);
    }

    /// <summary>
    /// One training step on the batch (X, Y): Forward, Backward, then <see cref="Update{T}"/>.
    /// Returns the new network and the batch's mean loss before the step.
    /// </summary>
    public static (Network<T> Network, T Loss) Step<T>(
        this Network<T> network, Matrix<T> inputs, Matrix<T> targets, Loss loss, T learningRate)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (value, gradient) = network.LossAndGradient(inputs, targets, loss);
        return (network.Update(gradient, learningRate), value);
    }

    private static T[] Stepped<T>(T[] w, T[] dw, T η, ref bool finite)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        // w − η·dw as (−η)·dw + w, rounded after the product and after the sum (not fused).
        var result = GC.AllocateUninitializedArray<T>(w.Length);
        finite &= Kernels.Step(dw, -η, w, result);
        return result;
    }
}
