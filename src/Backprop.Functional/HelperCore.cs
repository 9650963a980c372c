using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Threading;

namespace Backprop.Functional;

/// <summary>
/// A second thread that runs one half of a product (or of a parameter step) while the caller
/// runs the other: the way products small and middling use both cores.
/// </summary>
/// <remarks>
/// <para>
/// Products with m·n·k from <see cref="SplitFrom"/> (2¹⁵) to <see cref="SplitUpTo"/> (2³⁰ on
/// CPUs with AVX-512, 2²⁸ on others) are cut in two by <see cref="GemmCall.TryHalve"/> and the
/// halves run at once. OpenBLAS would run those up to <see cref="OpenBlasSingleAbove"/> (2¹⁸,
/// its interface's threading threshold) on one thread and the larger ones on its own threads;
/// for the latter it is set to one thread around the pair, which measured faster for such
/// shapes with OpenBLAS's AVX-512 kernels and with its Zen ones (C2's first layer: 200 µs cut,
/// 248 µs on OpenBLAS's two threads) and makes each half's bits independent of OpenBLAS's thread
/// count. The cut depends on the shape only: when the helper is busy (another thread is using
/// it) or the machine has one core, the caller runs both halves itself, one after the other,
/// with the same bits. Larger products run on OpenBLAS's threads, which share their packed
/// operands.
/// </para>
/// <para>
/// OpenBLAS's thread count is process-wide, so every product this class leaves to OpenBLAS's
/// threads and every pair run at one thread hold one lock: no product of this library sees the
/// other's setting.
/// </para>
/// <para>
/// The helper spins for a fraction of a millisecond after each half (0.4 ms on the AMD EPYC
/// of docs/benchmarks.md), so that the next product finds it awake, then sleeps. Before a
/// product that OpenBLAS threads itself, it is parked at once, so that it does not take a
/// core from OpenBLAS's threads. If it has not started its half when the caller finishes the
/// first, the caller takes the half back: a sleeping helper never makes a product slower than
/// one thread would.
/// </para>
/// <para>
/// Between halves it runs the pieces of the one <see cref="IdleWork"/> it holds, if any, a
/// piece at a time, and takes a half posted meanwhile when its piece ends. It takes no piece
/// while parked.
/// </para>
/// <para>
/// The thread starts at the first split product (or idle work) and runs until the process
/// ends, or until the library's <see cref="AssemblyLoadContext"/> unloads (a plug-in host),
/// when it leaves so that the context can be collected and products run on their callers from
/// then on.
/// </para>
/// </remarks>
internal static class HelperCore
{
    /// <summary>Products with m·n·k above this run on OpenBLAS's own threads.</summary>
    public const double OpenBlasSingleAbove = 1 << 18;

    /// <summary>Products with m·n·k below this are not worth a hand-off.</summary>
    public const double SplitFrom = 1 << 15;

    /// <summary>
    /// Products with m·n·k up to this are cut in two here; larger ones run on OpenBLAS's own
    /// threads, which share the packed operands between them: 2³⁰ with OpenBLAS's AVX-512
    /// kernels, 2²⁸ with the others.
    /// </summary>
    /// <remarks>
    /// Measured on two machines with C3 (784-512-256-10, batch 256, float32), whose first
    /// layer's products have about 10⁸ multiply-adds and its second layer's 2²⁵, and with
    /// inference on 1000 images (C3's first layer: 4·10⁸). On an Intel Xeon with AVX-512, once
    /// a run wrote its weights in place (<see cref="Training.RunByEpoch{T}"/>), cutting the
    /// first layer too made C3's epoch faster (0.656–0.685 against 0.720–0.779 s, three
    /// interleaved pairs of processes), and `Predict` on 1000 images too (C3: 4.41–4.50
    /// against 4.83–4.87 ms in two pairs of three); with fresh weights every step it had made
    /// the epoch slower (0.85 against 0.73 s). On an AMD EPYC with AVX2, the first layer on
    /// OpenBLAS's threads and the second cut made the slower epoch (median 1.34 against
    /// 1.14 s, epochs of one process taken in turns): OpenBLAS's idle worker yields its core
    /// in a loop for about 0.1 s after each product it shares, and so competes with the helper
    /// during the cut products that follow. See docs/benchmarks.md.
    /// </remarks>
    public static readonly double SplitUpTo = OpenBlasKernels.HasAvx512 ? 1 << 30 : 1 << 28;

