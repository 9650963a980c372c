using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Bytes to values in [0, 1]: v/255, computed in the element type, with the bits of the
/// division one byte at a time.
/// </summary>
/// <remarks>
/// With x86's FMA, both precisions multiply by r = 1/255 and correct the result once:
/// q₀ = v·r, e = v − 255·q₀ (exact in one fused operation), q = q₀ + e·r. A plain v·r differs
/// from v/255 in the last bit for 24 of the 256 bytes in float64 and 126 in float32; the
/// corrected q equals v/255 for all 256 in both, which the tests check byte by byte. This
/// runs eight values an instruction in float32 and four in float64, where a division takes
/// several times as long. Without FMA, float32 divides a SIMD vector at a time and float64 looks
/// each byte up in a table of the 256 quotients.
/// </remarks>
internal static class UnitScale
{
    private static readonly double[] DoubleQuotients = Quotients();

    /// <summary>values[p] = bytes[p] / 255 in T, for every p.</summary>
    public static void Divide<T>(ReadOnlySpan<byte> bytes, Span<T> values)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (Fma.IsSupported && Avx2.IsSupported && typeof(T) == typeof(float))
        {
            FusedSingles(bytes, MemoryMarshal.Cast<T, float>(values));
        }
        else if (Fma.IsSupported && Avx2.IsSupported && typeof(T) == typeof(double))
        {
            FusedDoubles(bytes, MemoryMarshal.Cast<T, double>(values));
        }
        else if (Vector.IsHardwareAccelerated && typeof(T) == typeof(float))
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

    // Eight bytes a round, zero-extended to int and converted: q₀ = v·r, then one correction.
    private static void FusedSingles(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        values = values[..bytes.Length];
        var r = Vector256.Create(1f / 255f);
        var max = Vector256.Create(255f);
        ref var from = ref MemoryMarshal.GetReference(bytes);
        ref var into = ref MemoryMarshal.GetReference(values);
        var p = 0;
        for (; p <= bytes.Length - 8; p += 8)
        {
            var eight = Vector128.CreateScalarUnsafe(
                Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, p))).AsByte();
            var v = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(eight));
            Corrected(v, r, max).StoreUnsafe(ref Unsafe.Add(ref into, p));
        }

        for (; p < bytes.Length; p++)
        {
            values[p] = bytes[p] / 255f;
        }
    }

    // Eight bytes a round, as two vectors of four doubles, corrected as above.
    private static void FusedDoubles(ReadOnlySpan<byte> bytes, Span<double> values)
    {
        values = values[..bytes.Length];
        var r = Vector256.Create(1.0 / 255.0);
        var max = Vector256.Create(255.0);
        ref var from = ref MemoryMarshal.GetReference(bytes);
        ref var into = ref MemoryMarshal.GetReference(values);
        var p = 0;
        for (; p <= bytes.Length - 8; p += 8)
        {
            var eight = Vector128.CreateScalarUnsafe(
                Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, p))).AsByte();
            var ints = Avx2.ConvertToVector256Int32(eight);
            var low = Avx.ConvertToVector256Double(ints.GetLower());
            var high = Avx.ConvertToVector256Double(ints.GetUpper());
            Corrected(low, r, max).StoreUnsafe(ref Unsafe.Add(ref into, p));
            Corrected(high, r, max).StoreUnsafe(ref Unsafe.Add(ref into, p + 4));
        }

        for (; p < bytes.Length; p++)
        {
            values[p] = bytes[p] / 255.0;
        }
    }

    // q₀ = v·r; e = v − 255·q₀, exact; q = q₀ + e·r: the correctly rounded v/255 for v in 0..255.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Corrected(
        Vector256<float> v, Vector256<float> r, Vector256<float> max)
    {
        var q = Avx.Multiply(v, r);
        return Fma.MultiplyAdd(Fma.MultiplyAddNegated(q, max, v), r, q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Corrected(
        Vector256<double> v, Vector256<double> r, Vector256<double> max)
    {
        var q = Avx.Multiply(v, r);
        return Fma.MultiplyAdd(Fma.MultiplyAddNegated(q, max, v), r, q);
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
