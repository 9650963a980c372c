using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Bytes to values in [0, 1]: v/255, computed in the element type, a SIMD vector at a time for
/// float32 and float64. The division is correctly rounded in SIMD as in scalar code, so the
/// values are the same bits as v/255 one byte at a time.
/// </summary>
internal static class UnitScale
{
    /// <summary>values[p] = bytes[p] / 255 in T, for every p.</summary>
    public static void Divide<T>(ReadOnlySpan<byte> bytes, Span<T> values)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            Singles(bytes, MemoryMarshal.Cast<T, float>(values));
        }
        else if (Vector.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            Doubles(bytes, MemoryMarshal.Cast<T, double>(values));
        }
        else
        {
            var max = T.CreateChecked(255);
            for (var p = 0; p < bytes.Length; p++)
            {
                values[p] = T.CreateChecked(bytes[p]) / max;
            }
        }
    }

    // Bytes widen to 16, then 32 bits (four vectors of uint per vector of bytes).
    private static void Singles(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        var max = new Vector<float>(255f);
        var n = Vector<float>.Count;
        var p = 0;
        for (; p <= bytes.Length - Vector<byte>.Count; p += Vector<byte>.Count)
        {
            Vector.Widen(new Vector<byte>(bytes[p..]), out var low, out var high);
            Vector.Widen(low, out var a, out var b);
            Vector.Widen(high, out var c, out var d);
            (Vector.ConvertToSingle(a) / max).CopyTo(values[p..]);
            (Vector.ConvertToSingle(b) / max).CopyTo(values[(p + n)..]);
            (Vector.ConvertToSingle(c) / max).CopyTo(values[(p + (2 * n))..]);
            (Vector.ConvertToSingle(d) / max).CopyTo(values[(p + (3 * n))..]);
        }

        for (; p < bytes.Length; p++)
        {
            values[p] = bytes[p] / 255f;
        }
    }

    // Bytes widen to 16, 32, then 64 bits (eight vectors of ulong per vector of bytes).
    private static void Doubles(ReadOnlySpan<byte> bytes, Span<double> values)
    {
        var max = new Vector<double>(255.0);
        var n = Vector<double>.Count;
        var p = 0;
        for (; p <= bytes.Length - Vector<byte>.Count; p += Vector<byte>.Count)
        {
            Vector.Widen(new Vector<byte>(bytes[p..]), out var low, out var high);
            var k = p;
            foreach (var half in (ReadOnlySpan<Vector<ushort>>)[low, high])
            {
                Vector.Widen(half, out var a, out var b);
                foreach (var quarter in (ReadOnlySpan<Vector<uint>>)[a, b])
                {
                    Vector.Widen(quarter, out var c, out var d);
                    (Vector.ConvertToDouble(c) / max).CopyTo(values[k..]);
                    (Vector.ConvertToDouble(d) / max).CopyTo(values[(k + n)..]);
                    k += 2 * n;
                }
            }
        }

        for (; p < bytes.Length; p++)
        {
            values[p] = bytes[p] / 255.0;
        }
    }
}
