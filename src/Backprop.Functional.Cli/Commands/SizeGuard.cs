using System;
using System.Globalization;
using System.Linq;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Commands;

/// <summary>
/// Refuses a network built from --hidden that cannot fit, before anything is allocated, as
/// <c>train</c> does: one matrix must fit in one array, and the command's copies of the
/// parameters must fit in the memory available.
/// </summary>
internal static class SizeGuard
{
    /// <summary>
    /// A <see cref="CommandFailure.Usage"/> (exit code 2) naming --hidden, the parameter count,
    /// the memory needed to <paramref name="purpose"/> and the memory available, when
    /// <paramref name="copies"/> copies of the parameters of <paramref name="sizes"/>,
    /// <paramref name="bytes"/> each, need more memory than this process may use; else naming
    /// the layer, when one has more weights than one array can hold, or more outputs for a
    /// batch of <paramref name="columns"/> samples.
    /// </summary>
    public static void Check(int[] sizes, int bytes, int copies, string purpose, int columns)
    {
        var parameters = TrainingSession.Parameters(sizes);
        var hidden = string.Join(",", sizes[1..^1]);
        var largest = Enumerable.Range(1, sizes.Length - 1)
            .MaxBy(l => (long)sizes[l - 1] * sizes[l]);
        var weights = (long)sizes[largest - 1] * sizes[largest];
        var needed = (double)parameters * bytes * copies;
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (needed > available)
        {
            throw CommandFailure.Usage(string.Create(
                CultureInfo.InvariantCulture,
                $"--hidden {hidden} gives {parameters:N0} parameters, which need about "
                + $"{needed / 1e9:F1} GB to {purpose}; this machine has {available / 1e9:F1} GB"));
        }

        if (weights > Array.MaxLength)
        {
            throw CommandFailure.Usage(string.Create(
                CultureInfo.InvariantCulture,
                $"--hidden {hidden} gives layer {largest} ({sizes[largest - 1]} → "
                + $"{sizes[largest]}) {weights:N0} weights, more than one array can hold "
                + $"({Array.MaxLength:N0})"));
        }

        var widest = Enumerable.Range(1, sizes.Length - 1).MaxBy(l => sizes[l]);
        var outputs = (long)sizes[widest] * columns;
        if (outputs > Array.MaxLength)
        {
            throw CommandFailure.Usage(string.Create(
                CultureInfo.InvariantCulture,
                $"--hidden {hidden} gives layer {widest} ({sizes[widest - 1]} → "
                + $"{sizes[widest]}) {outputs:N0} outputs for a batch of {columns:N0} images, "
                + $"more than one array can hold ({Array.MaxLength:N0})"));
        }
    }
}
