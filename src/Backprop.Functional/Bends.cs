using System;

namespace Backprop.Functional;

/// <summary>
/// Whether a finite-difference stencil carries some weighted input through a smooth
/// activation's bend (<see cref="Activation.Bends"/>,
/// <see cref="Activation.BendsWhereLargestTies"/>) by so much that the loss is not smooth at
/// the stencil's scale: the bend then acts as a kink.
/// </summary>
/// <remarks>
/// Each bend has a width of about 1 in Σ: softplus(Σ) = max(Σ, 0) + ln(1 + e^−|Σ|), σ and tanh
/// are its slope and a rescaled slope, and ln Σⱼ e^Σⱼ is the largest Σ plus a term of the same
/// shape in the gap to the others. A step that moves Σ across the bend by far more than 1 sees
/// max(Σ, 0), a step or max(Σ) instead, which is not differentiable there: with logits of
/// 10⁶, softmax cross-entropy is in effect max(Σ) − Σ_y, whose finite differences across a tie
/// can even have the wrong sign (relative errors of 2). The fused losses bend exactly where
/// their output activation does (softmax cross-entropy at ties, binary cross-entropy after a
/// sigmoid at Σ = 0), so the activations' bends cover them.
/// </remarks>
internal static class Bends
{
    // The largest move of a gap across a bend, between the stencil's centre and one of its
    // points, that the stencil still resolves. Its estimate is exact to order h⁶, so its error
    // across a bend grows roughly like the sixth power of that move M; measured at the worst
    // place of the bend, for M up to 1: 3.5e-6·M⁶ relative for softplus (the shape of a tie of
    // two logits), 1.2e-5·M⁶ for σ and 5e-4·M⁶ for tanh, which bends twice as fast. At M = 1/4
    // that is at most 2e-7, below the default tolerance 1e-6; at M = 2 it is 2e-4 to 2e-2, and
    // at M = 8 0.6 for a tie.
    // LIMITATION: a move just under 1/4 across tanh's bend still costs up to 2e-7, so a
    // tolerance tighter than that can fail there; see docs/limitations.md#kinks.
    private const double Move = 0.25;

    // How near the bend a stencil point must come for the move to matter. The bend's tail is
    // e^−g at a gap g; beyond 37 that is below 1e-16, under the rounding the check allows in
    // the loss (33ε of max(1, |L|, |Σ_L|)), so the loss is linear there in float64, as its limit
    // is. Nearer, a large move leaves the tail in the stencil: a relative error of 3e-6 at
    // g = 8 for M = 8, without the largest logit changing.
    private const double Reach = 37.0;

    /// <summary>
    /// Whether the stencil point <paramref name="perturbed"/> and the centre
    /// <paramref name="baseline"/> straddle a bend of some layer's activation: some Σ, or the
    /// gap between a softmax column's largest Σ (at the centre) and the next, is within
    /// <see cref="Reach"/> of the bend or across it at one of them, and moves by more than
    /// <see cref="Move"/> between them.
    /// </summary>
    public static bool Straddled(Trace<double> baseline, Trace<double> perturbed) =>
        baseline.Layers.Zip(perturbed.Layers).Exists(pair =>
        {
            var (before, after) = pair;
            var z0 = Dense.Values(before.WeightedInput);
            var z1 = Dense.Values(after.WeightedInput);
            return before.Activation.Bends.Exists(bend => AtPoint(z0, z1, bend))
                || (before.Activation.BendsWhereLargestTies
                    && AtTies(z0, z1, before.WeightedInput.RowCount));
        });

    // Σ's distance from the bend, signed so that it is ≥ 0 at the centre.
    private static bool AtPoint(double[] before, double[] after, double bend)
    {
        for (var i = 0; i < before.Length; i++)
        {
            var side = before[i] >= bend ? 1.0 : -1.0;
            if (Straddles(side * (before[i] - bend), side * (after[i] - bend)))
            {
                return true;
            }
        }

        return false;
    }

    // The gap of the centre's largest Σ of each column over the others: ≥ 0 at the centre, < 0
    // where another Σ has become the largest.
    private static bool AtTies(double[] before, double[] after, int rows)
    {
        for (var k = 0; k < before.Length; k += rows)
        {
            var z0 = before.AsSpan(k, rows);
            var top = 0;
            for (var i = 1; i < rows; i++)
            {
                top = z0[i] > z0[top] ? i : top;
            }

            if (Straddles(Gap(z0, top), Gap(after.AsSpan(k, rows), top)))
            {
                return true;
            }
        }

        return false;
    }

    // z[top] less the largest other z; +∞ when there is no other, as a single softmax output
    // is the constant 1.
    private static double Gap(ReadOnlySpan<double> z, int top)
    {
        var next = double.NegativeInfinity;
        for (var i = 0; i < z.Length; i++)
        {
            next = i == top ? next : Math.Max(next, z[i]);
        }

        return z[top] - next;
    }

    // False when either gap is NaN or both are infinite: a loss that is not finite within the
    // stencil is reported as such, not as a bend.
    private static bool Straddles(double g0, double g1) =>
        Math.Min(g0, g1) < Reach && Math.Abs(g1 - g0) > Move;
}
