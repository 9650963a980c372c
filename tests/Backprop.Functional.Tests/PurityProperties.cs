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
    public Property The_same_arguments_give_the_same_bits(NetworkCase c)
    {
        var copy = Bits.Copy(c.Network);
        var x = c.Inputs.Clone();
        var y = c.Targets.Clone();

        var trace = c.Network.Forward(c.Inputs);
        var again = copy.Forward(x);
        var gradient = c.Network.Backward(trace, c.Targets, c.Loss);
        var gradientAgain = copy.Backward(again, y, c.Loss);

        return Prop.Label(Bits.Of(trace).SequenceEqual(Bits.Of(again)), "Forward")
            .And(Prop.Label(Bits.Of(gradient).SequenceEqual(Bits.Of(gradientAgain)), "Backward"))
            .And(Prop.Label(
                Bits.Of(c.Network.Predict(c.Inputs)).SequenceEqual(Bits.Of(copy.Predict(x))),
                "Predict"))
            .And(Prop.Label(
                Bits.Of(c.Network.Update(gradient, LearningRate))
                    .SequenceEqual(Bits.Of(copy.Update(gradientAgain, LearningRate))),
                "Update"));
    }

    [Property(MaxTest = PropertyConfig.Cases, Arbitrary = [typeof(NetworkArbitraries)])]
    public Property Predict_gives_the_output_of_the_traced_forward_pass(NetworkCase c) =>
        Prop.Label(
            Bits.Of(c.Network.Predict(c.Inputs))
                .SequenceEqual(Bits.Of(c.Network.Forward(c.Inputs).Output)),
            "Predict and Forward disagree");
}
