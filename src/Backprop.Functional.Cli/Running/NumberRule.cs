using System;

namespace Backprop.Functional.Cli.Running;

/// <summary>The values a number option of <c>backprop train</c> takes.</summary>
/// <param name="Option">The option, such as "--clip-norm".</param>
/// <param name="Key">The name of its setting in a checkpoint, such as "clipNorm".</param>
/// <param name="Accepts">Whether a finite value is one the option takes.</param>
/// <param name="Range">Those values in words, such as "a finite number &gt; 0".</param>
internal sealed record NumberRule(
    string Option, string Key, Func<double, bool> Accepts, string Range);
