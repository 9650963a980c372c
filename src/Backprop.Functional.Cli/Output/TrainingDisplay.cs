using System;
using System.IO;
using Spectre.Console;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// Where a training run reports as it goes: one line per event, and on a terminal a progress
/// bar within each epoch. Plain output (redirected, CI=true) gets the lines only.
/// </summary>
internal abstract class TrainingDisplay
{
    /// <summary>
    /// Runs <paramref name="body"/> with a display on <paramref name="writer"/>: a progress bar
    /// display when <paramref name="interactive"/>, plain lines otherwise. The progress bar is
    /// cleared when the body returns or throws, and the cursor and key modes it set are put
    /// back; a stop signal while it is drawn puts them back itself (see
    /// <see cref="LiveTerminal"/>). A write of the bar that fails, on the
    /// thread that redraws it, is thrown on the body's thread at its next call to the display,
    /// or when the body returns, as a line that cannot be written would be.
    /// </summary>
    /// <param name="writer">Where the lines and the bar go.</param>
    /// <param name="interactive">Whether <paramref name="writer"/> is a terminal to draw
    /// on.</param>
    /// <param name="body">The training, which reports to the display.</param>
    /// <param name="ansi">Whether the terminal takes ANSI codes: found from TERM unless given,
    /// as tests do, which have no terminal. Without them the bar is plain text.</param>
    public static TResult Run<TResult>(
        TextWriter writer,
        bool interactive,
        Func<TrainingDisplay, TResult> body,
        AnsiSupport ansi = AnsiSupport.Detect)
    {
        if (!interactive)
        {
            return body(new Plain(writer));
        }

        using var terminal = new LiveTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = terminal,
            Ansi = ansi,
            Interactive = InteractionSupport.Yes,
        });

        // The bar hides the cursor where it draws with ANSI codes, and only there.
        if (console.Profile.Capabilities.Ansi)
        {
            terminal.Arm();
        }

        TResult result;
        try
        {
            result = console.Progress()
                .AutoClear(true)
                .HideCompleted(true)
                .Columns(
                    new TaskDescriptionColumn(),
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new ElapsedTimeColumn(),
                    new RemainingTimeColumn())
                .Start(context => body(new Bar(console, context, terminal)));
        }
        finally
        {
            // Whether the training ended or threw: the keys back in normal mode (see
            // LiveTerminal.NormalKeys), after the bar has shown the cursor again.
            if (console.Profile.Capabilities.Ansi)
            {
                terminal.ResetKeys();
            }
        }

        terminal.ThrowIfFailed();
        return result;
    }

    /// <summary>An epoch of <paramref name="batches"/> steps begins.</summary>
    public abstract void EpochStarted(int epoch, int epochs, int batches);

    /// <summary>One more step of the current epoch is done.</summary>
    public abstract void BatchDone();

    /// <summary>The current epoch's steps are done.</summary>
    public abstract void EpochEnded();

    /// <summary>Writes a line for people (above the progress bar, if one is drawn).</summary>
    public abstract void Line(string text);

    private sealed class Plain(TextWriter writer) : TrainingDisplay
    {
        public override void EpochStarted(int epoch, int epochs, int batches)
        {
        }

        public override void BatchDone()
        {
        }

        public override void EpochEnded()
        {
        }

        public override void Line(string text) => writer.WriteLine(text);
    }

    // Each call first ends the run with the failure of a write that the bar's own thread
    // could not make, if there was one, as a line that cannot be written ends it.
    private sealed class Bar(IAnsiConsole console, ProgressContext context, LiveTerminal terminal)
        : TrainingDisplay
    {
        private ProgressTask? _task;

        public override void EpochStarted(int epoch, int epochs, int batches)
        {
            terminal.ThrowIfFailed();
            _task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: batches);
        }

        public override void BatchDone()
        {
            terminal.ThrowIfFailed();
            _task?.Increment(1);
        }

        public override void EpochEnded()
        {
            terminal.ThrowIfFailed();
            _task?.StopTask();
        }

        // The bar is drawn below the line as the refresh thread last built it, up to a tenth
        // of a second ago, which can be an epoch or more behind the line; it is built afresh
        // first, from the tasks as they are, so that it never shows an older epoch.
        public override void Line(string text)
        {
            terminal.ThrowIfFailed();
            context.Refresh();
            terminal.ThrowIfFailed();
            console.WriteLine(text);
            terminal.ThrowIfFailed();
        }
    }
}
