using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Where the commands get their data: a directory of the four standard IDX files, or of just
/// the two test files for the commands that use only the test set (<c>--data DIR</c>), or, by
/// default, the Fashion-MNIST sample built into the program.
/// </summary>
public static class DataSets
{
    /// <summary>The training images file's standard name (a ".gz" may follow).</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>The training labels file's standard name (a ".gz" may follow).</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>The test images file's standard name (a ".gz" may follow).</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>The test labels file's standard name (a ".gz" may follow).</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    // What the descriptions of the embedded sample begin with.
    private const string EmbeddedOrigin = "embedded Fashion-MNIST sample";

    /// <summary>The four standard names, in the order they are read.</summary>
    public static IReadOnlyList<string> StandardNames { get; } =
        [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The two test files' standard names, in the order they are read.</summary>
    public static IReadOnlyList<string> TestNames { get; } = [TestImages, TestLabels];

    /// <summary>
    /// The data in <paramref name="directory"/>: the four standard files, each either under
    /// its plain name or with ".gz" appended (the plain name wins when both exist; either may
    /// hold raw or gzip bytes), with class names by the rule of
    /// <see cref="ClassNames.ForDirectory"/>: <c>classes.txt</c> if present, Fashion-MNIST's
    /// names if the directory's name contains "fashion", the digits 0–9 otherwise.
    /// </summary>
    /// <returns>
    /// The split, or a one-line error: which files are missing, or the first bad file and
    /// what is wrong with it (see <see cref="Idx"/> and <see cref="ImageSet.TryCreate"/>).
    /// </returns>
    public static Fin<DataSplit> FromDirectory(string directory) =>
        from files in Find(directory, StandardNames, "the four files")
        from names in ClassNames.ForDirectory(directory)
        from split in Read(files, names, directory, ClassNames.ListingIn(directory))
        select split;

    /// <summary>
    /// The test set in <paramref name="directory"/>, for the commands that use nothing else:
    /// as <see cref="FromDirectory"/>, but only the two test files are looked for and read, so
    /// the training files may be absent or damaged.
    /// </summary>
    /// <returns>
    /// The test set, or a one-line error: which test files are missing, or the first bad file
    /// and what is wrong with it.
    /// </returns>
    public static Fin<TestData> TestFromDirectory(string directory) =>
        from files in Find(directory, TestNames, "the two test files")
        from names in ClassNames.ForDirectory(directory)
        from test in ReadTest(files, names, directory, ClassNames.ListingIn(directory))
        select test;

    /// <summary>
    /// The embedded Fashion-MNIST sample, the default data set: 6,000 training images (the
    /// first 600 of each class in the order of Fashion-MNIST's training file) and 1,000 test
    /// images (the first 100 of each class of its test file), 28 × 28, with Fashion-MNIST's
    /// class names. See <see cref="SampleBuilder"/> for how it is rebuilt.
    /// </summary>
    public static Fin<DataSplit> Embedded() =>
        Read(EmbeddedFiles(StandardNames), ClassNames.FashionMnist, EmbeddedOrigin);

    /// <summary>The test set of the embedded sample (see <see cref="Embedded"/>) alone.</summary>
    public static Fin<TestData> EmbeddedTest() =>
        ReadTest(EmbeddedFiles(TestNames), ClassNames.FashionMnist, EmbeddedOrigin);

    /// <summary>The path of a standard file in <paramref name="directory"/>, if there.</summary>
    internal static string? Locate(string directory, string standardName) =>
        new[] { standardName, standardName + ".gz" }
            .Select(n => Path.Combine(directory, n))
            .FirstOrDefault(File.Exists);

    // The files under names in directory, each to be opened when read, or a one-line error:
    // the directory is not there, or a file is missing (expected names what is looked for),
    // is a directory or is not a regular file.
    private static Fin<(string Name, Func<Stream> Open)[]> Find(
        string directory, IReadOnlyList<string> standardNames, string expected)
    {
        if (directory.Length == 0)
        {
            return Error.New("the data directory is empty text; name a directory of IDX files");
        }

        // A named pipe or a device is named as what it is, not as a file.
        if (File.Exists(directory))
        {
            return Error.New(
                $"data directory {directory} is {FileKind.Of(directory) ?? "a file"}, not a "
                + "directory; name the directory that holds the IDX files");
        }

        if (!Directory.Exists(directory))
        {
            return Error.New(FileKind.NameTooLong(directory)
                ? $"data directory {directory}: file name too long"
                : $"data directory {directory} does not exist");
        }

        var paths = standardNames.Select(n => Locate(directory, n)).ToArray();
        var missing = standardNames.Where((_, i) => paths[i] is null).ToArray();

        // A directory under a missing file's name is named as what it is, not as absent.
        var misplaced = missing.SelectMany(n => new[] { n, n + ".gz" })
            .Select(n => Path.Combine(directory, n))
            .FirstOrDefault(Directory.Exists);
        if (misplaced is not null)
        {
            return Error.New($"{misplaced} is a directory; expected an IDX file");
        }

        if (missing.Length > 0)
        {
            var absent = string.Join(", no ", missing.Select(m => $"{m}[.gz]"));
            return Error.New(
                $"data directory {directory} has no {absent}; expected {expected} "
                + $"{string.Join(", ", standardNames)}, each optionally ending in .gz");
        }

        // Anything but a regular file is refused before it is opened: reading a named pipe
        // waits for a writer, and a device such as /dev/zero never ends.
        var special = paths.Select(p => (Path: p!, Kind: FileKind.NotRegular(p!)))
            .FirstOrDefault(f => f.Kind is not null);
        if (special.Kind is not null)
        {
            return Error.New($"{special.Path} is {special.Kind}; expected an IDX file");
        }

        return paths.Select(p => (Name: p!, Open: (Func<Stream>)(() => File.OpenRead(p!))))
            .ToArray();
    }

    // The embedded sample's files under names, each to be opened when read.
    private static (string Name, Func<Stream> Open)[] EmbeddedFiles(
        IReadOnlyList<string> standardNames)
    {
        var assembly = typeof(DataSets).Assembly;
        return standardNames
            .Select(n => (Name: $"{n}.gz (embedded sample)", Open: (Func<Stream>)(() =>
                assembly.GetManifestResourceStream(SampleBuilder.ResourcePrefix + n + ".gz")
                ?? throw new FileNotFoundException($"the program was built without {n}.gz"))))
            .ToArray();
    }

    // Reads test images and test labels, stopping at the first problem.
    private static Fin<TestData> ReadTest(
        (string Name, Func<Stream> Open)[] files,
        IReadOnlyList<string> names,
        string origin,
        string? listing = null) =>
        from test in ReadSet(files[0], files[1], names.Count, listing)
        select new TestData(
            test,
            names,
            $"{origin} ({Plural.Of(test.Count, "test image")} of {test.Rows} × {test.Columns}, "
            + $"{Plural.Of(names.Count, "class", "classes")})");

    // Reads train images, train labels, test images and test labels, stopping at the first
    // problem, and checks that both sets have images of one size.
    private static Fin<DataSplit> Read(
        (string Name, Func<Stream> Open)[] files,
        IReadOnlyList<string> names,
        string origin,
        string? listing = null) =>
        from train in ReadSet(files[0], files[1], names.Count, listing)
        from test in ReadSet(files[2], files[3], names.Count, listing)
        from same in test.Rows == train.Rows && test.Columns == train.Columns
            ? Fin<ImageSet>.Succ(test)
            : Error.New(
                $"{files[2].Name}: images are {test.Rows} × {test.Columns} but the training "
                + $"images in {files[0].Name} are {train.Rows} × {train.Columns}; "
                + "expected one size")
        select new DataSplit(
            train,
            test,
            names,
            $"{origin} ({train.Count} training and {Plural.Of(test.Count, "test image")} of "
            + $"{train.Rows} × {train.Columns}, {Plural.Of(names.Count, "class", "classes")})");

    private static Fin<ImageSet> ReadSet(
        (string Name, Func<Stream> Open) images,
        (string Name, Func<Stream> Open) labels,
        int classes,
        string? listing) =>
        from pixels in ReadFile(images, Idx.ReadImages)
        from tags in ReadFile(labels, Idx.ReadLabels)
        from set in ImageSet.TryCreate(images.Name, pixels, labels.Name, tags, classes, listing)
        select set;

    private static Fin<T> ReadFile<T>(
        (string Name, Func<Stream> Open) file, Func<string, Stream, Fin<T>> read)
    {
        Stream stream;
        try
        {
            stream = file.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.New($"{file.Name}: cannot open the file ({e.Message})");
        }

        using (stream)
        {
            return read(file.Name, stream);
        }
    }
}
