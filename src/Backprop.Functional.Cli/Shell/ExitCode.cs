namespace Backprop.Functional.Cli.Shell;

/// <summary>The exit codes of the backprop command.</summary>
public static class ExitCode
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>Bad data, a bad model file, or a failed run (diverged, check failed).</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments: an unknown option, a value out of range, a missing option.</summary>
    public const int Usage = 2;
}
