using System;

namespace Backprop.Functional.Cli.Running;

/// <summary>The element type a network is trained and stored in.</summary>
internal enum Precision
{
    /// <summary>32-bit floats: half the memory of float64 and faster matrix products.</summary>
    Float32,

    /// <summary>64-bit floats.</summary>
    Float64,
}

/// <summary>The names of <see cref="Precision"/> on the command line and in model files.</summary>
internal static class PrecisionNames
{
    /// <summary>"float32" or "float64".</summary>
    public static string Name(this Precision precision) => precision switch
    {
        Precision.Float32 => "float32",
        Precision.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>The precision called <paramref name="name"/>, if any.</summary>
    public static Precision? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "single" => Precision.Float32,
        "float64" or "double" => Precision.Float64,
        _ => null,
    };
}