    // A fraction of a millisecond of spinning (0.4 ms on the AMD EPYC of docs/benchmarks.md),
    // counted in iterations, not read off a clock.
    private const int SpinLimit = 1000;
    private const int SpinUnit = 8;

    private const int Idle = 0;
    private const int Posted = 1;
    private const int Running = 2;
    private const int Done = 3;
    private const int TakenBack = 4;

    private static readonly SemaphoreSlim Wake = new(0);

    // Held while a product runs on OpenBLAS's threads or OpenBLAS is set to one thread for a
    // cut one, so that no product of this library sees the other's thread count.
    private static readonly Lock OpenBlasThreads = new();

    [ThreadStatic]
    private static byte[]? partial;

    private static IdleWork? idle;

    private static unsafe delegate*<void> posted;
    private static Exception? failure;
    private static int state;
    private static int owner;
    private static int sleeping;
    private static int parked;
    private static int alive;
    private static int stopped;

    static HelperCore()
    {
        if (AssemblyLoadContext.GetLoadContext(typeof(HelperCore).Assembly) is { } context)
        {
            context.Unloading += _ => Stop();
        }
    }

    /// <summary>Runs <paramref name="call"/>, on both cores when that gains.</summary>
    public static unsafe void Product<TJob>(in TJob call)
        where TJob : struct, ISplittable<TJob>
    {
        var work = call.Work;
        var threaded = work > OpenBlasSingleAbove;
        TJob first, second;
        if (work > SplitUpTo || (threaded && !OpenBlasLibrary.ControlsThreads)
            || work < SplitFrom
            || !call.TryHalve(Partial(call.PartialBytes), out first, out second))
        {
            if (!threaded)
            {
                call.Invoke();
                return;
            }

            lock (OpenBlasThreads)
            {
                Volatile.Write(ref parked, 1);
                call.Invoke();
            }

            return;
        }

        if (!threaded)
        {
            Both(first, second);
            call.Join(second);
            return;
        }

        // Halves big enough for OpenBLAS to thread run on one OpenBLAS thread each, so that
        // they are computed the same way whichever thread runs them.
        lock (OpenBlasThreads)
        {
            var count = OpenBlasLibrary.Threads;
            OpenBlasLibrary.Threads = 1;
            try
            {
                Both(first, second);
            }
            finally
            {
                OpenBlasLibrary.Threads = count;
            }
        }

        call.Join(second);
    }

    /// <summary>
    /// A hint that a product of <paramref name="work"/> multiply-adds (m·n·k) comes soon: if
    /// <see cref="Product{TJob}"/> would cut it and the helper is parked (it sleeps through
    /// products on OpenBLAS's threads), the helper is woken now, so that the work the caller
    /// does in between (an activation pass) hides its wake-up.
    /// </summary>
    /// <remarks>
    /// On the Intel Xeon of docs/benchmarks.md, waking it after C3's first layer, before the
    /// second layer's cut product, took 20–40 µs off Forward's median (1335 against 1360 µs,
    /// epochs of one process taken in turns). It may then take pieces of idle work.
    /// </remarks>
    public static void Expect(double work)
    {
        var cut = work >= SplitFrom && work <= SplitUpTo
            && (work <= OpenBlasSingleAbove || OpenBlasLibrary.ControlsThreads);
        if (!cut || Volatile.Read(ref parked) == 0)
        {
            return;
        }

        Volatile.Write(ref parked, 0);
        if (Volatile.Read(ref sleeping) == 1)
        {
            Wake.Release();
        }
    }

