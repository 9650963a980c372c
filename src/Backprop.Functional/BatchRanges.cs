namespace Backprop.Functional;

/// <summary>
/// How n samples split into batches of a given size, in arithmetic that cannot overflow for
/// any batch size up to <see cref="int.MaxValue"/>, and each batch fetched and checked.
/// </summary>
internal static class BatchRanges
{
    /// <summary>⌈n / size⌉, the number of batches.</summary>
    public static int Count(int n, int size) => (n / size) + (n % size == 0 ? 0 : 1);

    /// <summary>
    /// The batch of <paramref name="indices"/> from <paramref name="data"/>, checked to hold one
    /// column per index in both X and Y.
    /// </summary>
    /// <exception cref="System.ArgumentException">The batch function returned another number
    /// of columns.</exception>
    public static (MathNet.Numerics.LinearAlgebra.Matrix<T> Inputs,
        MathNet.Numerics.LinearAlgebra.Matrix<T> Targets) Fetch<T>(
        TrainingData<T> data, LanguageExt.Arr<int> indices)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var (x, y) = data.Batch(indices);
        if (x.ColumnCount != indices.Count || y.ColumnCount != indices.Count)
        {
            throw new System.ArgumentException(
                $"the batch function returned inputs of {Shapes.Describe(x)} and targets of "
                + $"{Shapes.Describe(y)} for {Plural.Of(indices.Count, "sample")}; expected one "
                + "column a "
                + "sample", nameof(data));
        }

        return (x, y);
    }

    /// <summary>Where batch b (from 0) starts and how many samples it holds.</summary>
    public static (int Start, int Length) Of(int b, int size, int n)
    {
        var start = (long)b * size;
        return ((int)start, (int)System.Math.Min(size, n - start));
    }
}
