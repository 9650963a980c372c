using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using Backprop.Functional.Cli.Shell;
using Spectre.Console;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// The terminal that a progress bar is drawn on, as Spectre.Console sees it, and what a stop
/// signal does to it. The bar hides the cursor (ESC[?25l) while it is drawn and shows it again
/// when it is done; Ctrl-C ends the process before that, which would leave the terminal with
/// no cursor. <see cref="Restore"/>, called on the way out, shows it again and lets nothing
/// more be drawn. The .NET console, asked for the terminal's size as the bar starts, also puts
/// the cursor keys and the keypad in application mode (ESC[?1h ESC=, terminfo's smkx) and
/// never takes them out; <see cref="NormalKeys"/> does, at the end of the bar and on a stop.
/// </summary>
/// <remarks>
/// Spectre.Console sees the terminal as it would the writer alone (width, height, whether it
/// is one); only its writes pass through a gate that <see cref="Restore"/> closes, and that
/// the first write that fails closes too (see <see cref="ThrowIfFailed"/>).
/// </remarks>
internal sealed class LiveTerminal : IAnsiConsoleOutput, IDisposable
{
    /// <summary>
    /// Normal cursor keys (ESC[?1l) and a numeric keypad (ESC&gt;), terminfo's rmkx for xterm
    /// and its kin: undoes the application modes that the .NET console sets on a terminal.
    /// </summary>
    public const string NormalKeys = "\u001b[?1l\u001b>";

    /// <summary>
    /// What <see cref="Restore"/> writes: a carriage return and an erase of the line (ESC[2K),
    /// the blank line under the bar where the cursor rests and where the terminal echoed "^C",
    /// then <see cref="NormalKeys"/> and ESC[?25h, which shows the cursor. The bar stays as it
    /// was last drawn, above.
    /// </summary>
    public const string RestoreText = "\r\u001b[2K" + NormalKeys + "\u001b[?25h";

    private static readonly Lock Registry = new();

    // The terminal that Restore puts back: the one armed last and not yet disposed, or null.
    private static LiveTerminal? armed;

    private readonly AnsiConsoleOutput _terminal;

    private readonly Gate _gate;

    /// <summary>A terminal that draws on <paramref name="writer"/>; not armed yet.</summary>
    public LiveTerminal(TextWriter writer)
    {
        _terminal = new AnsiConsoleOutput(writer);
        _gate = new Gate(writer);
    }

    /// <summary>The writer Spectre.Console draws through: a gate before the one given.</summary>
    public TextWriter Writer => _gate;

    /// <inheritdoc/>
    public bool IsTerminal => _terminal.IsTerminal;

    /// <inheritdoc/>
    public int Width => _terminal.Width;

    /// <inheritdoc/>
    public int Height => _terminal.Height;

    /// <summary>
    /// If a terminal is armed, writes <see cref="RestoreText"/> to it and closes its gate, so
    /// that the bar, redrawn ten times a second, is not drawn again; a terminal that cannot be
    /// written any more is left as it is. For the handler of a stop signal, which then lets
    /// the process end.
    /// </summary>
    public static void Restore()
    {
        LiveTerminal? terminal;
        lock (Registry)
        {
            terminal = armed;
        }

        terminal?._gate.Shut(RestoreText);
    }

    /// <inheritdoc/>
    public void SetEncoding(Encoding encoding) => _terminal.SetEncoding(encoding);

    /// <summary>
    /// Throws the failure of the first write that could not be made, if one could not, on the
    /// thread that calls it, with the stack trace of the write; nothing is drawn after such a
    /// write. The bar is redrawn on a thread of its own, which must not throw (an exception
    /// there would end the process with a stack trace), so the thread that trains calls this
    /// as it goes and ends the command with the failure, as a line it could not write would.
    /// </summary>
    public void ThrowIfFailed()
    {
        if (_gate.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Writes <see cref="NormalKeys"/>, unless the gate is shut or a write has failed: for the
    /// end of the bar, whether the training returned or threw.
    /// </summary>
    public void ResetKeys()
    {
        _gate.Write(NormalKeys);
        _gate.Flush();
    }

    /// <summary>
    /// Makes this the terminal that <see cref="Restore"/> puts back, until it is disposed:
    /// from the moment the bar hides the cursor until it has shown it again.
    /// </summary>
    public void Arm()
    {
        lock (Registry)
        {
            armed = this;
        }
    }

    /// <summary>Disarms the terminal; the writer stays open.</summary>
    public void Dispose()
    {
        lock (Registry)
        {
            if (ReferenceEquals(armed, this))
            {
                armed = null;
            }
        }
    }

    // Passes every write on, whole, until it is shut or a write fails; then drops them. A write
    // that fails is kept for the thread that trains to throw (see ThrowIfFailed): the bar is
    // redrawn on a thread of Spectre.Console's own, where an exception would end the process.
    private sealed class Gate(TextWriter inner) : TextWriter
    {
        private readonly Lock _lock = new();

        private bool _shut;

        private volatile Exception? _failure;

        public override Encoding Encoding => inner.Encoding;

        public override IFormatProvider FormatProvider => inner.FormatProvider;

        // The first write that failed, or null.
        public Exception? Failure => _failure;

        public override void Write(char value) => Pass(value, static (w, v) => w.Write(v));

        public override void Write(char[] buffer, int index, int count) =>
            Pass((buffer, index, count), static (w, b) => w.Write(b.buffer, b.index, b.count));

        public override void Write(ReadOnlySpan<char> buffer) =>
            Pass(buffer, static (w, b) => w.Write(b));

        public override void Write(string? value) => Pass(value, static (w, v) => w.Write(v));

        public override void Flush() => Pass(0, static (w, _) => w.Flush());

        // Writes the last text and shuts the gate, once, unless a write has failed already. A
        // failure to write it (standard output closed since) is dropped: the process is ending,
        // and there is nothing left to tell.
        public void Shut(string last)
        {
            lock (_lock)
            {
                var open = Open;
                _shut = true;
                if (!open)
                {
                    return;
                }

                try
                {
                    inner.Write(last);
                    inner.Flush();
                }
                catch (Exception e) when (IsWriteFailure(e))
                {
                }
            }
        }

        // One write (or flush) passed on while the gate is open; the first that fails is kept.
        private void Pass<TState>(TState state, Action<TextWriter, TState> write)
            where TState : allows ref struct
        {
            lock (_lock)
            {
                try
                {
                    if (Open)
                    {
                        write(inner, state);
                    }
                }
                catch (Exception e) when (IsWriteFailure(e))
                {
                    _failure = e;
                }
            }
        }

        // Neither shut nor failed; read under the lock.
        private bool Open => !_shut && _failure is null;

        // How standard output reports a write it cannot make (see StandardOutput), and how the
        // console's own writer does where that is kept.
        private static bool IsWriteFailure(Exception e) =>
            e is CommandFailure or IOException or UnauthorizedAccessException;
    }
}