    /// <summary>
    /// OpenBLAS's thread count as products see it: read under the lock that a cut product holds
    /// while it has OpenBLAS on one thread, so never that passing value.
    /// </summary>
    public static int OpenBlasThreadCount()
    {
        lock (OpenBlasThreads)
        {
            return OpenBlasLibrary.Threads;
        }
    }

    /// <summary>
    /// Runs <paramref name="first"/> here and <paramref name="second"/> on the helper if it is
    /// free, or both here one after the other; returns when both are done.
    /// </summary>
    public static void Both<TJob>(in TJob first, in TJob second)
        where TJob : struct, IHalf
    {
        if (Environment.ProcessorCount < 2 || Volatile.Read(ref stopped) == 1
            || Interlocked.CompareExchange(ref owner, 1, 0) != 0)
        {
            first.Invoke();
            second.Invoke();
            return;
        }

        try
        {
            if (Started())
            {
                Hand(first, second);
            }
            else
            {
                first.Invoke();
                second.Invoke();
            }
        }
        finally
        {
            Volatile.Write(ref owner, 0);
        }
    }

    /// <summary>
    /// Hands <paramref name="work"/> to the helper, which runs its pieces when no half waits;
    /// nothing if the helper holds other work with pieces left, is parked, stopped or missing
    /// (one core), in which case <see cref="IdleWork.Finish"/> runs every piece. Work whose
    /// pieces have all been taken is let go even if it was never finished.
    /// </summary>
    internal static void Offer(IdleWork work)
    {
        var held = Volatile.Read(ref idle);
        if (Environment.ProcessorCount < 2 || Volatile.Read(ref stopped) == 1
            || Volatile.Read(ref parked) == 1 || held is { Pending: true }
            || Interlocked.CompareExchange(ref idle, work, held) != held)
        {
            return;
        }

        if (!Started())
        {
            Interlocked.CompareExchange(ref idle, null, work);
            return;
        }

        if (Volatile.Read(ref sleeping) == 1)
        {
            Wake.Release();
        }
    }

    /// <summary>Takes <paramref name="work"/> back from the helper if it holds it.</summary>
    internal static void Withdraw(IdleWork work) =>
        Interlocked.CompareExchange(ref idle, null, work);

