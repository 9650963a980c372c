using System;

namespace Backprop.Functional;

/// <summary>
/// One OpenBLAS product C = α·op(A)·op(B) + β·C as plain values (shapes, strides and pinned
/// addresses), so that it can be split in two and handed to another thread.
/// </summary>
/// <remarks>
/// <para>
/// The split is a function of the shape alone (never of the core count or of which thread runs
/// a half), so a product gives the same bits however its halves are run. The halves are cut at
/// a multiple of <see cref="Alignment"/> so that each starts on a whole register block of the
/// BLAS kernels.
/// </para>
/// <para>
/// A product is cut across C's rows or columns, each half then packing the whole of the other
/// operand, or, when its dot products are more than twice as long as C's longer side, across
/// the dot products (<see cref="CutsDepth"/>): each half packs half of each operand, the second
/// writes its partial sums into a buffer, and <see cref="Join"/> adds them to C. C2's first
/// layer, W·X with k = 784 against m = 128 and n = 64, is such a product; cut this way, each
/// core reads the columns of W that its half of the previous step wrote.
/// </para>
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

    /// <summary>
    /// Whether <see cref="TryHalve"/> cuts this product across its dot products: when k is more
    /// than twice C's longer side, so that adding an m × n partial result costs less than
    /// packing either operand a second time, and C's columns lie end to end (ldc = m, as in
    /// every matrix the library multiplies into).
    /// </summary>
    public bool CutsDepth => ldc == M && CutsDepthAt(M, N, K);

    /// <summary>The bytes of the partial result that a cut across the dot products needs.</summary>
    public long PartialBytes => CutsDepth ? (long)M * N * Size : 0;

    /// <summary>
    /// Whether a product of this shape, written into a matrix of its own, is cut across its dot
    /// products.
    /// </summary>
    public static bool CutsDepthAt(int m, int n, int k) => k > 2 * Math.Max(m, n) && Cut(k) < k;

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
    /// Splits the product in two, the first the larger: across its dot products into
    /// <paramref name="partial"/> (m × n, <see cref="PartialBytes"/>) when
    /// <see cref="CutsDepth"/>, else across C's longer side; false when that is too short to
    /// leave both parts a whole block. After both halves have run, <see cref="Join"/> completes
    /// C.
    /// </summary>
    public bool TryHalve(void* partial, out GemmCall first, out GemmCall second)
    {
        if (CutsDepth)
        {
            var depth = Cut(K);
            first = Depth(0, depth, β, (byte*)c, ldc);
            second = Depth(depth, K - depth, 0.0, (byte*)partial, M);
            return true;
        }

        var byRows = M >= N;
        var side = byRows ? M : N;
        var cut = Cut(side);
        if (cut >= side)
        {
            (first, second) = (this, this);
            return false;
        }

        first = byRows ? Rows(0, cut) : Columns(0, cut);
        second = byRows ? Rows(cut, M - cut) : Columns(cut, N - cut);
        return true;
    }

    /// <summary>
    /// After <paramref name="second"/>, a half from <see cref="TryHalve"/>, has run: adds its
    /// partial sums to C if the cut was across the dot products (C = C + P); nothing otherwise.
    /// </summary>
    public void Join(in GemmCall second)
    {
        if (!CutsDepth)
        {
            return;
        }

        if (single)
        {
            Add<float>(second.c);
        }
        else
        {
            Add<double>(second.c);
        }
    }

    // Half of `side`, rounded up to a multiple of the alignment.
    private static int Cut(int side) => ((side / 2) + Alignment - 1) / Alignment * Alignment;

    // C += P, both m × n with no gap between columns.
    private void Add<T>(nint p)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var all = new Span<T>((T*)c, M * N);
        System.Numerics.Tensors.TensorPrimitives.Add(all, new ReadOnlySpan<T>((T*)p, M * N), all);
    }

    // Terms [from, from + count) of every dot product, into `pc` with β and leading dimension
    // `ldPc`: the same columns of op(A) and rows of op(B).
    private GemmCall Depth(int from, int count, double βPart, byte* pc, int ldPc)
    {
        var aOffset = transA ? from : (long)from * lda;
        var bOffset = transB ? (long)from * ldb : from;
        return new(single, transA, transB, M, N, count, α, (byte*)a + (aOffset * Size), lda,
            (byte*)b + (bOffset * Size), ldb, βPart, pc, ldPc);
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
