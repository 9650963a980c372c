using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Forward, Backward, Update, Predict and the functions built on them write into nothing they
/// are given, and give the same bits when called twice on the same arguments.
/// </summary>
public sealed class PurityProperties
{
    private const double LearningRate = 0.5;

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property Nothing_writes_into_its_arguments(NetworkCase c)
    {
        var network = Bits.Of(c.Network);
        var inputs = Bits.Of(c.Inputs);
        var targets = Bits.Of(c.Targets);

        var trace = c.Network.Forward(c.Inputs);
        var traced = Bits.Of(trace);
        var gradient = c.Network.Backward(trace, c.Targets, c.Loss);
        var computed = Bits.Of(gradient);
        _ = c.Network.Update(gradient, LearningRate);
        _ = c.Network.Predict(c.Inputs);
        _ = c.Network.Loss(c.Inputs, c.Targets, c.Loss);
        _ = c.Network.Step(c.Inputs, c.Targets, c.Loss, LearningRate);
        _ = GradientCheck.Run(c.Network, c.Inputs, c.Targets, c.Loss);

        return Prop.Label(network.SequenceEqual(Bits.Of(c.Network)), "the network changed")
            .And(Prop.Label(inputs.SequenceEqual(Bits.Of(c.Inputs)), "the inputs changed"))
            .And(Prop.Label(targets.SequenceEqual(Bits.Of(c.Targets)), "the targets changed"))
            .And(Prop.Label(traced.SequenceEqual(Bits.Of(trace)), "Backward changed the trace"))
            .And(Prop.Label(
                computed.SequenceEqual(Bits.Of(gradient)), "Update changed the gradient"));
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property Predict_and_evaluation_give_the_bits_of_the_traced_output_layer(
        NetworkCase c)
    {
        // Predict writes each o over its own Σ and evaluation skips the hidden slopes: the
        // same arithmetic as Forward, so the same bits.
        var traced = c.Network.Forward(c.Inputs).OutputLayer;
        var evaluated = Propagation.OutputTrace(c.Network, c.Inputs);

        return Prop.Label(
                Bits.Of(c.Network.Predict(c.Inputs)).SequenceEqual(Bits.Of(traced.Output)),
                "Predict")
            .And(Prop.Label(
                Bits.Of(evaluated.WeightedInput).SequenceEqual(Bits.Of(traced.WeightedInput))
                    && Bits.Of(evaluated.Output).SequenceEqual(Bits.Of(traced.Output)),
                "the evaluation trace"));
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property The_same_arguments_give_the_same_bits_and_results_stay_as_they_were(
        NetworkCase c)
    {
        // Each result's bits are read as soon as it is made, and again after the second call,
        // so that a result that shared storage with a later one would show.
        var trace = c.Network.Forward(c.Inputs);
        var traced = Bits.Of(trace);
        var gradient = c.Network.Backward(trace, c.Targets, c.Loss);
        var computed = Bits.Of(gradient);
        var predicted = Bits.Of(c.Network.Predict(c.Inputs));
        var stepped = Bits.Of(c.Network.Update(gradient, LearningRate));

        var copy = Bits.Copy(c.Network);
        var again = copy.Forward(c.Inputs.Clone());
        var gradientAgain = copy.Backward(again, c.Targets.Clone(), c.Loss);

        return Prop.Label(Bits.Of(again).SequenceEqual(traced), "Forward")
            .And(Prop.Label(Bits.Of(gradientAgain).SequenceEqual(computed), "Backward"))
            .And(Prop.Label(
                Bits.Of(copy.Predict(c.Inputs)).SequenceEqual(predicted), "Predict"))
            .And(Prop.Label(
                Bits.Of(copy.Update(gradientAgain, LearningRate)).SequenceEqual(stepped),
                "Update"))
            .And(Prop.Label(
                Bits.Of(trace).SequenceEqual(traced) && Bits.Of(gradient).SequenceEqual(computed),
                "a later call changed an earlier result"));
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property Predict_gives_the_output_of_the_traced_forward_pass(NetworkCase c) =>
        Prop.Label(
            Bits.Of(c.Network.Predict(c.Inputs))
                .SequenceEqual(Bits.Of(c.Network.Forward(c.Inputs).Output)),
            "Predict and Forward disagree");
}