    // This thread's pinned scratch memory of at least `bytes` (null for none), for the partial
    // result of a product cut across its dot products. A product uses it only while it runs,
    // and a thread runs one product at a time.
    private static unsafe void* Partial(long bytes)
    {
        if (bytes == 0)
        {
            return null;
        }

        if (partial is null || partial.Length < bytes)
        {
            partial = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        }

        return Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(partial));
    }

    // Whether a helper thread is running, starting one if none is (the first time, or after
    // the last one stopped).
    private static bool Started()
    {
        if (Interlocked.CompareExchange(ref alive, 1, 0) == 1)
        {
            return true;
        }

        try
        {
            new Thread(Loop) { IsBackground = true, Name = "Backprop.Functional helper" }.Start();
            return true;
        }
        catch (OutOfMemoryException)
        {
            Volatile.Write(ref alive, 0);
            return false;
        }
        catch (ThreadStartException)
        {
            Volatile.Write(ref alive, 0);
            return false;
        }
    }

    // Posts the second half, runs the first, then takes the second back if the helper has not
    // started it or waits for it. The caller's pins on the arrays hold until this returns, and
    // it returns only when the helper is done with them, even if the first half throws.
    private static unsafe void Hand<TJob>(in TJob first, in TJob second)
        where TJob : struct, IHalf
    {
        Slot<TJob>.Hold(second);
        posted = &Slot<TJob>.Invoke;
        failure = null;
        Volatile.Write(ref parked, 0);
        Interlocked.Exchange(ref state, Posted);
        if (Volatile.Read(ref sleeping) == 1)
        {
            Wake.Release();
        }

        try
        {
            first.Invoke();
        }
        catch
        {
            Settle<TJob>();
            throw;
        }

        if (Settle<TJob>())
        {
            second.Invoke();
        }
        else if (failure is { } thrown)
        {
            failure = null;
            ExceptionDispatchInfo.Throw(thrown);
        }
    }

    // Ends a hand-off: true if the helper had not started the half (it is the caller's now),
    // false once the helper has finished it.
    private static bool Settle<TJob>()
        where TJob : struct, IHalf
    {
        var takenBack = Interlocked.CompareExchange(ref state, TakenBack, Posted) == Posted;
        if (!takenBack)
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref state) != Done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        Slot<TJob>.Hold(default);
        Volatile.Write(ref state, Idle);
        return takenBack;
    }

    private static unsafe void Loop()
    {
        var spins = 0;
        while (Volatile.Read(ref stopped) == 0)
        {
            if (Volatile.Read(ref state) == Posted
                && Interlocked.CompareExchange(ref state, Running, Posted) == Posted)
            {
                try
                {
                    posted();
                }
                catch (Exception e)
                {
                    failure = e;
                }

                Volatile.Write(ref state, Done);
                spins = 0;
            }
            else if (Volatile.Read(ref parked) == 0 && Volatile.Read(ref idle) is { } work
                && work.TryRunNext())
            {
                spins = 0;
            }
            else if (++spins < SpinLimit && Volatile.Read(ref parked) == 0)
            {
                Thread.SpinWait(SpinUnit);
            }
            else
            {
                Sleep();
                spins = 0;
            }
        }

        // A half posted meanwhile is taken back by its caller, which finds it not started.
        Volatile.Write(ref alive, 0);
    }

    // Sleeps until a caller posts a half or offers idle work, or the library is unloaded. The
    // caller writes Posted (or the work) and then reads `sleeping`; this writes `sleeping` and
    // then reads the state and the work, each write a full fence, so at least one of them sees
    // the other: either this does not sleep or the caller wakes it. A wake-up left over from a
    // race costs one extra trip round the loop.
    private static void Sleep()
    {
        Interlocked.Exchange(ref sleeping, 1);
        if (Volatile.Read(ref state) != Posted && Volatile.Read(ref stopped) == 0
            && !(Volatile.Read(ref parked) == 0 && Volatile.Read(ref idle) is { Pending: true }))
        {
            Wake.Wait();
        }

        Interlocked.Exchange(ref sleeping, 0);
    }

    // The library's load context is unloading (a plug-in host): the helper leaves its loop, so
    // that no thread runs this assembly's code, and products run on their callers from now on.
    private static void Stop()
    {
        Volatile.Write(ref stopped, 1);
        Wake.Release();
    }

    // Where the posted half of each kind of job waits for the helper.
    private static class Slot<TJob>
        where TJob : struct, IHalf
    {
        private static TJob job;

        public static void Hold(in TJob half) => job = half;

        public static void Invoke() => job.Invoke();
    }
}

/// <summary>Half of a piece of work, for <see cref="HelperCore"/> to run on its thread.</summary>
internal interface IHalf
{
    /// <summary>Does the work, on whichever thread calls it.</summary>
    void Invoke();
}

/// <summary>A product that <see cref="HelperCore.Product{TJob}"/> can cut in two.</summary>
/// <typeparam name="TJob">The product's own type, which its halves also have.</typeparam>
internal interface ISplittable<TJob> : IHalf
    where TJob : struct, ISplittable<TJob>
{
    /// <summary>m·n·k, the multiply-adds of the product.</summary>
    double Work { get; }

    /// <summary>The bytes of scratch memory that <see cref="TryHalve"/> needs.</summary>
    long PartialBytes { get; }

    /// <summary>
    /// Splits the product into two that together compute it, cut by its shape alone, using
    /// <paramref name="partial"/> (<see cref="PartialBytes"/> long, pinned) for a partial
    /// result if it needs one; false when it is too small to cut.
    /// </summary>
    unsafe bool TryHalve(void* partial, out TJob first, out TJob second);

    /// <summary>
    /// Completes the product once both halves from <see cref="TryHalve"/> have run, on the
    /// thread that called it.
    /// </summary>
    void Join(in TJob second);
}
