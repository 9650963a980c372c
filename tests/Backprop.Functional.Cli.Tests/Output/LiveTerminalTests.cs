using System;
using System.IO;
using System.Threading;
using Backprop.Functional.Cli.Output;
using Backprop.Functional.Cli.Shell;
using Spectre.Console;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Output;

/// <summary>
/// The progress bar hides the cursor while it is drawn. A stop signal ends the process before
/// the bar shows it again, so the signal's handler calls <see cref="LiveTerminal.Restore"/>,
/// which shows it and lets the bar draw nothing more; with no bar drawn it writes nothing. A
/// write of the bar that fails, on the thread that redraws it, ends the training with that
/// failure rather than the process. These run the display on a string writer, with ANSI codes
/// on as a terminal would have them.
/// </summary>
/// <remarks>
/// The terminal that <see cref="LiveTerminal.Restore"/> acts on is one for the whole process,
/// so these tests run one at a time, as the tests of one class do.
/// </remarks>
public sealed class LiveTerminalTests
{
    private const string HideCursor = "\u001b[?25l";

    private const string ShowCursor = "\u001b[?25h";

    // Normal cursor keys and keypad: undoes the ESC[?1h ESC= that the .NET console writes.
    private const string NormalKeys = "\u001b[?1l\u001b>";

