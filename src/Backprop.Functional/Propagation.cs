using System.Numerics.Tensors;
using LanguageExt;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// The forward and backward passes: <see cref="Forward{T}(Network{T}, Matrix{T})"/> records a
/// <see cref="Trace{T}"/>, and <c>Backward</c> folds over it from the output side to
/// give a <see cref="Gradient{T}"/>. Batches are matrices with one sample a column.
/// </summary>
/// <remarks>
/// These are pure functions: they read the network and the data, allocate their results and
/// write into nothing they were given. A NaN or ±∞ in X is refused with an
/// <see cref="System.ArgumentException"/> naming its row and column; on OpenBLAS the check
/// reads Σ₁ = W₁·X + b₁, which any such value makes non-finite, and reads X only then (see
/// docs/limitations.md).
/// </remarks>
public static class Propagation
{
    /// <summary>
    /// The forward pass, recording each layer's Σ, o and Jacobian:
    /// o₀ = X; Σ_l = W_l·o_(l−1) + b_l·1ᵀ, o_l = f_l(Σ_l), for l = 1 … L.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="inputs">X, n₀ × m, one sample a column, every value finite.</param>
    /// <exception cref="System.ArgumentException">X has the wrong number of rows, no columns, or a
    /// non-finite value.</exception>
    public static Trace<T> Forward<T>(this Network<T> network, Matrix<T> inputs)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Forward(inputs, Dropout.None);

    /// <summary>
    /// The forward pass of training with dropout on the hidden layers: as
    /// <see cref="Forward{T}(Network{T}, Matrix{T})"/>, but each hidden layer's output is
    /// o_l = f_l(Σ_l) ⊙ M_l, with M_l the scaled mask of <paramref name="dropout"/> for layer l;
    /// the mask is recorded in the trace (inside its <see cref="MaskedJacobian{T}"/>).
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="inputs">X, n₀ × m, one sample a column, every value finite.</param>
    /// <param name="dropout">The rate and key of the masks; <see cref="Dropout.None"/> for
    /// none.</param>
    public static Trace<T> Forward<T>(this Network<T> network, Matrix<T> inputs, Dropout dropout)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Forward(network, inputs, dropout, Scratch<T>.Fresh);

    /// <summary>The forward pass for one sample x (length n₀), as a batch of one.</summary>
    public static Trace<T> Forward<T>(this Network<T> network, Vector<T> input)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Forward(Dense.Column(input));

