using System;
using Backprop.Functional.Cli.Output;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Ctrl-C while train draws its progress bar in a terminal: the bar has hidden the cursor, and
/// the process ends before the bar would show it again, so the stop shows it itself, last,
/// and puts the cursor keys and keypad back in the normal mode that the .NET console took them
/// out of, before its one <c>stopped:</c> line. The process still ends by the signal, and
/// writes no model.
/// </summary>
public sealed class TerminalStopTests
{
    private const string HideCursor = "\u001b[?25l";

    private const string ShowCursor = "\u001b[?25h";

    // What the .NET console writes as the bar starts (application cursor keys and keypad),
    // and what puts them back.
    private const string ApplicationKeys = "\u001b[?1h\u001b=";

    private const string NormalKeys = "\u001b[?1l\u001b>";

    [PseudoTerminalTheory]
    [InlineData("--epochs")]
    [InlineData("--json|--epochs")]
    public void Ctrl_C_while_the_bar_is_drawn_shows_the_cursor_again(string options)
    {
        // Given a run far longer than the test, with its bar on the terminal (on stdout, or on
        // stderr with the other lines for people under --json)
        using var dir = new TempDirectory();
        string[] args =
        [
            "train", "--hidden", "4", .. options.Split('|'), "1000", "--out", dir.File("m.json"),
        ];

        // When Ctrl-C comes once the bar is drawn
        var (returnCode, drawn) = PseudoTerminal.Interrupt(dir.Path, args);

        // Then the cursor, hidden by the bar, is shown last but for the stopped: line, and the
        // signal ended the process
        Assert.Equal(-2, returnCode);
        Assert.Equal(1, Count(drawn, HideCursor));
        Assert.Equal(1, Count(drawn, ShowCursor));
        Assert.EndsWith(
            LiveTerminal.RestoreText + "stopped: no save was under way, and nothing was saved\r\n",
            drawn,
            StringComparison.Ordinal);
        Assert.Equal(1, Count(drawn, ApplicationKeys));
        Assert.True(
            drawn.IndexOf(ApplicationKeys, StringComparison.Ordinal)
                < drawn.LastIndexOf(NormalKeys, StringComparison.Ordinal));
        Assert.Contains(" test ", drawn, StringComparison.Ordinal);
        Assert.Empty(dir.Files);
    }

    private static int Count(string text, string part) => text.Split(part).Length - 1;
}
