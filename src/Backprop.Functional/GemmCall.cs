using System;

namespace Backprop.Functional;

/// <summary>
/// One OpenBLAS product C = α·op(A)·op(B) + β·C as plain values (shapes, strides and pinned
/// addresses), so that it can be split in two and handed to another thread.
/// </summary>
/// <remarks>
/// The split is a function of the shape alone (never of the core count or of which thread runs
/// a half), so a product gives the same bits however its halves are run. The halves are cut at
/// a multiple of <see cref="Alignment"/> so that each starts on a whole register block of the
/// BLAS kernels.
/// </remarks>
internal readonly unsafe struct GemmCall : ISplittable<GemmCall>
{
    /// <summary>Halves start at a multiple of this many rows or columns.</summary>
    public const int Alignment = 8;

    private readonly bool single;
    private readonly bool transA;
    private readonly bool transB;
    private readonly int lda;
    private readonly int ldb;
    private readonly int ldc;
    private readonly double α;
    private readonly double β;
    private readonly nint a;
    private readonly nint b;
    private readonly nint c;

    /// <summary>
    /// A product on pinned column-major storage: op(A) is m × k, op(B) is k × n, C is m × n;
    /// <paramref name="single"/> says the elements are float32 rather than float64.
    /// </summary>
    public GemmCall(
        bool single, bool transA, bool transB, int m, int n, int k, double α, void* a, int lda,
        void* b, int ldb, double β, void* c, int ldc)
    {
        (this.single, this.transA, this.transB) = (single, transA, transB);
        (M, N, K) = (m, n, k);
        (this.α, this.a, this.lda, this.b, this.ldb, this.β, this.c, this.ldc) =
            (α, (nint)a, lda, (nint)b, ldb, β, (nint)c, ldc);
    }

    /// <summary>Rows of C.</summary>
    public int M { get; }

    /// <summary>Columns of C.</summary>
    public int N { get; }

    /// <summary>The length of each dot product.</summary>
    public int K { get; }

    /// <summary>m·n·k, the multiply-adds of the product.</summary>
    public double Work => (double)M * N * K;

    /// <summary>Whether the elements are float32.</summary>
    public bool Single => single;

    /// <summary>The address of C's first element.</summary>
    public nint C => c;

    /// <summary>The stride between C's columns, in elements.</summary>
    public int Ldc => ldc;

    private int Size => single ? sizeof(float) : sizeof(double);

    /// <summary>Computes the product.</summary>
    public void Invoke()
    {
        if (single)
        {
            OpenBlasLibrary.Gemm(transA, transB, M, N, K, (float)α, (float*)a, lda, (float*)b,
                ldb, (float)β, (float*)c, ldc);
        }
        else
        {
            OpenBlasLibrary.Gemm(transA, transB, M, N, K, α, (double*)a, lda, (double*)b, ldb,
                β, (double*)c, ldc);
        }
    }

    /// <summary>
    /// Splits C across its longer side into two aligned parts, the first the larger; false when
    /// that side is too short to leave both parts a whole block.
    /// </summary>
    public bool TryHalve(out GemmCall first, out GemmCall second)
    {
        var byRows = M >= N;
        var side = byRows ? M : N;
        var cut = ((side / 2) + Alignment - 1) / Alignment * Alignment;
        if (cut >= side)
        {
            (first, second) = (this, this);
            return false;
        }

        first = byRows ? Rows(0, cut) : Columns(0, cut);
        second = byRows ? Rows(cut, M - cut) : Columns(cut, N - cut);
        return true;
    }

    // Rows [from, from + count) of C: the same rows of op(A), all of op(B).
    private GemmCall Rows(int from, int count)
    {
        var aOffset = transA ? (long)from * lda : from;
        return With(
            count, N, (byte*)a + (aOffset * Size), (byte*)b, (byte*)c + ((long)from * Size));
    }

    // Columns [from, from + count) of C: all of op(A), the same columns of op(B).
    private GemmCall Columns(int from, int count)
    {
        var bOffset = transB ? from : (long)from * ldb;
        return With(M, count, (byte*)a, (byte*)b + (bOffset * Size),
            (byte*)c + ((long)from * ldc * Size));
    }

    private GemmCall With(int m, int n, byte* pa, byte* pb, byte* pc) =>
        new(single, transA, transB, m, n, K, α, pa, lda, pb, ldb, β, pc, ldc);
}
