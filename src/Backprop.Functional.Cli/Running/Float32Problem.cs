namespace Backprop.Functional.Cli.Running;

/// <summary>A value of a float32 run that float32 cannot hold.</summary>
/// <param name="Option">The option that gives it, such as "--momentum".</param>
/// <param name="Value">The value, as a double.</param>
/// <param name="Fault">What float32 makes of it: "is 1 in float32, where it must be below
/// 1".</param>
/// <param name="Limit">The values float32 holds there: "at most 0.99999994".</param>
/// <param name="Slope">Whether it is the slope of a leaky ReLU given by the option.</param>
internal sealed record Float32Problem(
    string Option, double Value, string Fault, string Limit, bool Slope);
