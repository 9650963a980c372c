namespace Backprop.Functional;

/// <summary>
/// How n samples split into batches of a given size, in arithmetic that cannot overflow for
/// any batch size up to <see cref="int.MaxValue"/>.
/// </summary>
internal static class BatchRanges
{
    /// <summary>⌈n / size⌉, the number of batches.</summary>
    public static int Count(int n, int size) => (n / size) + (n % size == 0 ? 0 : 1);

    /// <summary>Where batch b (from 0) starts and how many samples it holds.</summary>
    public static (int Start, int Length) Of(int b, int size, int n)
    {
        var start = (long)b * size;
        return ((int)start, (int)System.Math.Min(size, n - start));
    }
}
