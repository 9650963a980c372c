using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Bytes to values in [0, 1]: v/255, computed in the element type. float32 divides a SIMD
/// vector at a time; float64 looks each byte up in a table of the 256 quotients, which is
/// faster than its four-lane division. Both are the bits of v/255 one byte at a time: the
/// division is correctly rounded in SIMD as in scalar code, and the table holds those quotients.
/// </summary>
internal static class UnitScale
{
    private static readonly double[] DoubleQuotients = Quotients();

    /// <summary>values[p] = bytes[p] / 255 in T, for every p.</summary>
    public static void Divide<T>(ReadOnlySpan<byte> bytes, Span<T> values)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            Singles(bytes, MemoryMarshal.Cast<T, float>(values));
        }
        else if (typeof(T) == typeof(double))
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

    // Bytes widen to 16, then 32 bits: four vectors of int per vector of bytes. The 16-bit
    // values (at most 255) are read as signed so that they widen to int, which converts to
    // float in one instruction; uint takes a longer sequence on x64 before AVX-512.
    private static void Singles(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        var max = new Vector<float>(255f);
        var n = Vector<float>.Count;
        var p = 0;
        for (; p <= bytes.Length - Vector<byte>.Count; p += Vector<byte>.Count)
        {
            Vector.Widen(new Vector<byte>(bytes[p..]), out var low, out var high);
            Vector.Widen(Vector.AsVectorInt16(low), out var a, out var b);
            Vector.Widen(Vector.AsVectorInt16(high), out var c, out var d);
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

    // values[p] = (bytes[p] / 255.0) from the table; 256 entries, so every byte is in it.
    // Four lookups a round, from one 32-bit read of four bytes (low byte first).
    private static void Doubles(ReadOnlySpan<byte> bytes, Span<double> values)
    {
        values = values[..bytes.Length];
        ref var table = ref MemoryMarshal.GetArrayDataReference(DoubleQuotients);
        ref var from = ref MemoryMarshal.GetReference(bytes);
        ref var into = ref MemoryMarshal.GetReference(values);
        var p = 0;
        for (; BitConverter.IsLittleEndian && p <= values.Length - 4; p += 4)
        {
            var quad = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, p));
            Unsafe.Add(ref into, p) = Unsafe.Add(ref table, quad & 0xFF);
            Unsafe.Add(ref into, p + 1) = Unsafe.Add(ref table, (quad >> 8) & 0xFF);
            Unsafe.Add(ref into, p + 2) = Unsafe.Add(ref table, (quad >> 16) & 0xFF);
            Unsafe.Add(ref into, p + 3) = Unsafe.Add(ref table, quad >> 24);
        }

        for (; p < values.Length; p++)
        {
            values[p] = Unsafe.Add(ref table, bytes[p]);
        }
    }

    private static double[] Quotients()
    {
        var table = new double[256];
        for (var v = 0; v < table.Length; v++)
        {
            table[v] = v / 255.0;
        }

        return table;
    }
}
