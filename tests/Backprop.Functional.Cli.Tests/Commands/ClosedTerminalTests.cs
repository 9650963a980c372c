using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// A terminal that goes away while train draws its progress bar there: every write to it fails
/// (EIO), the first of them on the thread that redraws the bar. The command ends as it does on
/// any standard output it cannot write, with one error line and exit code 1, not with the
/// runtime's report of an unhandled exception, and writes no model.
/// </summary>
public sealed class ClosedTerminalTests
{
    [PseudoTerminalFact]
    public void A_terminal_closed_while_the_bar_is_drawn_ends_the_run_with_one_error_line()
    {
        // Given a run far longer than the test, with its bar on the terminal, whose epochs
        // take a second or so: the bar is redrawn several times between two epoch lines, so
        // that a write of the bar is the first to fail
        using var dir = new TempDirectory();

        // When the terminal's other end is closed once the bar is drawn
        var (returnCode, error) = PseudoTerminal.Close(
            dir.Path, "train", "--hidden", "1024", "--epochs", "1000", "--out", dir.File("m.json"));

        // Then
        Assert.Equal(1, returnCode);
        Assert.Equal("error: standard output cannot be written: Input/output error\n", error);
        Assert.Empty(dir.Files);
    }
}
