using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics.X86;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// One labelled set of greyscale images, kept as bytes to save memory: image i is the
/// <see cref="Features"/> bytes of <see cref="Pixels"/> from i·rows·cols on, row-major, and its
/// class is <c>Labels[i]</c>, in [0, <see cref="ClassCount"/>).
/// </summary>
/// <remarks>
/// Build one with <see cref="TryCreate"/>, which checks the invariants above; the positional
/// constructor trusts its caller. The arrays are shared, not copied: treat them as read-only.
/// </remarks>
/// <param name="Source">Where the images came from (a file path or "embedded sample").</param>
/// <param name="Count">n, the number of images.</param>
/// <param name="Rows">The height of one image in pixels.</param>
/// <param name="Columns">The width of one image in pixels.</param>
/// <param name="Pixels">n·rows·cols bytes, 0 (background) to 255, image after image.</param>
/// <param name="Labels">n class indices, one per image.</param>
/// <param name="ClassCount">The number of classes; every label is below it.</param>
public sealed record ImageSet(
    string Source, int Count, int Rows, int Columns, byte[] Pixels, byte[] Labels, int ClassCount)
{
    /// <summary>The size of one input sample, rows·cols (784 for 28 × 28 images).</summary>
    public int Features => Rows * Columns;

    /// <summary>
    /// An image set from an images file and a labels file read by <see cref="Idx"/>, after
    /// checking that there is one label per image and that every label is below
    /// <paramref name="classCount"/>. Errors name the file at fault (and for a label, the index
    /// of the record and its value).
    /// </summary>
    /// <param name="imagesName">The images file, for messages and <see cref="Source"/>.</param>
    /// <param name="images">What <see cref="Idx.ReadImages"/> returned.</param>
    /// <param name="labelsName">The labels file, for messages.</param>
    /// <param name="labels">What <see cref="Idx.ReadLabels"/> returned.</param>
    /// <param name="classCount">The number of classes, at least 1.</param>
    /// <param name="classList">The file that lists the classes (classes.txt), named when a
    /// label is out of range; null when the classes follow a rule.</param>
    public static Fin<ImageSet> TryCreate(
        string imagesName,
        (int Count, int Rows, int Columns, byte[] Pixels) images,
        string labelsName,
        byte[] labels,
        int classCount,
        string? classList = null)
    {
        if (labels.Length != images.Count)
        {
            return Error.New(
                $"{labelsName} has {Plural.Of(labels.Length, "label")} but {imagesName} has "
                + $"{Plural.Of(images.Count, "image")}; expected one label per image");
        }

        var bad = Array.FindIndex(labels, label => label >= classCount);
        if (bad >= 0)
        {
            return Error.New(
                $"{labelsName}: record {bad} has label {labels[bad]}; expected a class in "
                + $"0–{classCount - 1} ({Plural.Of(classCount, "class", "classes")}"
                + (classList is null ? ")" : $", as listed in {classList})"));
        }

        var (count, rows, columns, pixels) = images;
        return new ImageSet(imagesName, count, rows, columns, pixels, labels, classCount);
    }

    private const int PrefetchAhead = 16;

    /// <summary>
    /// The inputs and one-hot targets of the images at <paramref name="indices"/>, one sample a
    /// column in the order given: X is <see cref="Features"/> × m with every pixel divided by
    /// 255 (so in [0, 1]); Y is <see cref="ClassCount"/> × m with a single 1 per column, in the
    /// row of the label.
    /// </summary>
    /// <param name="indices">m image indices, each in [0, <see cref="Count"/>); may repeat.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public (Matrix<T> Inputs, Matrix<T> Targets) Batch<T>(ReadOnlySpan<int> indices)
        where T : struct, IFloatingPointIeee754<T>
    {
        var x = GC.AllocateUninitializedArray<T>(Features * indices.Length);
        var y = new T[ClassCount * indices.Length];
        Fill<T>(indices, x, y);
        return (
            Matrix<T>.Build.Dense(Features, indices.Length, x),
            Matrix<T>.Build.Dense(ClassCount, indices.Length, y));
    }

    /// <summary>
    /// The batch of <see cref="Batch{T}"/>, written into <paramref name="x"/> (every element)
    /// and <paramref name="y"/> (every element: zeros and the ones of the labels).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public void Fill<T>(ReadOnlySpan<int> indices, Span<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < Math.Min(PrefetchAhead, indices.Length); j++)
        {
            Prefetch(CheckIndex(indices[j]));
        }

        for (var j = 0; j < indices.Length; j++)
        {
            if (j + PrefetchAhead < indices.Length)
            {
                Prefetch(CheckIndex(indices[j + PrefetchAhead]));
            }

            FillColumn(indices[j], j, x, y);
        }
    }

    /// <summary>
    /// Column <paramref name="j"/> of <see cref="Fill{T}"/>'s X and Y: image
    /// <paramref name="i"/> divided by 255, and its one-hot label.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside the
    /// set.</exception>
    public void FillColumn<T>(int i, int j, Span<T> x, Span<T> y)
        where T : struct, IFloatingPointIeee754<T>
    {
        var features = Features;
        CheckIndex(i);

        // Column-major storage: column j of X is one contiguous run, as is column j of Y.
        UnitScale.Divide<T>(Pixels.AsSpan(i * features, features), x.Slice(j * features, features));
        var column = y.Slice(j * ClassCount, ClassCount);
        column.Clear();
        column[Labels[i]] = T.One;
    }

    /// <summary>
    /// Asks the processor to start loading the images at <paramref name="indices"/> into its
    /// caches, for a batch that <see cref="Fill{T}"/> will convert soon: a hint, which changes
    /// no value. Indices outside the set are ignored.
    /// </summary>
    public void Prefetch(ReadOnlySpan<int> indices)
    {
        foreach (var i in indices)
        {
            if ((uint)i < (uint)Count)
            {
                Prefetch(i);
            }
        }
    }

    // Asks the processor to start loading image i, which Fill converts a few images later:
    // batches visit the images in random order, which the hardware prefetcher cannot follow.
    private unsafe void Prefetch(int i)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        fixed (byte* image = &Pixels[i * Features])
        {
            for (var k = 0; k < Features; k += 64)
            {
                Sse.Prefetch0(image + k);
            }
        }
    }

    /// <summary>
    /// The images at <paramref name="indices"/>, in that order, as a new set with copied arrays
    /// and the same source, size and classes (used to split off a validation set).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public ImageSet Take(IEnumerable<int> indices)
    {
        var chosen = indices.Select(CheckIndex).ToArray();
        var features = Features;
        var pixels = new byte[chosen.Length * features];
        var labels = new byte[chosen.Length];
        for (var j = 0; j < chosen.Length; j++)
        {
            Pixels.AsSpan(chosen[j] * features, features).CopyTo(pixels.AsSpan(j * features));
            labels[j] = Labels[chosen[j]];
        }

        return this with { Count = chosen.Length, Pixels = pixels, Labels = labels };
    }

    /// <summary>The rows·cols bytes of image <paramref name="index"/>, row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the set.</exception>
    public ReadOnlySpan<byte> Image(int index) =>
        Pixels.AsSpan(CheckIndex(index) * Features, Features);

    /// <summary>How many images each class has: element c counts the labels equal to c.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (var label in Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ImageSet({Source}: {Plural.Of(Count, "image")} of {Rows} × {Columns}, "
        + $"{Plural.Of(ClassCount, "class", "classes")})";

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count
            ? index
            : throw new ArgumentOutOfRangeException(
                nameof(index), index, $"image index must be in [0, {Count}), got {index}");
}
