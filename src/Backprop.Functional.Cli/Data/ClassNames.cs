using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// The names of the classes, label 0 first. The IDX files do not carry them, and MNIST and
/// Fashion-MNIST files look alike, so <see cref="ForDirectory"/> decides by a rule.
/// </summary>
public static class ClassNames
{
    /// <summary>The name of the optional file in a data directory that lists the classes.</summary>
    public const string FileName = "classes.txt";

    /// <summary>
    /// Fashion-MNIST's ten classes, labels 0–9: T-shirt/top, Trouser, Pullover, Dress, Coat,
    /// Sandal, Shirt, Sneaker, Bag, Ankle boot.
    /// </summary>
    public static IReadOnlyList<string> FashionMnist { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>MNIST's ten classes, the digits "0" to "9".</summary>
    public static IReadOnlyList<string> Digits { get; } =
        Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// The class names for a data directory, by the first rule that applies:
    /// <list type="number">
    /// <item>the directory holds <c>classes.txt</c>: one name per line in UTF-8 (after a byte
    /// order mark or not), label 0 first (lines
    /// are trimmed; blank lines at the end are ignored, blank lines before a name are an
    /// error, and so is a name given twice; a <c>classes.txt</c> that is a directory, a named
    /// pipe or a device is an error too, not a file to skip);</item>
    /// <item>the directory's own name contains "fashion" (any case), as in
    /// /usr/share/datasets/fashion-mnist: <see cref="FashionMnist"/>;</item>
    /// <item>otherwise <see cref="Digits"/>, for MNIST.</item>
    /// </list>
    /// The number of names is the number of classes: a label at or above it is an error.
    /// </summary>
    /// <param name="directory">The data directory (it must exist).</param>
    public static Fin<IReadOnlyList<string>> ForDirectory(string directory)
    {
        var listing = Path.Combine(directory, FileName);
        if (FileKind.NotRegular(listing) is { } kind)
        {
            return Error.New($"{listing} is {kind}; expected a file of class names, one per line");
        }

        if (File.Exists(listing))
        {
            return ReadListing(listing);
        }

        var leaf = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return leaf.Contains("fashion", StringComparison.OrdinalIgnoreCase)
            ? Fin<IReadOnlyList<string>>.Succ(FashionMnist)
            : Fin<IReadOnlyList<string>>.Succ(Digits);
    }

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The first name of <paramref name="names"/> that an earlier one already is, with the
    /// index of that earlier one (0-based both), or null when the names all differ. Names are
    /// compared as they are, character by character (ordinally): a model file or
    /// <c>classes.txt</c> that names one class twice is refused with it.
    /// </summary>
    /// <param name="names">Class names, label 0 first.</param>
    internal static (int First, int Again)? FirstRepeat(IReadOnlyList<string> names)
    {
        var seen = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!seen.TryAdd(names[i], i))
            {
                return (seen[names[i]], i);
            }
        }

        return null;
    }

    /// <summary>
    /// The <c>classes.txt</c> of <paramref name="directory"/> when it has one, which is where
    /// <see cref="ForDirectory"/> takes the names from; null when the names follow a rule.
    /// </summary>
    /// <param name="directory">The data directory.</param>
    internal static string? ListingIn(string directory) =>
        Path.Combine(directory, FileName) is var listing && File.Exists(listing) ? listing : null;

    private static Fin<IReadOnlyList<string>> ReadListing(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.New($"{path}: cannot read the class names ({e.Message})");
        }

        // UTF-8 only, after a byte order mark or not: no guessing at UTF-16 from FF FE.
        var text = bytes.AsSpan();
        if (text.StartsWith(Utf8ByteOrderMark))
        {
            text = text[Utf8ByteOrderMark.Length..];
        }

        if (Models.ModelReader.InvalidUtf8(path, text) is { } invalid)
        {
            return Error.New(invalid);
        }

        var lines = Encoding.UTF8.GetString(text)
            .Split(["\r\n", "\n", "\r"], StringSplitOptions.None);

        var names = lines.Select(l => l.Trim()).Reverse().SkipWhile(l => l.Length == 0).Reverse()
            .ToArray();
        if (names.Length == 0)
        {
            return Error.New($"{path}: expected one class name per line, found none");
        }

        var blank = Array.IndexOf(names, string.Empty);
        if (blank >= 0)
        {
            return Error.New(
                $"{path}: line {blank + 1} is blank; expected one class name per line, "
                + "label 0 first");
        }

        // One class leaves nothing to choose; its network's single output would also be read
        // as a yes/no answer, which has two classes.
        if (names.Length == 1)
        {
            return Error.New($"{path}: names only one class; expected at least two");
        }

        if (names.Length > 256)
        {
            return Error.New(
                $"{path}: lists {names.Length} classes; expected at most 256 (labels are bytes)");
        }

        // Two labels of one name would make every report that names classes ambiguous.
        if (FirstRepeat(names) is var (first, again))
        {
            return Error.New(
                $"{path}: line {again + 1} names '{names[again]}' again, as line {first + 1} "
                + "does; expected a different name for each class");
        }

        return Fin<IReadOnlyList<string>>.Succ(names);
    }
}
