using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// Which of OpenBLAS's kernel sets to ask for before it loads. OpenBLAS picks its kernels by
/// the CPU's model number, and a release older than the CPU does not know the number: Debian
/// 12's OpenBLAS 0.3.21 runs its Prescott (SSE3) kernels on a 2023 Xeon with AVX-512, three to
/// four times slower than its AVX-512 ones. Its variable <c>OPENBLAS_CORETYPE</c> names the set
/// instead; this sets it from the instructions the CPU has, when the process has not set it.
/// </summary>
/// <remarks>
/// The set named is the one for the widest vector instructions the CPU has: SkylakeX, OpenBLAS's
/// AVX-512 kernels, on any CPU with AVX-512 F, CD, BW, DQ and VL; Zen on AMD CPUs with AVX2 and
/// FMA; Haswell on Intel ones. A CPU without AVX2 and FMA, another vendor, or another
/// architecture is left to OpenBLAS. Where OpenBLAS knows the CPU its own pick may carry
/// another name (Cooperlake for Intel CPUs with AVX512-BF16, possibly Zen for AMD CPUs with
/// AVX-512 in older releases), and its products then differ from this set's in the last bits.
/// NOTE: this writes the process's environment once, before OpenBLAS loads, and only when the
/// variable is unset in both the native environment and .NET's copy (a value set through .NET
/// alone is copied to the native one, where OpenBLAS reads it); child processes inherit it. It
/// has no effect when something else in the process loaded OpenBLAS first. See
/// docs/limitations.md.
/// </remarks>
internal static class OpenBlasKernels
{
    /// <summary>The variable OpenBLAS reads when it loads.</summary>
    public const string Variable = "OPENBLAS_CORETYPE";

    /// <summary>The kernel set for a CPU of this vendor with these instructions, if any.</summary>
    /// <param name="vendor">The CPU's vendor string (CPUID leaf 0).</param>
    /// <param name="avx2AndFma">Whether the CPU and OS support AVX2 and FMA.</param>
    /// <param name="avx512">Whether they support AVX-512 F, CD, BW, DQ and VL.</param>
    public static Option<string> For(string vendor, bool avx2AndFma, bool avx512)
    {
        var amd = vendor is "AuthenticAMD" or "HygonGenuine";
        if (!avx2AndFma || (!amd && vendor != "GenuineIntel"))
        {
            return None;
        }

        return Some(avx512 ? "SkylakeX" : amd ? "Zen" : "Haswell");
    }

    /// <summary>The kernel set for the CPU this process runs on, if any.</summary>
    public static Option<string> ForThisCpu() =>
        X86Base.IsSupported
            ? For(Vendor(), Avx2.IsSupported && Fma.IsSupported, HasAvx512)
            : None;

    /// <summary>
    /// Whether this CPU and OS support AVX-512 F, CD, BW, DQ and VL, the instructions of
    /// OpenBLAS's SkylakeX kernels.
    /// </summary>
    public static bool HasAvx512 =>
        Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported
        && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>
    /// On Linux, sets <see cref="Variable"/> to <see cref="ForThisCpu"/> unless the process has
    /// set it; returns the value it set.
    /// </summary>
    public static Option<string> Choose()
    {
        if (!OperatingSystem.IsLinux())
        {
            return None;
        }

        try
        {
            if (GetEnv(Variable) != nint.Zero)
            {
                return None;
            }

            // .NET's setter writes only .NET's copy on Unix: a choice made there is the
            // process's, and goes to the native environment that OpenBLAS reads.
            if (Environment.GetEnvironmentVariable(Variable) is { } chosen)
            {
                _ = SetEnv(Variable, chosen, 0);
                return None;
            }

            // Both copies: the native one for OpenBLAS, .NET's for its child processes.
            return ForThisCpu().Filter(core =>
            {
                var set = SetEnv(Variable, core, 0) == 0;
                if (set)
                {
                    Environment.SetEnvironmentVariable(Variable, core);
                }

                return set;
            });
        }
        catch (DllNotFoundException)
        {
            return None;
        }
        catch (EntryPointNotFoundException)
        {
            return None;
        }
    }

    /// <summary>The variable's value in the native environment, which OpenBLAS reads.</summary>
    public static string? NativeValue() => Marshal.PtrToStringUTF8(GetEnv(Variable));

    /// <summary>Sets the variable in the native environment, or removes it for null.</summary>
    public static bool SetNativeValue(string? value) =>
        (value is null ? UnsetEnv(Variable) : SetEnv(Variable, value, 1)) == 0;

    private static string Vendor()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    // getenv(3): the native environment's value, or null.
    [DllImport("libc", EntryPoint = "getenv")]
    private static extern nint GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    // unsetenv(3).
    [DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    // setenv(3): the environment native code reads, which .NET's own setter does not write on
    // Unix. With overwrite 0 it keeps a value set meanwhile.
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string value,
        int overwrite);
}