    /// <summary>
    /// The forward pass for inference: o_L for the batch X, recording nothing else.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="inputs">X, n₀ × m, one sample a column, every value finite.</param>
    /// <returns>o_L, n_L × m.</returns>
    /// <exception cref="System.ArgumentException">X has the wrong number of rows, no columns, or a
    /// non-finite value.</exception>
    public static Matrix<T> Predict<T>(this Network<T> network, Matrix<T> inputs)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = Shapes.CheckInputShape(network.InputSize, inputs).OrThrow(nameof(inputs));
        var (last, l) = (network.Layers.Last, network.Layers.Count - 1);
        return ThroughHidden(network, x, hidden =>
            last.Activation.ApplyInPlace(WeightedInput(network, hidden, Scratch<T>.Fresh, l)));
    }

    /// <summary>o_L for one sample x, as a vector of length n_L.</summary>
    public static Vector<T> Predict<T>(this Network<T> network, Vector<T> input)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Predict(Dense.Column(input)).Column(0);

    /// <summary>
    /// The backward pass: a fold over the reversed trace carrying δ, which gives, for the batch
    /// mean loss L, δ_L = ∂L/∂Σ_L from the loss; ∂L/∂W_l = δ_l·o_(l−1)ᵀ, ∂L/∂b_l = δ_l·1;
    /// and δ_(l−1) = J_(l−1)ᵀ·(W_lᵀ·δ_l), with J the activation's Jacobian (f′(Σ) ⊙ for
    /// elementwise activations).
    /// </summary>
    /// <param name="network">The network that made the trace.</param>
    /// <param name="trace">The trace of <see cref="Forward{T}(Network{T}, Matrix{T})"/> on
    /// X.</param>
    /// <param name="targets">Y, n_L × m, matching X column for column.</param>
    /// <param name="loss">The loss L; it must accept the output activation.</param>
    /// <returns>∂L/∂W and ∂L/∂b for every layer, with the network's shapes.</returns>
    /// <exception cref="System.ArgumentException">Y does not match the output's shape, holds a
    /// non-finite value, the trace's layer sizes differ from the network's (only sizes are
    /// compared: a trace of another network of the same sizes is not detected), or the loss
    /// cannot follow the output activation.</exception>
    public static Gradient<T> Backward<T>(
        this Network<T> network, Trace<T> trace, Matrix<T> targets, Loss loss)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        Backward(network, trace, targets, loss, Scratch<T>.Fresh);

    /// <summary>The backward pass for one sample with target y (length n_L).</summary>
    public static Gradient<T> Backward<T>(
        this Network<T> network, Trace<T> trace, Vector<T> target, Loss loss)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Backward(trace, Dense.Column(target), loss);

    /// <summary>
    /// L, the mean loss of the network on the batch (X, Y).
    /// </summary>
    public static T Loss<T>(this Network<T> network, Matrix<T> inputs, Matrix<T> targets, Loss loss)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        loss.Value(network.Forward(inputs).OutputLayer, targets);

    /// <summary>
    /// The loss and its gradient on the batch (X, Y): Forward, then Backward.
    /// </summary>
    public static (T Loss, Gradient<T> Gradient) LossAndGradient<T>(
        this Network<T> network, Matrix<T> inputs, Matrix<T> targets, Loss loss)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var trace = network.Forward(inputs);
        var gradient = network.Backward(trace, targets, loss);
        return (loss.Value(trace.OutputLayer, targets), gradient);
    }

    /// <summary>
    /// The output layer's trace for the batch X, as <see cref="Forward{T}(Network{T}, Matrix{T})"/>
    /// records it, without keeping the hidden layers' Σ or computing their slopes: what
    /// evaluation needs.
    /// </summary>
    internal static LayerTrace<T> OutputTrace<T>(Network<T> network, Matrix<T> inputs)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = Shapes.CheckInputShape(network.InputSize, inputs).OrThrow(nameof(inputs));
        var (last, fresh) = (network.Layers.Last, Scratch<T>.Fresh);
        return ThroughHidden(network, x, hidden =>
        {
            var Σ = WeightedInput(network, hidden, fresh, network.Layers.Count - 1);
            var o = last.Activation.Apply(Σ, fresh, new Slot(SlotKind.Output, 0));
            var J = last.Activation.Differentiate(Σ, o, fresh, new Slot(SlotKind.Slopes, 0));
            return new LayerTrace<T>(last.Activation, Σ, o, J);
        });
    }

    /// <summary>
    /// The forward pass, writing Σ, o and the slopes of every layer into matrices taken from
    /// <paramref name="scratch"/>.
    /// </summary>
    internal static Trace<T> Forward<T>(
        Network<T> network, Matrix<T> inputs, Dropout dropout, Scratch<T> scratch)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = Shapes.CheckInputShape(network.InputSize, inputs).OrThrow(nameof(inputs));
        var last = network.Layers.Count - 1;
        var layers = network.Layers.Indexed().Fold(
            (Previous: x, Traces: Seq<LayerTrace<T>>()),
            (state, item) =>
            {
                var (layer, l) = item;
                var Σ = WeightedInput(network, state.Previous, scratch, l);
                var o = layer.Activation.Apply(Σ, scratch, new Slot(SlotKind.Output, l));
                var J = layer.Activation.Differentiate(
                    Σ, o, scratch, new Slot(SlotKind.Slopes, l));

                // Dropout acts on hidden layers only; the output layer is never masked.
                if (dropout.Rate > 0 && l < last)
                {
                    var M = dropout.Mask<T>(l, Σ.RowCount, Σ.ColumnCount);
                    var masked = scratch.Take(
                        new Slot(SlotKind.MaskedOutput, l), Σ.RowCount, Σ.ColumnCount);
                    TensorPrimitives.Multiply(
                        Dense.Values(o), Dense.Values(M), Dense.Values(masked));
                    (o, J) = (masked, new MaskedJacobian<T>(J, M));
                }

                return (o, state.Traces.Add(new LayerTrace<T>(layer.Activation, Σ, o, J)));
            }).Traces;
        return new Trace<T>(x, layers);
    }

    /// <summary>
    /// The backward pass, writing every δ, ∂W and ∂b into matrices taken from
    /// <paramref name="scratch"/>.
    /// </summary>
    internal static Gradient<T> Backward<T>(
        Network<T> network, Trace<T> trace, Matrix<T> targets, Loss loss, Scratch<T> scratch)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        new(Fold(network, trace, targets, loss, scratch, (layer, δ, input, index) =>
            Products.OuterSum(δ, input, scratch.Take(
                new Slot(SlotKind.WeightGradient, index), layer.OutputSize, layer.InputSize)))
            .Map(l => new LayerGradient<T>(l.Weights, l.BiasGradient)));

    /// <summary>
    /// The backward pass with plain SGD's step of every layer's weights written by the
    /// gradient product itself (<see cref="Products.Stepped{T}"/>): W′_l = W_l − η·δ_l·o_(l−1)ᵀ
    /// into the matrix <paramref name="into"/> gives for the layer and its 0-based index (W_l
    /// itself to write over it: W_l is read for δ_(l−1) before), and ∂L/∂b_l as
    /// <c>Backward</c> gives it; OpenBLAS only. Finite says whether every W′ is.
    /// </summary>
    internal static (Seq<(Matrix<T> Weights, Vector<T> BiasGradient)> Layers, bool Finite)
        BackwardStepped<T>(
            Network<T> network,
            Trace<T> trace,
            Matrix<T> targets,
            Loss loss,
            Scratch<T> scratch,
            T minusη,
            System.Func<Layer<T>, int, Matrix<T>> into)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var finite = true;
        var layers = Fold(network, trace, targets, loss, scratch, (layer, δ, input, index) =>
        {
            var stepped = into(layer, index);
            finite &= Products.Stepped(δ, input, layer.Weights, minusη, stepped);
            return stepped;
        });
        return (layers, finite);
    }

    // The fold of both backward passes, carrying δ from the output layer down: for each layer
    // (1-based l in the maths, index l − 1 here, input o_(l−1) = LayerInputs[l − 1], X for the
    // first), what `weights` makes of δ_l and o_(l−1), and ∂L/∂b_l = δ_l·1.
    private static Seq<(Matrix<T> Weights, Vector<T> BiasGradient)> Fold<T>(
        Network<T> network,
        Trace<T> trace,
        Matrix<T> targets,
        Loss loss,
        Scratch<T> scratch,
        System.Func<Layer<T>, Matrix<T>, Matrix<T>, int, Matrix<T>> weights)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        CheckTrace(network, trace);
        var m = trace.BatchSize;
        var output = new Slot(SlotKind.Delta, network.Layers.Count - 1);
        var δL = loss.OutputDelta(trace.OutputLayer, targets, scratch, output);

        var steps = network.Layers.Zip(trace.LayerInputs).Indexed();
        var (_, layers) = steps.FoldBack(
            (Delta: δL, Layers: Seq<(Matrix<T>, Vector<T>)>()),
            (state, step) =>
            {
                var ((layer, input), index) = step;
                var δ = state.Delta;
                // No δ is needed below the first layer: the gradient stops at the input. It is
                // computed first, from W as it was, which `weights` may then write over.
                var below = index == 0 ? δ : Below(layer, δ, index - 1);
                var w = weights(layer, δ, input, index);
                var db = Dense.RowSums(δ, scratch.TakeVector(
                    new Slot(SlotKind.BiasGradient, index), layer.OutputSize));
                return (below, (w, db).Cons(state.Layers));
            });
        return layers;

        // δ_(l−1) = J_(l−1)ᵀ·(W_lᵀ·δ_l): the product, then the Jacobian in the same matrix.
        Matrix<T> Below(Layer<T> layer, Matrix<T> δ, int previous)
        {
            var into = scratch.Take(new Slot(SlotKind.Delta, previous), layer.InputSize, m);
            var values = Dense.Values(Products.TransposeTimes(layer.Weights, δ, into));
            trace.Layers[previous].Jacobian.Apply(values, values);
            return into;
        }
    }

    // The output layer's result from the hidden layers' o, which live in this thread's buffers
    // (held until `output` returns; a call made meanwhile on this thread gets fresh ones).
    private static TResult ThroughHidden<T, TResult>(
        Network<T> network, Matrix<T> x, System.Func<Matrix<T>, TResult> output)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var scratch = ThreadScratch<T>.Enter();
        try
        {
            return output(Through(network, x, scratch));
        }
        finally
        {
            ThreadScratch<T>.Leave(scratch);
        }
    }

    // o after the network's hidden layers, each o = f(Σ) written over its own Σ in the
    // caller's buffers (by the parts of the product, for ReLU), which only the next layer of
    // this call reads.
    private static Matrix<T> Through<T>(Network<T> network, Matrix<T> x, Scratch<T> scratch)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        network.Layers.Init.Indexed().Fold(x, (o, item) =>
            WeightedInput(network, o, scratch, item.Index, item.Item.Activation));

    // Σ_l = W_l·o_(l−1) + b_l of layer l (0-based), or o_l = f(Σ_l) written over it when
    // `then` is f (by the product's parts for ReLU); for the first layer, also the check that
    // X is finite, made on Σ₁ before f. Through OpenBLAS every product is computed, so a NaN
    // or ±∞ in column j of X makes all of column j of Σ₁ non-finite (x·w is NaN or ±∞ for
    // every finite w, 0 included): a finite Σ₁ clears X without reading it again, and only a
    // non-finite one, which overflow can also make, sends X through the full check. MathNet's
    // managed product is not relied on for this.
    private static Matrix<T> WeightedInput<T>(
        Network<T> network, Matrix<T> input, Scratch<T> scratch, int l, Activation? then = null)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var layer = network.Layers[l];
        var checkFirst = l == 0 && Backends.Active == Backend.Managed;
        if (checkFirst)
        {
            Shapes.CheckFinite("inputs", input).OrThrow("inputs");
        }

        var Σ = scratch.Take(
            new Slot(SlotKind.WeightedInput, l), layer.OutputSize, input.ColumnCount);
        if (l == 0 && !checkFirst)
        {
            if (!Products.AffineFinite(layer.Weights, input, layer.Bias, Σ, then))
            {
                Shapes.CheckFinite("inputs", input).OrThrow("inputs");
            }
        }
        else
        {
            Products.Affine(layer.Weights, input, layer.Bias, Σ, then);
        }

        // The next layer's product comes after this one's activation: if the helper sleeps
        // (through a product on OpenBLAS's threads) and will take half of it, it wakes now.
        if (l + 1 < network.Layers.Count)
        {
            var next = network.Layers[l + 1];
            HelperCore.Expect((double)next.OutputSize * next.InputSize * input.ColumnCount);
        }

        return Σ;
    }

    private static void CheckTrace<T>(Network<T> network, Trace<T> trace)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        // Compared element by element: LanguageExt's Seq equality hashes first, and its first
        // hash of a Seq<int> scans every loaded assembly (most of a second, once a process).
        var sizes = trace.Input.RowCount.Cons(trace.Layers.Map(l => l.Output.RowCount));
        if (!System.Linq.Enumerable.SequenceEqual(sizes, network.Sizes))
        {
            throw new System.ArgumentException(
                $"the trace has sizes [{string.Join(", ", sizes)}] but the network has "
                + $"[{string.Join(", ", network.Sizes)}]", nameof(trace));
        }
    }
}
