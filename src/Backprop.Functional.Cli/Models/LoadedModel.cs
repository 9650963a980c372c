using System;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// A model read from a file whose precision was not known in advance: a float64 network or a
/// float32 one, with its <see cref="ModelInfo"/>. <see cref="Match{TResult}"/> hands each to
/// the code for its element type.
/// </summary>
public abstract record LoadedModel
{
    private LoadedModel()
    {
    }

    /// <summary>What the file records besides the network; its precision tells the case.</summary>
    public abstract ModelInfo Info { get; }

    /// <summary>What <paramref name="float64"/> or <paramref name="float32"/> returns.</summary>
    public abstract TResult Match<TResult>(
        Func<Network<double>, ModelInfo, TResult> float64,
        Func<Network<float>, ModelInfo, TResult> float32);

    /// <summary>A float64 model.</summary>
    /// <param name="Network">The network, in double precision.</param>
    /// <param name="Info">What the file records besides the network.</param>
    public sealed record Float64(Network<double> Network, ModelInfo Info) : LoadedModel
    {
        /// <inheritdoc/>
        public override ModelInfo Info { get; } = Info;

        /// <inheritdoc/>
        public override TResult Match<TResult>(
            Func<Network<double>, ModelInfo, TResult> float64,
            Func<Network<float>, ModelInfo, TResult> float32) =>
            float64(Network, Info);
    }

    /// <summary>A float32 model.</summary>
    /// <param name="Network">The network, in single precision.</param>
    /// <param name="Info">What the file records besides the network.</param>
    public sealed record Float32(Network<float> Network, ModelInfo Info) : LoadedModel
    {
        /// <inheritdoc/>
        public override ModelInfo Info { get; } = Info;

        /// <inheritdoc/>
        public override TResult Match<TResult>(
            Func<Network<double>, ModelInfo, TResult> float64,
            Func<Network<float>, ModelInfo, TResult> float32) =>
            float32(Network, Info);
    }
}
