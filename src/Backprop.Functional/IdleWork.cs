using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Backprop.Functional;

/// <summary>
/// Work cut into pieces that the library's helper thread runs between the halves of the
/// products it shares, while the caller goes on: for a batch source that converts the next
/// batch during the current step (<see cref="TrainingData{T}.Upcoming"/>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Start"/> returns at once; <see cref="Finish"/> runs on the calling thread every
/// piece the helper has not taken and waits for the one it is running, so that afterwards each
/// piece has run exactly once, in either place. Which pieces ran where depends on timing, so
/// the pieces must not depend on each other or on their order, and must write only memory that
/// nothing reads until <see cref="Finish"/> returns. A piece that finishes its own work, or
/// work that one of its own pieces runs, on the same thread is refused; one that waits across
/// threads for work whose piece waits for it is a deadlock this class cannot see.
/// </para>
/// <para>
/// The helper runs a piece only when no half of a product is waiting for it, and takes a half
/// posted meanwhile as soon as its current piece ends, so pieces should be short (a few
/// microseconds at most; the command-line tool's is one image). It holds one piece of work at
/// a time: work started while another with pieces left is held, on a machine with one core, or
/// while OpenBLAS runs a product on its own threads, is all run by <see cref="Finish"/>.
/// </para>
/// </remarks>
public sealed class IdleWork
{
    // The works whose pieces this thread is running, innermost last (a piece may finish other
    // work, whose pieces run here in turn): Finish refuses to wait for any of them, which
    // would be waiting for itself.
    [ThreadStatic]
    private static IdleWork?[]? running;

    [ThreadStatic]
    private static int depth;

    private readonly Action<int> _piece;
    private readonly int _count;
    private int _claimed;
    private int _done;
    private Exception? _failure;

    private IdleWork(int count, Action<int> piece) => (_count, _piece) = (count, piece);

    /// <summary>Whether some piece has not been claimed yet.</summary>
    internal bool Pending => Volatile.Read(ref _claimed) < _count;

    /// <summary>
    /// Offers pieces 0 to <paramref name="count"/> − 1 of <paramref name="piece"/> to the helper
    /// thread and returns at once.
    /// </summary>
    /// <param name="count">The number of pieces, ≥ 0.</param>
    /// <param name="piece">Runs piece i, given i; an exception it throws is rethrown by
    /// <see cref="Finish"/>, and the pieces not yet started are then skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is
    /// negative.</exception>
    public static IdleWork Start(int count, Action<int> piece)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(piece);
        var work = new IdleWork(count, piece);
        if (count > 0)
        {
            HelperCore.Offer(work);
        }

        return work;
    }

    /// <summary>
    /// Runs here every piece not yet taken and waits for those running on the helper; on
    /// return every piece has run. Rethrows the first exception a piece threw.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from one of this work's own pieces,
    /// which would wait for itself.</exception>
    public void Finish()
    {
        if (Array.IndexOf(running ?? [], this, 0, depth) >= 0)
        {
            throw new InvalidOperationException(
                "Finish was called from one of this work's own pieces (or from work that one of "
                + "them runs), which would wait for itself; call it from the thread that "
                + "started the work");
        }

        HelperCore.Withdraw(this);
        while (TryRunNext())
        {
        }

        var spinner = default(SpinWait);
        while (Volatile.Read(ref _done) < _count)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Claims the next piece and runs it on this thread; false when none is left. Never throws:
    /// a piece's exception is kept for <see cref="Finish"/>.
    /// </summary>
    internal bool TryRunNext()
    {
        int i;
        do
        {
            i = Volatile.Read(ref _claimed);
            if (i >= _count)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _claimed, i + 1, i) != i);

        Push(this);
        try
        {
            _piece(i);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            SkipTheRest();
        }
        finally
        {
            running![--depth] = null;
            Interlocked.Increment(ref _done);
        }

        return true;
    }

    private static void Push(IdleWork work)
    {
        running ??= new IdleWork?[4];
        if (depth == running.Length)
        {
            Array.Resize(ref running, depth * 2);
        }

        running[depth++] = work;
    }

    // After a failure, claims every piece not yet claimed and counts them done, unrun.
    private void SkipTheRest()
    {
        int i;
        do
        {
            i = Volatile.Read(ref _claimed);
            if (i >= _count)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _claimed, _count, i) != i);

        Interlocked.Add(ref _done, _count - i);
    }
}
