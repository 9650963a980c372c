using System;
using System.Linq;
using System.Threading;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// Work handed to the helper thread between products: every piece runs exactly once, on the
/// helper or in Finish; a piece's exception reaches Finish; and products cut in halves keep
/// their bits while the helper also runs pieces. In the serial collection, because the helper
/// holds one piece of work at a time and a parked helper takes none.
/// </summary>
[Collection(nameof(BackendSwitching))]
public sealed class IdleWorkTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Every_piece_runs_exactly_once(int count)
    {
        for (var round = 0; round < 40; round++)
        {
            var runs = new int[count];
            var work = IdleWork.Start(count, i => Interlocked.Increment(ref runs[i]));
            Thread.SpinWait(round * 500);

            work.Finish();

            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void The_helper_runs_pieces_while_the_caller_is_busy_elsewhere()
    {
        if (Environment.ProcessorCount < 2)
        {
            // No helper on one core: Finish runs every piece (Every_piece_runs_exactly_once).
            return;
        }

        Wake();
        var threads = ThreadsOfPieces();

        Assert.Contains(threads, t => t != Environment.CurrentManagedThreadId);
        Assert.DoesNotContain(0, threads);
    }

    [Fact]
    public void Finish_waits_for_the_piece_the_helper_is_running()
    {
        // The first piece, which the helper takes, counts itself only at its end, a few
        // milliseconds after it starts; the caller has the others done long before that.
        Wake();
        for (var round = 0; round < 10; round++)
        {
            var runs = new int[4];
            var work = IdleWork.Start(runs.Length, i =>
            {
                Thread.SpinWait(i == 0 ? 300_000 : 0);
                Interlocked.Increment(ref runs[i]);
            });
            Thread.Sleep(1);

            work.Finish();

            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void Work_started_while_the_helper_holds_other_work_runs_in_Finish()
    {
        Wake();
        var first = IdleWork.Start(200, _ => Thread.SpinWait(2000));
        var threads = new int[10];
        var second = IdleWork.Start(threads.Length, i =>
            threads[i] = Environment.CurrentManagedThreadId);

        second.Finish();
        first.Finish();

        Assert.All(threads, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
    }

    [Fact]
    public void A_piece_that_throws_reaches_Finish_and_the_helper_keeps_working()
    {
        for (var round = 0; round < 20; round++)
        {
            var failing = IdleWork.Start(10, i =>
            {
                if (i == 3)
                {
                    throw new InvalidOperationException("piece 3");
                }
            });
            Thread.SpinWait(round * 200);
            var error = Assert.Throws<InvalidOperationException>(failing.Finish);
            Assert.Equal("piece 3", error.Message);

            var runs = new int[5];
            var after = IdleWork.Start(runs.Length, i => Interlocked.Increment(ref runs[i]));
            after.Finish();
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void A_failure_skips_every_piece_not_yet_claimed_at_once()
    {
        // The helper holds the first work, so the second's pieces run only here. The throw at
        // piece 5 claims the other 2³¹ − 7 at once, unrun; they were claimed one by one before,
        // which kept Finish busy for 11 s.
        Wake();
        var first = IdleWork.Start(200, _ => Thread.SpinWait(2000));
        var ran = 0;
        var second = IdleWork.Start(int.MaxValue, i =>
        {
            ran++;
            if (i == 5)
            {
                throw new InvalidOperationException("piece 5");
            }
        });

        for (var k = 0; k < 6; k++)
        {
            Assert.True(second.TryRunNext());
        }

        Assert.False(second.Pending);
        Assert.False(second.TryRunNext());
        var error = Assert.Throws<InvalidOperationException>(second.Finish);
        first.Finish();
        Assert.Equal("piece 5", error.Message);
        Assert.Equal(6, ran);
    }

    [Fact]
    public void Work_whose_pieces_have_all_run_does_not_keep_the_helper_from_new_work()
    {
        // A work that was never finished, but whose one piece has run, no longer holds the
        // helper: the next work runs there. (It used to be refused until the first's Finish.)
        if (Environment.ProcessorCount < 2)
        {
            return;
        }

        Wake();
        var first = IdleWork.Start(1, _ => { });
        Assert.True(SpinWait.SpinUntil(() => !first.Pending, 5000));

        var threads = new int[4];
        var second = IdleWork.Start(threads.Length, i =>
            threads[i] = Environment.CurrentManagedThreadId);
        var ran = SpinWait.SpinUntil(() => Volatile.Read(ref threads[^1]) != 0, 5000);
        second.Finish();
        first.Finish();

        Assert.True(ran, "the second work's pieces did not run before Finish");
        Assert.All(threads, t => Assert.NotEqual(Environment.CurrentManagedThreadId, t));
    }

    [Fact]
    public void Finish_from_one_of_the_works_own_pieces_is_refused_not_a_hang()
    {
        IdleWork? work = null;
        var refused = new InvalidOperationException[1];
        work = IdleWork.Start(2, i =>
        {
            if (i == 0)
            {
                // The helper may take piece 0 before Start has returned.
                SpinWait.SpinUntil(() => Volatile.Read(ref work) is not null);
                refused[0] = Assert.Throws<InvalidOperationException>(() => work!.Finish());
            }
        });

        work.Finish();

        Assert.StartsWith(
            "Finish was called from one of this work's own pieces", refused[0].Message);
    }

    [Fact]
    public void Finish_from_a_piece_of_work_that_its_own_piece_runs_is_refused_too()
    {
        // A's piece finishes B, whose piece runs on the same thread and finishes A: waiting
        // for A there would wait for the piece further up the same stack. (The helper holds
        // other work meanwhile, so that A and B both run here.)
        Wake();
        var blocker = IdleWork.Start(200, _ => Thread.SpinWait(2000));
        IdleWork? a = null;
        var refused = new InvalidOperationException?[1];
        a = IdleWork.Start(1, _ =>
        {
            var b = IdleWork.Start(1, _ =>
                refused[0] = Assert.Throws<InvalidOperationException>(() => a!.Finish()));
            b.Finish();
        });

        a.Finish();
        blocker.Finish();

        Assert.StartsWith(
            "Finish was called from one of this work's own pieces", refused[0]!.Message);
    }

    [Fact]
    public void Cut_products_keep_their_bits_while_the_helper_also_runs_pieces()
    {
        // C1's first layer (cut across its dot products) and its update (cut across columns),
        // with the helper between pieces of long work when each half is posted.
        var cases = new[] { (30, 10, 784, 0), (30, 784, 10, 1), (128, 64, 784, 0) }
            .Select((c, i) => (c.Item1, c.Item2, c.Item3, c.Item4, i)).ToArray();
        var alone = cases.Select(c => HelperCoreProperties.Compute<double>(c).Values).ToArray();

        for (var round = 0; round < 10; round++)
        {
            var work = IdleWork.Start(5000, _ => Thread.SpinWait(50));
            foreach (var (c, expected) in cases.Zip(alone))
            {
                Assert.Equal(
                    expected.Select(BitConverter.DoubleToInt64Bits),
                    HelperCoreProperties.Compute<double>(c).Values
                        .Select(BitConverter.DoubleToInt64Bits));
            }

            work.Finish();
        }
    }

    [Fact]
    public void After_a_product_on_OpenBLAS_threads_only_a_cut_product_expected_wakes_the_helper()
    {
        if (Environment.ProcessorCount < 2 || Backends.Active != Backend.OpenBlas)
        {
            // No helper, or no product that OpenBLAS threads: nothing is ever parked.
            return;
        }

        // 1100³ multiply-adds: above every CPU's cut (at most 2³⁰), so OpenBLAS threads it and
        // parks the helper.
        var threaded = (1100, 1100, 1100, 0, 1);
        Assert.True(1100.0 * 1100 * 1100 > HelperCore.SplitUpTo);
        _ = HelperCoreProperties.Compute<float>(threaded);
        HelperCore.Expect(Math.Pow(2, 31));
        var stillParked = ThreadsOfPieces();
        _ = HelperCoreProperties.Compute<float>(threaded);
        HelperCore.Expect(1 << 20);
        var woken = ThreadsOfPieces();

        Assert.All(stillParked, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
        Assert.Contains(woken, t => t != Environment.CurrentManagedThreadId);
    }

    // The threads that ran each of 64 pieces of idle work offered while the caller sleeps.
    private static int[] ThreadsOfPieces()
    {
        var threads = new int[64];
        var work = IdleWork.Start(threads.Length, i =>
        {
            threads[i] = Environment.CurrentManagedThreadId;
            Thread.SpinWait(2000);
        });
        Thread.Sleep(200);
        work.Finish();
        return threads;
    }

    // A cut product wakes the helper and clears its parked state, left by any product that
    // OpenBLAS threaded itself.
    private static void Wake() => HelperCore.Both(default(Nothing), default(Nothing));

    private readonly struct Nothing : IHalf
    {
        public void Invoke()
        {
        }
    }
}