    [Fact]
    public void A_stop_while_the_bar_is_drawn_shows_the_cursor_and_ends_the_drawing()
    {
        // Given a bar half way through an epoch
        using var writer = new StringWriter();
        string? atStop = null;

        // When the stop signal's handler runs, and the training then goes on a little
        TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 2, batches: 10);
                display.BatchDone();
                display.Line("epoch 1/2  loss 0.5000");
                LiveTerminal.Restore();
                atStop = writer.ToString();
                display.BatchDone();
                display.Line("after the stop");
                return 0;
            },
            AnsiSupport.Yes);

        // Then the restore is the last thing written: the bar's own ending is not drawn
        var text = writer.ToString();
        Assert.Equal(atStop, text);
        Assert.EndsWith(LiveTerminal.RestoreText, text, StringComparison.Ordinal);
        Assert.Equal("\r\u001b[2K" + NormalKeys + ShowCursor, LiveTerminal.RestoreText);
        Assert.StartsWith(HideCursor, text, StringComparison.Ordinal);
        Assert.Equal(1, Count(text, ShowCursor));
        Assert.Contains("epoch 1/2  loss 0.5000", text, StringComparison.Ordinal);
        Assert.DoesNotContain("after the stop", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_stop_writes_nothing_more()
    {
        using var writer = new StringWriter();

        TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 1, batches: 2);
                LiveTerminal.Restore();
                LiveTerminal.Restore();
                return 0;
            },
            AnsiSupport.Yes);

        var text = writer.ToString();
        Assert.EndsWith(LiveTerminal.RestoreText, text, StringComparison.Ordinal);
        Assert.Equal(1, Count(text, ShowCursor));
    }

    [Fact]
    public void A_bar_that_ends_shows_the_cursor_itself_and_a_stop_after_it_writes_nothing()
    {
        // Given a display that ran to its end
        using var writer = new StringWriter();
        TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 1, batches: 1);
                display.BatchDone();
                display.EpochEnded();
                display.Line("epoch 1/1  loss 0.5000");
                return 0;
            },
            AnsiSupport.Yes);
        var ended = writer.ToString();

        // When a stop signal comes after it
        LiveTerminal.Restore();

        // Then the cursor was shown once, by the bar, the keys put back in normal mode after
        // it, and nothing was added
        Assert.Equal(ended, writer.ToString());
        Assert.Equal(1, Count(ended, HideCursor));
        Assert.Equal(1, Count(ended, ShowCursor));
        Assert.Equal(1, Count(ended, NormalKeys));
        Assert.EndsWith(ShowCursor + NormalKeys, ended, StringComparison.Ordinal);
    }

    [Fact]
    public void A_training_that_throws_puts_the_cursor_and_the_keys_back()
    {
        // Given a bar half way through an epoch
        using var writer = new StringWriter();

        // When the training fails there
        var failure = Record.Exception(() => TrainingDisplay.Run<int>(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 2, batches: 10);
                display.BatchDone();
                throw new InvalidOperationException("diverged");
            },
            AnsiSupport.Yes));

        // Then the failure goes on, after the cursor and the keys were put back, last
        Assert.Equal("diverged", Assert.IsType<InvalidOperationException>(failure).Message);
        var text = writer.ToString();
        Assert.Equal(1, Count(text, ShowCursor));
        Assert.Equal(1, Count(text, NormalKeys));
        Assert.EndsWith(ShowCursor + NormalKeys, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_is_never_followed_by_the_bar_of_an_older_epoch()
    {
        // Given a bar drawn half way through its epoch by the thread that redraws it (read here
        // while that thread writes, so through a writer that takes turns)
        using var writer = new LockedWriter();
        string? beforeLine = null;

        // When the epoch ends and its line is printed before that thread draws again
        TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 2, batches: 2);
                display.BatchDone();
                SpinWait.SpinUntil(
                    () => writer.ToString().Contains(" 50%", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(10));
                display.BatchDone();
                display.EpochEnded();
                beforeLine = writer.ToString();
                display.Line("epoch 1/2  loss 0.5000");
                return 0;
            },
            AnsiSupport.Yes);

        // Then the half-drawn bar was on screen, and nothing after the line shows it again:
        // the epoch is done, so no bar is drawn below its line
        Assert.Contains(" 50%", beforeLine, StringComparison.Ordinal);
        var text = writer.ToString();
        var line = text.LastIndexOf("epoch 1/2  loss 0.5000", StringComparison.Ordinal);
        Assert.True(line > 0);
        Assert.DoesNotContain("epoch 1/2 ", text[(line + 1)..], StringComparison.Ordinal);
        Assert.DoesNotContain('%', text[line..]);
    }

    [Theory]
    [InlineData(false, AnsiSupport.Yes)]
    [InlineData(true, AnsiSupport.No)]
    public void Plain_lines_and_a_bar_without_ANSI_codes_have_nothing_to_restore(
        bool interactive, AnsiSupport ansi)
    {
        // Given plain lines (not a terminal) or a terminal that takes no ANSI codes
        using var writer = new StringWriter();

        // When a stop comes in the middle
        TrainingDisplay.Run(
            writer,
            interactive,
            display =>
            {
                display.EpochStarted(1, 2, batches: 2);
                display.Line("epoch 1/2  loss 0.5000");
                LiveTerminal.Restore();
                display.Line("epoch 2/2  loss 0.4000");
                return 0;
            },
            ansi);

        // Then no escape was written, and the lines after the stop still were
        var text = writer.ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("epoch 2/2  loss 0.4000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_that_cannot_be_written_any_more_is_left_as_it_is()
    {
        // Given a bar on a standard output that fails the restore, as one closed since would
        using var writer = new FailingRestoreWriter();

        // When
        var stopped = Record.Exception(() => TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 1, batches: 1);
                LiveTerminal.Restore();
                display.Line("after the stop");
                return 0;
            },
            AnsiSupport.Yes));

        // Then the handler of the stop does not fail, and the gate is shut all the same
        Assert.Null(stopped);
        Assert.Equal(1, writer.Refused);
        Assert.DoesNotContain("after the stop", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_of_the_bar_that_fails_on_its_own_thread_ends_the_training_with_it()
    {
        // Given a bar on a standard output that fails every write from some moment on, as one
        // whose terminal has gone does
        using var writer = new BreakingWriter();
        var goneOn = false;

        // When it breaks while the training waits, so that only the thread that redraws the
        // bar meets the failure
        var failure = Record.Exception(() => TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 1, batches: 10);
                display.BatchDone();
                writer.Broken = true;
                SpinWait.SpinUntil(() => writer.Refused > 0, TimeSpan.FromSeconds(10));

                // The refused write is counted before its exception reaches the code on the
                // bar's thread that keeps it for the training: that thread is given time to.
                Thread.Sleep(200);
                display.BatchDone();
                goneOn = true;
                return 0;
            },
            AnsiSupport.Yes));

        // Then that thread did not fail the process: the training's next call to the display
        // throws the failure, and nothing more is written or tried
        var thrown = Assert.IsType<CommandFailure>(failure);
        Assert.Equal("standard output cannot be written: it is closed", thrown.Message);
        Assert.False(goneOn);
        Assert.Equal(1, writer.Refused);
        Assert.NotEqual(Environment.CurrentManagedThreadId, writer.RefusedOn);
    }

    [Fact]
    public void A_line_that_cannot_be_written_ends_the_training_with_its_failure()
    {
        using var writer = new BreakingWriter();
        var goneOn = false;

        var failure = Record.Exception(() => TrainingDisplay.Run(
            writer,
            interactive: true,
            display =>
            {
                display.EpochStarted(1, 1, batches: 10);
                writer.Broken = true;
                display.Line("epoch 1/1  loss 0.5000");
                goneOn = true;
                return 0;
            },
            AnsiSupport.Yes));

        var thrown = Assert.IsType<CommandFailure>(failure);
        Assert.Equal("standard output cannot be written: it is closed", thrown.Message);
        Assert.False(goneOn);
        Assert.Equal(1, writer.Refused);
    }

    private static int Count(string text, string part) => text.Split(part).Length - 1;

    // A StringWriter whose writes and reads take one lock, so that a test can read what a
    // drawing thread is writing (StringBuilder is not safe across threads).
    private sealed class LockedWriter : StringWriter
    {
        private readonly object _gate = new();

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            lock (_gate)
            {
                base.Write(buffer);
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return base.ToString();
            }
        }
    }

    // Fails every write once broken, as standard output fails a write it cannot make, and
    // counts them, with the thread of the first.
    private sealed class BreakingWriter : StringWriter
    {
        private volatile bool _broken;

        private int _refused;

        public bool Broken
        {
            get => _broken;
            set => _broken = value;
        }

        public int Refused => Volatile.Read(ref _refused);

        public int RefusedOn { get; private set; }

        public override void Write(char value)
        {
            Refuse();
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Refuse();
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Refuse();
            base.Write(buffer);
        }

        public override void Write(string? value)
        {
            Refuse();
            base.Write(value);
        }

        private void Refuse()
        {
            if (_broken)
            {
                if (Interlocked.Increment(ref _refused) == 1)
                {
                    RefusedOn = Environment.CurrentManagedThreadId;
                }

                throw CommandFailure.Failed("standard output cannot be written: it is closed");
            }
        }
    }

    // Fails the write of the restore as standard output fails a write it cannot make.
    private sealed class FailingRestoreWriter : StringWriter
    {
        public int Refused { get; private set; }

        public override void Write(string? value)
        {
            if (value == LiveTerminal.RestoreText)
            {
                Refused++;
                throw CommandFailure.Failed("standard output cannot be written: it is closed");
            }

            base.Write(value);
        }
    }
}
