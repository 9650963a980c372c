using System;
using System.Runtime.InteropServices;

namespace Backprop.Functional;

/// <summary>Where the matrix products of Forward and Backward are computed.</summary>
public enum Backend
{
    /// <summary>MathNet's managed provider: always there, and slower on large layers.</summary>
    Managed,

    /// <summary>The system's OpenBLAS (libopenblas.so.0), called through its C interface.</summary>
    OpenBlas,
}

/// <summary>
/// The process-wide choice of <see cref="Backend"/>. It changes how fast products are computed,
/// never what they mean: both backends compute the same products, and results agree to rounding.
/// </summary>
/// <remarks>
/// NOTE: this is the one setting the library keeps per process, as MathNet's own provider
/// setting is (the other process-wide thing is a helper thread for small products, which
/// holds no results; see docs/limitations.md). It defaults to OpenBLAS when the library loads
/// and to the managed provider otherwise; set it once at start-up (the CLI's --backend does).
/// Within one backend the same inputs give the same bits; across backends they agree to
/// rounding only.
/// NOTE: before loading OpenBLAS the library sets OPENBLAS_CORETYPE, when the process has not,
/// to the kernel set the CPU's instructions allow, because OpenBLAS releases older than the CPU
/// fall back to their slowest kernels (see docs/limitations.md).
/// </remarks>
public static class Backends
{
    private static Backend active =
        OpenBlasLibrary.IsAvailable ? Backend.OpenBlas : Backend.Managed;

    /// <summary>The backend in use.</summary>
    public static Backend Active => active;

    /// <summary>Whether the OpenBLAS library could be loaded.</summary>
    public static bool OpenBlasAvailable => OpenBlasLibrary.IsAvailable;

    /// <summary>
    /// A one-line description of the active backend, for logs: for OpenBLAS, the name of the
    /// kernel set it runs (see <see cref="OpenBlasKernels"/>) and its thread count.
    /// </summary>
    public static string Describe() => active == Backend.OpenBlas
        ? $"OpenBLAS ({OpenBlasLibrary.Describe()})"
        : "managed (MathNet.Numerics)";

    /// <summary>
    /// Selects <paramref name="backend"/>; fails if it is OpenBLAS and it cannot be loaded.
    /// </summary>
    /// <exception cref="InvalidOperationException">OpenBLAS was asked for and is not
    /// available.</exception>
    public static void Use(Backend backend)
    {
        if (backend == Backend.OpenBlas && !OpenBlasLibrary.IsAvailable)
        {
            throw new InvalidOperationException(
                "OpenBLAS (libopenblas.so.0) could not be loaded; install it "
                + "(Debian: libopenblas0) "
                + "or use the managed backend");
        }

        active = backend;
    }
}

/// <summary>
/// The C interface of OpenBLAS, loaded on first use if present, with its kernels chosen by
/// <see cref="OpenBlasKernels"/> unless the process chose them.
/// </summary>
internal static unsafe class OpenBlasLibrary
{
    public const int ColumnMajor = 102;
    public const int NoTranspose = 111;
    public const int Transpose = 112;

    private static readonly nint Handle = Load();

    private static readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int,
        double*, int, double, double*, int, void> Dgemm =
        (delegate* unmanaged<int, int, int, int, int, int, double, double*, int,
            double*, int, double, double*, int, void>)Symbol("cblas_dgemm");

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int,
        float*, int, float, float*, int, void> Sgemm =
        (delegate* unmanaged<int, int, int, int, int, int, float, float*, int,
            float*, int, float, float*, int, void>)Symbol("cblas_sgemm");

    private static readonly delegate* unmanaged<int, void> SetThreads =
        (delegate* unmanaged<int, void>)Symbol("openblas_set_num_threads");

    private static readonly delegate* unmanaged<int> GetThreads =
        (delegate* unmanaged<int>)Symbol("openblas_get_num_threads");

    public static bool IsAvailable => Dgemm != null && Sgemm != null;

    /// <summary>Whether <see cref="Threads"/> can be read and set.</summary>
    public static bool ControlsThreads => SetThreads != null && GetThreads != null;

    /// <summary>How many threads OpenBLAS gives a product above its threading threshold.</summary>
    public static int Threads
    {
        get
        {
            return GetThreads == null ? 1 : GetThreads();
        }

        set
        {
            if (SetThreads != null)
            {
                SetThreads(value);
            }
        }
    }

    public static string Describe()
    {
        var name = Symbol("openblas_get_corename");
        var core = name == nint.Zero
            ? "?"
            : Marshal.PtrToStringAnsi(((delegate* unmanaged<nint>)name)()) ?? "?";

        // Not the one thread a cut product sets for a moment on another thread.
        var count = GetThreads == null ? 0 : HelperCore.OpenBlasThreadCount();
        return $"{core}, {Plural.Of(count, "thread")}";
    }

    /// <summary>C = α·op(A)·op(B) + β·C, column-major, on pinned storage, in float64.</summary>
    public static void Gemm(
        bool transA, bool transB, int m, int n, int k, double α, double* a, int lda,
        double* b, int ldb, double β, double* c, int ldc) =>
        Dgemm(ColumnMajor, transA ? Transpose : NoTranspose, transB ? Transpose : NoTranspose,
            m, n, k, α, a, lda, b, ldb, β, c, ldc);

    /// <summary>C = α·op(A)·op(B) + β·C, column-major, on pinned storage, in float32.</summary>
    public static void Gemm(
        bool transA, bool transB, int m, int n, int k, float α, float* a, int lda,
        float* b, int ldb, float β, float* c, int ldc) =>
        Sgemm(ColumnMajor, transA ? Transpose : NoTranspose, transB ? Transpose : NoTranspose,
            m, n, k, α, a, lda, b, ldb, β, c, ldc);

    // OpenBLAS picks its kernels as it loads, so their name goes into the environment first.
    private static nint Load()
    {
        _ = OpenBlasKernels.Choose();
        return NativeLibrary.TryLoad("libopenblas.so.0", out var handle)
            || NativeLibrary.TryLoad("libopenblas", out handle)
                ? handle
                : nint.Zero;
    }

    private static nint Symbol(string name) =>
        Handle != nint.Zero && NativeLibrary.TryGetExport(Handle, name, out var address)
            ? address
            : nint.Zero;
}
